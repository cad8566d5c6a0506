import Foundation

/// Newton flow (002 §5.2): the continuous limit of Newton's method with the Hessian blocks
/// ∂²L/∂w_r² = J_rᵀJ_r + (∂²f/∂w_r²)Δ = J_rᵀJ_r almost surely (002 §5.2, from eq. 3.6), the
/// cross-neuron blocks dropped as the paper does:
///
///     ẇ_r = −(J_rᵀJ_r)^+ J_rᵀ(f − y),   J_r = ∂f/∂w_r ∈ R^{n×d}.
///
/// 002 writes the inverse; J_rᵀJ_r = (a_r²/m) Σ_{i active} x_i x_iᵀ is singular whenever
/// fewer than d inputs activate neuron r, so the pseudo-inverse is used (with J_rᵀJ_r
/// invertible they agree; `NeuronGaussNewtonBlocks` has the cutoff).
/// Multiplying by J_r and summing over r gives the error dynamics (002 §5.2)
///
///     Δ̇ = −PΔ,   P = Σ_r J_r (J_rᵀJ_r)^+ J_rᵀ,
///
/// the gradient flow of 002's pseudo-loss L̂ = ½ΔᵀPΔ. P is a sum of m orthogonal projectors
/// onto range(J_r), each of rank ≤ d, not itself a projector: its eigenvalues lie in [0, m].
/// P depends only on the activation pattern, so on the error model (P frozen) and on every
/// piece of a weight run without switches Δ(t) = e^{−Pt}Δ(0) exactly, per eigenmode e^{−μt}.
///
/// Its Lyapunov function is the loss: L̇ = −ΔᵀPΔ ≤ 0. For unit-norm inputs 002 bounds
/// λ_max(J_rᵀJ_r) ≤ tr(J_rJ_rᵀ) ≤ n/m, so P ⪰ (m/n)H, and with λ_min(H(t)) ≥ λ0/2 (002
/// Lemma 3.2) L(t) ≤ e^{−λ0 m t/n} L(0): 002's "convergence factor λ0 m/n", whose theorem
/// the paper leaves to future work. The per-neuron Gauss–Newton method (`gauss-newton`) is
/// its forward Euler discretization, t_k = kη.
///
/// On the weights the direction jumps where a pair's activation flips, and often points back
/// into the kink from both sides (Filippov sliding, where plain GSL chatters): `events`
/// (`NewtonEventSolver`, the default there) locates every flip and slides along the Newton
/// direction restricted to the kinks (`NewtonPieceField`).
///
/// On the models: the network's weights (per-neuron pseudo-inverse; events or GSL), the
/// error model built from a network (P(W0) frozen; exact or GSL), the quadratic (Newton's
/// ẋ = −Γ⁻¹∇Φ = −(x − x*), P = I).
public struct NewtonFlow: ContinuousFlow {
    /// Eigenvalues of J_rᵀJ_r at most this fraction of its largest count as zero.
    public let relativeCutoff: Double

    public init(relativeCutoff: Double = 1e-10) {
        self.relativeCutoff = relativeCutoff
    }

    public var name: String { "newton" }
    public var order: Int { 1 }
    public func damping(_ j: Int, at t: Double) -> Double { 0 }
    public var parameters: [(String, Double)] { [] }

    /// The force is the Gauss–Newton direction, not ∇L: the switching solvers do not apply.
    public var isDrivenByGradient: Bool { false }

    /// g(x) with ẋ = −g(x): P(x − x*) when the model's Newton law is affine (error model with
    /// P(W0), quadratic), else the per-neuron direction g_r = (J_rᵀJ_r)^+ ∂L/∂w_r.
    public func force(on model: any Model) throws -> any FlowForce {
        if let affine = model.newtonKernel { return AffineForce(kernel: affine.kernel, minimizer: affine.minimizer) }
        if let network = model.reluNetwork {
            return PerNeuronNewtonDirection(model: model, network: network, relativeCutoff: relativeCutoff)
        }
        throw InputError(.flow, value: name,
                         allowed: "Newton flow (002 §5.2) needs per-neuron Gauss–Newton blocks: the network model, the errors model built from a network (P(W0)), or the quadratic; the \(model.name) model has none")
    }

    /// The energy is the loss L = ½‖Δ‖²: L̇ = −ΔᵀPΔ ≤ 0.
    public func energy(_ s: EnergyInputs) -> Double? { s.loss }

    /// The frozen H's eigenvalues do not give P's spectrum: no linearized rate.
    public func linearizedLossRate(eigenvalues: [Double]) throws -> Double? { nil }

    /// L non-increasing (L̇ = −ΔᵀPΔ), and on weight runs 002 §5.2's L ≤ e^{−λ0 m t/n}L(0).
    public func theoremChecks(constants c: CheckConstants, initialEnergy: Double) -> [any SolutionCheck] {
        // Newton flow's loss falls at rate ≥ 2λ_min(P) ~ m/n: it reaches GSL's noise floor
        // (|Δ| ~ atol, L ~ 1e-18 at the default atol 1e-9) early. Below 1e-12 L(0) the default
        // tolerances no longer resolve L, so rises there are noise, not a violation.
        let monotone = MonotonicityCheck(name: "L(t) non-increasing (down to 1e-12 L(0))", source: "002 §5.2: L̇ = −ΔᵀPΔ ≤ 0",
                                         column: .loss, floor: 1e-12)
        let name = "§5.2: L(t) ≤ e^{-λ0 m t/n} L(0)"
        let source = "002 §5.2 (P ⪰ (m/n)H for unit-norm inputs and λ_min(H) ≥ λ0/2; the paper defers the theorem)"
        guard let m = c.width else {
            return [monotone, NotApplicableCheck(name: name, source: source,
                                                 reason: NotApplicableCheck.withoutNeurons)]
        }
        let rate = c.lambda0 * Double(m) / Double(c.sampleCount), loss0 = c.initialLoss
        return [monotone, BoundCheck(name: name, source: source, column: .loss, fromTime: .leastNonzeroMagnitude) { t in exp(-rate * t) * loss0 }]
    }

    public var modalForm: ModalForm { .exponential }
}

/// g_r = (J_rᵀJ_r)^+ ∂L/∂w_r for every neuron of a network's weights (ẇ = −g).
private final class PerNeuronNewtonDirection: FlowForce {
    private let model: any Model
    private let blocks: NeuronGaussNewtonBlocks
    private let gradient: DoubleBuffer

    init(model: any Model, network: ReLUNetwork, relativeCutoff: Double) {
        self.model = model
        blocks = NeuronGaussNewtonBlocks(network: network, relativeCutoff: relativeCutoff, cached: true)
        gradient = DoubleBuffer(count: model.dimension)
    }

    func evaluate(at x: VectorView, into force: MutableVectorView) {
        model.gradient(at: x, into: gradient.view)
        blocks.solve(weights: x, gradient: gradient.readOnly, into: force)
    }

    var constantJacobian: DenseMatrix? { nil }
    var affine: (kernel: SymmetricEigensystem, minimizer: [Double])? { nil }
}

/// On the network's weights Newton flow follows its kinks with its own event solver, with
/// Filippov sliding along the Newton direction restricted to the kinks (`NewtonEventSolver`).
extension NewtonFlow: WeightKinkFollowing {
    /// Its per-neuron d×d matrices must fit `NewtonPieceField`'s limit.
    func followsKinks(width m: Int, dimension d: Int) -> Bool {
        NewtonPieceField.fits(width: m, dimension: d)
    }

    func kinkEventsPropagator(network: ReLUNetwork, initialState: [Double], startTime: Double, stepper: Stepper,
                              tolerances: Tolerances, eventTolerance: Double, logSwitches: Bool,
                              budget: WorkBudget?) throws -> any Propagator {
        try NewtonEventsPropagator(network: network, flow: self, initialState: initialState, startTime: startTime,
                                   stepper: stepper, tolerances: tolerances, eventTolerance: eventTolerance,
                                   logSwitches: logSwitches, budget: budget)
    }
}
