/// What the flows and methods move: a state x (the weights W of a network, the errors Δ
/// under a frozen kernel, the parameters of a quadratic) with a potential Φ whose gradient
/// drives every flow and discrete method, its predictions and errors, its kernel, the
/// monitors that make sense for it and the solvers it supports.
///
/// A new model is one file: a type conforming to `Model` and `ModelBuilder`. Implementations
/// own their workspaces, so `gradient(at:into:)`, the hot path, allocates nothing.
public protocol Model: AnyObject {
    /// The name users give the model ("network", "errors", "quadratic").
    var name: String { get }
    /// The length N of the state x.
    var dimension: Int { get }
    /// The number n of errors (the length of Δ).
    var sampleCount: Int { get }
    /// x(0).
    var initialPosition: [Double] { get }
    /// Writes ∇Φ(x) into `gradient`.
    func gradient(at x: VectorView, into gradient: MutableVectorView)
    /// Φ(x): the loss L for networks, L̂ = ½ΔᵀHΔ for the error model, f(x) − f* for a quadratic.
    func potential(at x: VectorView) -> Double
    /// The prediction errors Δ = f − y at x (for a quadratic: x − x*).
    func residual(at x: VectorView) -> [Double]
    /// The predictions f(x) (for a quadratic: x).
    func predictions(at x: VectorView) -> [Double]
    /// Δ̇ = (∂Δ/∂x) ẋ for a state velocity ẋ.
    func residualRate(at x: VectorView, velocity: VectorView) -> [Double]
    /// The kernel H at x: H(W) for networks (002 eq. 2.6), the frozen H, Γ for a quadratic.
    func kernel(at x: VectorView) -> DenseMatrix
    /// The pseudo-loss L̂ = ½ΔᵀH(x)Δ.
    func pseudoLoss(at x: VectorView) -> Double
    /// The Hessian of Φ when it is constant, else nil. Implicit GSL steppers need it.
    var constantHessian: DenseMatrix? { get }
    /// When ∇Φ(x) = H(x − x*) with a constant symmetric H: H's eigensystem and x*. The
    /// exact modal solver needs it.
    var affineGradient: (kernel: SymmetricEigensystem, minimizer: [Double])? { get }
    /// Newton flow's force when it is affine (002 §5.2): ẋ = −P(x − x*) with a constant P
    /// (the error model built from a network freezes P(W0) = Σ_r J_r J_r^+; on a quadratic
    /// Newton's −Γ⁻¹∇Φ = −(x − x*), P = I). Nil when the model has none.
    var newtonKernel: (kernel: SymmetricEigensystem, minimizer: [Double])? { get }
    /// The spectra the theory uses: λ0 and κ, and the kernels' spectra.
    var spectra: ModelSpectra { get }
    /// The monitors that make sense for the model, for a run of `flow`.
    func monitors(flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor]
    /// The solvers the model supports.
    var supportedSolvers: Set<SolverKind> { get }
    /// The solver `auto` picks for a flow (measured fastest; see the README's Solvers).
    func automaticSolver(for flow: any ContinuousFlow) -> SolverKind
    /// The ReLU network whose activation switches the switching solvers and per-neuron
    /// Gauss–Newton work on; nil for models without one.
    var reluNetwork: ReLUNetwork? { get }
    /// The products of a two-layer network whose activation's pieces a switching solver can
    /// hold (`PieceEventSolver`: piecewise-linear activations, trained output layer); nil
    /// otherwise.
    var pieceProducts: TwoLayerProducts? { get }
    /// What the outputs record about the model.
    var summary: ModelSummary { get }
    /// ½‖Δ‖² at the x of the last `gradient(at:into:)` when the gradient formed Δ anyway (the
    /// network's does), else nil: the discrete iterators' free loss of every iterate.
    var lossAtLastGradient: Double? { get }
    /// An iterator for w_{k+1} = w_k − η∇L(w_k) + β(w_k − w_{k−1}), w_{−1} = w_0 (GD at β = 0,
    /// Polyak HB in difference form, 002 eq. 3.1) that uses the model's structure and gives
    /// the same iterates as the dense recurrence up to rounding, or nil when the model has
    /// none (then the methods run the dense `MomentumRecurrenceIterator`). `timePerStep` is
    /// the method's τ, for the finite-difference velocity.
    func structuredMomentumIterator(initialPosition: [Double], stepSize: Double, momentum: Double,
                                    timePerStep: Double) -> (any DiscreteIterator)?
}

extension Model {
    public var lossAtLastGradient: Double? { nil }
    public func structuredMomentumIterator(initialPosition: [Double], stepSize: Double, momentum: Double,
                                           timePerStep: Double) -> (any DiscreteIterator)? { nil }
    public var constantHessian: DenseMatrix? { nil }
    public var affineGradient: (kernel: SymmetricEigensystem, minimizer: [Double])? { nil }
    public var reluNetwork: ReLUNetwork? { nil }
    public var pieceProducts: TwoLayerProducts? { nil }
    public var newtonKernel: (kernel: SymmetricEigensystem, minimizer: [Double])? { nil }

    public func predictions(at x: VectorView) -> [Double] { residual(at: x) }

    /// λ0 of the model's theory (λ_min(H^∞) for networks).
    public var lambda0: Double { spectra.lambda0 }
    /// κ of the same matrix.
    public var conditionNumber: Double { spectra.conditionNumber }
}

/// The spectra of a model's kernels.
public struct ModelSpectra: Sendable {
    /// Spectrum of H^∞ (networks with data).
    public var limit: KernelSpectrum?
    /// Spectrum of H(0) (networks).
    public var initial: KernelSpectrum?
    /// Spectrum of a frozen kernel (error models, the quadratic's Γ).
    public var frozen: KernelSpectrum?

    public init(limit: KernelSpectrum? = nil, initial: KernelSpectrum? = nil, frozen: KernelSpectrum? = nil) {
        self.limit = limit
        self.initial = initial
        self.frozen = frozen
    }

    /// The matrix λ0 and κ come from: H^∞ when there is data, else the frozen kernel.
    public var theory: KernelSpectrum { (limit ?? frozen ?? initial)! }
    /// λ0 = λ_min(H^∞) (002 Fact 2.2), or λ_min of the frozen kernel.
    public var lambda0: Double { theory.lambdaMin }
    public var conditionNumber: Double { theory.conditionNumber }
    /// The kernel the linear-regime analysis freezes: the frozen kernel, else H(0).
    public var linearRegime: KernelSpectrum { (frozen ?? initial ?? limit)! }
}

/// What outputs record about a model (CSV header and JSON).
public struct ModelSummary: Sendable {
    public var samples: Int
    public var dimension: Int?
    public var width: Int?
    /// The data: a path, "synthetic", or what replaces data.
    public var data: String
    public var labels: String?
    /// The frozen kernel of error runs.
    public var kernel: String?
    /// Where Δ(0) came from (error runs).
    public var initialError: String?
    /// Model-specific entries, in order.
    public var extra: [(String, String)] = []

    public init(samples: Int, dimension: Int? = nil, width: Int? = nil, data: String, labels: String? = nil,
                kernel: String? = nil, initialError: String? = nil) {
        self.samples = samples
        self.dimension = dimension
        self.width = width
        self.data = data
        self.labels = labels
        self.kernel = kernel
        self.initialError = initialError
    }
}

/// The kinds of solver (`Solver` carries their settings).
public enum SolverKind: String, Sendable, CaseIterable, Hashable {
    case gsl
    case exact
    case events
    case exactPieces = "exact-pieces"
    case kinetic
}
