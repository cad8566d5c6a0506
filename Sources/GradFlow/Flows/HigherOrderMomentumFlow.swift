/// Higher-order momentum x^{(J+1)} + Σ_{j=1}^{J} b_j x^{(j)} + ∇Φ(x) = 0 (002 §5.1, eq. 5.1),
/// the continuous limit of multi-momentum methods. J ≥ 2; J = 1 is the heavy ball.
/// 002 gives no Lyapunov function for it.
public struct HigherOrderMomentumFlow: ContinuousFlow {
    /// b_1 … b_J.
    public let coefficients: [Double]

    public init(coefficients: [Double]) {
        self.coefficients = coefficients
    }

    public var name: String { "higher-order" }
    public var order: Int { coefficients.count + 1 }
    public func damping(_ j: Int, at t: Double) -> Double { coefficients[j - 1] }
    public var parameters: [(String, Double)] {
        coefficients.enumerated().map { ("b\($0.offset + 1)", $0.element) }
    }
}
