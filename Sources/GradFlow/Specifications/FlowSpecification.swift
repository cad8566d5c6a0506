/// A flow as a user names it, with its parameters validated and defaults filled in from
/// the problem's λ0.
public struct FlowSpecification: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case gradientFlow = "gradient-flow"
        case heavyBall = "hbf"
        case nesterov
        case higherOrder = "higher-order"
        case newton
    }

    public var kind: Kind
    /// HBF friction b; default √(2λ0) (002 Theorem 2).
    public var friction: Double?
    /// Nesterov γ; default `NesterovFlow.defaultGamma` (3).
    public var gamma: Double = NesterovFlow.defaultGamma
    /// Nesterov energy exponent α of V(t; α, γ); default 2 (valid for γ ≥ 3).
    public var alpha: Double?
    /// Nesterov start time t0 > 0; default `NesterovFlow.defaultStartTime` (1e-6).
    public var startTime: Double = NesterovFlow.defaultStartTime
    /// Higher-order b_1 … b_J, J ≥ 2.
    public var coefficients: [Double] = []

    public init(kind: Kind) { self.kind = kind }

    public static var allowedNames: String { Kind.allCases.map(\.rawValue).joined(separator: ", ") }

    public func build(lambda0: Double) throws -> any ContinuousFlow {
        switch kind {
        case .gradientFlow:
            return GradientFlow()
        case .heavyBall:
            if friction == nil, !(lambda0.isFinite && lambda0 > 0) {
                throw InputError(.friction, value: "none given",
                                 allowed: "the default b = √(2λ0) needs λ0 > 0, and this model's λ0 is \(lambda0); give the friction")
            }
            let b = friction ?? (2 * lambda0).squareRoot()
            guard b.isFinite, b >= 0 else {
                throw InputError(.friction, value: "\(b)", allowed: "the damping b must be finite and ≥ 0")
            }
            return HeavyBallFlow(friction: b)
        case .nesterov:
            guard gamma.isFinite, gamma > 0 else {
                throw InputError(.gamma, value: "\(gamma)", allowed: "γ must be finite and > 0")
            }
            guard startTime.isFinite, startTime > 0 else {
                throw InputError(.startTime, value: "\(startTime)", allowed: "the Nesterov start time t0 must be finite and > 0")
            }
            if let a = alpha, !(a.isFinite && a > 0 && a < 2 * gamma) {
                throw InputError(.alpha, value: "\(a)", allowed: "α must lie in (0, 2γ) = (0, \(2 * gamma)); 002 uses 2 ≤ α ≤ 2γ/3")
            }
            return NesterovFlow(gamma: gamma, energyExponent: alpha, startTime: startTime)
        case .higherOrder:
            guard coefficients.count >= 2 else {
                throw InputError(.coefficients, value: "\(coefficients.count) values",
                                 allowed: "higher-order momentum needs b_1,…,b_J with J ≥ 2 (J = 1 is hbf)")
            }
            if let bad = coefficients.first(where: { !($0.isFinite && $0 >= 0) }) {
                throw InputError(.coefficients, value: "\(bad)", allowed: "each damping b_j must be finite and ≥ 0")
            }
            return HigherOrderMomentumFlow(coefficients: coefficients)
        case .newton:
            return NewtonFlow()
        }
    }
}
