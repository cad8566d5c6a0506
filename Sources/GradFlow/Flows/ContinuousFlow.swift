/// A continuous-time optimizer dynamics of order p on a state x (the weights W, the errors
/// Δ, or any model's parameters), written in the common form of Bu, Xu & Chen (002):
///
///     x^{(p)} + Σ_{j=1}^{p−1} c_j(t) x^{(j)} + ∇Φ(x) = 0,
///
/// where Φ is the loss L for weight runs (002 eqs. 3.3, 4.3, 5.1) and the pseudo-loss
/// L̂ = ½ΔᵀHΔ for error runs (002 eqs. 3.4, 4.5). Gradient flow is p = 1 (ẋ = −∇Φ).
/// Every derivative of order ≥ 1 starts at zero (002 §3: ẇ_r(0) = 0).
///
/// A flow carries its own theory: its Lyapunov energy, the rate its theorem guarantees,
/// its linearized rate, the checks of its theorems, how it starts and whether it has a
/// modal solution. Each flow states these in its own file; nothing else asks what type a
/// flow is.
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

    // MARK: Force

    /// The force g(x) that takes ∇Φ's place in the equation on `model`: ∇Φ itself for the
    /// momentum flows (the default), the Gauss–Newton direction for Newton flow (002 §5.2).
    /// Throws an `InputError` naming the flow when it does not apply to the model.
    func force(on model: any Model) throws -> any FlowForce
    /// True when the force is ∇Φ, which the switching solvers (events, exact pieces) build
    /// piece by piece from the activation pattern.
    var isDrivenByGradient: Bool { get }

    // MARK: Energies

    /// The flow's own Lyapunov energy at a sample; nil when the paper gives none.
    func energy(_ s: EnergyInputs) -> Double?
    /// A Lyapunov energy constructed on a frozen kernel when the paper gives none.
    func constructedEnergy(frozenKernel: SymmetricEigensystem) -> ModalLyapunovEnergy?
    /// Further observables the flow defines (Nesterov's mechanical energy).
    var extraObservables: [Observable] { get }
    /// The values of `extraObservables` at a sample.
    func extraValues(_ s: EnergyInputs) -> [Double]
    /// The same flow with its energy's constants set as its theorem needs them on a problem
    /// with this λ0 (HBF: α = √(λ0/2), whatever b is, so that a small b shows up).
    func withTheoremEnergy(lambda0: Double) -> any ContinuousFlow

    // MARK: Start

    /// How the flow leaves x0 with zero velocity: at t = 0, or (Nesterov) from a series
    /// solution at a small t0 > 0.
    var start: FlowStart { get }

    // MARK: Rates and theorems

    /// The law of the loss decay: exponential, or a power of t (Nesterov).
    var lossLaw: RateFit.Law { get }
    /// The loss rate 002's theorem guarantees on a problem with this λ0, with its source.
    func theoremRate(lambda0: Double) -> TheoremRate?
    /// The loss rate of the linearized dynamics on a frozen kernel with these eigenvalues.
    func linearizedLossRate(eigenvalues: [Double]) throws -> Double?
    /// The inequalities of the flow's theorems, with constants from the run.
    func theoremChecks(constants: CheckConstants, initialEnergy: Double) -> [any SolutionCheck]
    /// Verdicts measured on the run rather than checked against a bound (Theorem 3's A).
    func measuredVerdicts(_ solution: Solution) -> [CheckVerdict]
    /// The decay of the energy the Lyapunov tables report, with its bound and theory.
    func energyDecay(lambda0: Double, frozenKernel: SymmetricEigensystem?, initialEigenvalues: [Double]) throws -> EnergyDecay

    // MARK: Exact solution

    /// How the modal (eigenbasis) solution of the linear error model treats this flow.
    var modalForm: ModalForm { get }
}

extension ContinuousFlow {
    public func dampingRate(_ j: Int, at t: Double) -> Double { 0 }
    public var isAutonomous: Bool { true }
    public func force(on model: any Model) throws -> any FlowForce { PotentialGradient(model: model) }
    public var isDrivenByGradient: Bool { true }
    public func energy(_ s: EnergyInputs) -> Double? { nil }
    public func constructedEnergy(frozenKernel: SymmetricEigensystem) -> ModalLyapunovEnergy? { nil }
    public var extraObservables: [Observable] { [] }
    public func extraValues(_ s: EnergyInputs) -> [Double] { [] }
    public func withTheoremEnergy(lambda0: Double) -> any ContinuousFlow { self }
    public var start: FlowStart { .origin }
    public var lossLaw: RateFit.Law { .exponential }
    public func theoremRate(lambda0: Double) -> TheoremRate? { nil }

    public func linearizedLossRate(eigenvalues: [Double]) throws -> Double? {
        try LinearizedRate.exponentialLossRate(flow: self, eigenvalues: eigenvalues)
    }

    public func theoremChecks(constants: CheckConstants, initialEnergy: Double) -> [any SolutionCheck] { [] }
    public func measuredVerdicts(_ solution: Solution) -> [CheckVerdict] { [] }

    public func energyDecay(lambda0: Double, frozenKernel: SymmetricEigensystem?,
                            initialEigenvalues: [Double]) throws -> EnergyDecay {
        EnergyDecay(law: lossLaw, fitted: .energy, bound: nil, theory: nil)
    }

    public var modalForm: ModalForm { isAutonomous ? .constantCoefficients : .none }
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
