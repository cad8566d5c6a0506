/// A loss rate a theorem guarantees, with the theorem.
public struct TheoremRate: Sendable {
    public var rate: Double
    public var law: RateFit.Law
    public var source: String

    public init(rate: Double, law: RateFit.Law, source: String) {
        self.rate = rate
        self.law = law
        self.source = source
    }
}

/// What a Lyapunov table reports for a flow: which observable decays and how it is fitted,
/// the bound the theory gives (as a function of t, relative to its start), the theory's
/// rate, and checks that only exist with this energy.
public struct EnergyDecay: Sendable {
    /// The law the fitted rate follows.
    public var law: RateFit.Law
    /// The observable whose rate is fitted (the energy, or the loss for power laws).
    public var fitted: Observable
    /// e^{−αt}-type bound of V(t)/V(0); nil when the theory gives none.
    public var bound: (@Sendable (Double) -> Double)?
    /// The theory's rate and its source.
    public var theory: (rate: Double, source: String)?
    /// Further checks on the energy, given V(0).
    public var energyChecks: @Sendable (Double) -> [BoundCheck] = { _ in [] }

    public init(law: RateFit.Law, fitted: Observable, bound: (@Sendable (Double) -> Double)?,
                theory: (rate: Double, source: String)?) {
        self.law = law
        self.fitted = fitted
        self.bound = bound
        self.theory = theory
    }
}

/// How a flow leaves x0 with zero velocity.
public enum FlowStart: Sendable, Equatable {
    /// At t = 0.
    case origin
    /// At t0 > 0 from the series solution x(t0) = x0 − p∇Φ(x0), ẋ(t0) = −v∇Φ(x0), for a
    /// coefficient singular at 0 (Nesterov's γ/t). A sample at t = 0 is the exact x0.
    case series(time: Double, position: Double, velocity: Double)

    /// The first time the integration reaches.
    public var time: Double {
        switch self {
        case .origin: return 0
        case .series(let t, _, _): return t
        }
    }
}

/// How the exact modal solution of the linear error model solves a flow, per eigenvalue
/// of the frozen kernel (`ModalSolution`).
public enum ModalForm: Sendable, Equatable {
    /// Exponentials e^{−λt} (gradient flow).
    case exponential
    /// Damped oscillators of ÿ + bẏ + λy = 0.
    case dampedOscillator(friction: Double)
    /// Bessel functions t^{−ν} J_ν(√λ t), ν = (γ−1)/2 (Nesterov's ODE).
    case bessel(gamma: Double)
    /// Characteristic roots of s^p + Σ c_j s^j + λ (any constant-coefficient flow).
    case constantCoefficients
    /// No modal solution.
    case none
}
