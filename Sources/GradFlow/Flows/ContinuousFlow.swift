/// A continuous-time optimizer dynamics of order p on a state x (the weights W or the
/// errors Δ), written in the common form of Bu, Xu & Chen (002):
///
///     x^{(p)} + Σ_{j=1}^{p−1} c_j(t) x^{(j)} + ∇Φ(x) = 0,
///
/// where Φ is the loss L for weight runs (002 eqs. 3.3, 4.3, 5.1) and the pseudo-loss
/// L̂ = ½ΔᵀHΔ for error runs (002 eqs. 3.4, 4.5). Gradient flow is p = 1 (ẋ = −∇Φ).
/// Every derivative of order ≥ 1 starts at zero (002 §3: ẇ_r(0) = 0).
public protocol ContinuousFlow: Sendable {
    /// Short name used on the command line and in outputs ("gradient-flow", "hbf", …).
    var name: String { get }
    /// The order p of the equation: 1 for gradient flow, 2 for HBF and Nesterov, J+1 for
    /// higher-order momentum.
    var order: Int { get }
    /// The damping coefficient c_j(t) of x^{(j)}, for j = 1 … order−1.
    func damping(_ j: Int, at t: Double) -> Double
    /// ∂c_j/∂t, for the time derivative of the vector field that implicit steppers need.
    func dampingRate(_ j: Int, at t: Double) -> Double
    /// True when the coefficients do not depend on t.
    var isAutonomous: Bool { get }
    /// The parameters as name/value pairs, for summaries.
    var parameters: [(String, Double)] { get }
}

extension ContinuousFlow {
    public func dampingRate(_ j: Int, at t: Double) -> Double { 0 }
    public var isAutonomous: Bool { true }
}

/// The quantities of one sampled state that the flows' Lyapunov functions are built from.
public struct EnergyInputs: Sendable {
    public var time: Double
    /// L = ½‖Δ‖².
    public var loss: Double
    /// L̂ = ½ΔᵀHΔ with the run's kernel H (frozen or H(t)).
    public var pseudoLoss: Double
    /// Φ: L for weight runs, L̂ for error runs.
    public var potential: Double
    /// ‖ẋ‖² of the state's velocity (Σ_r‖ẇ_r‖² or ‖Δ̇‖²).
    public var velocityNormSquared: Double
    /// Δ and Δ̇.
    public var residual: [Double]
    public var residualRate: [Double]

    public init(time: Double, loss: Double, pseudoLoss: Double, potential: Double,
                velocityNormSquared: Double, residual: [Double], residualRate: [Double]) {
        self.time = time
        self.loss = loss
        self.pseudoLoss = pseudoLoss
        self.potential = potential
        self.velocityNormSquared = velocityNormSquared
        self.residual = residual
        self.residualRate = residualRate
    }
}

/// A flow that comes with its own Lyapunov function.
public protocol LyapunovFlow: ContinuousFlow {
    /// The flow's Lyapunov energy at a sample.
    func energy(_ s: EnergyInputs) -> Double
}
