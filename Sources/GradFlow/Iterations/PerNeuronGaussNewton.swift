/// Newton's method for the two-layer ReLU network in the Gauss–Newton form of 002 §5.2: the
/// Hessian block of neuron r is, almost surely, ∂²L/∂w_r² = J_rᵀJ_r (the second-derivative
/// term vanishes off the kinks, 002 eq. 3.6), and the cross blocks are dropped, so each
/// neuron takes its own Newton step
///
///     w_r ← w_r − η (J_rᵀJ_r)^+ J_rᵀΔ,   J_r = ∂f/∂w_r ∈ R^{n×d},
///     row i of J_r = (a_r/√m) 1[w_rᵀx_i ≥ 0] x_iᵀ,
///
/// with J_rᵀΔ = ∂L/∂w_r (column r of the gradient, from `Model.gradient(at:into:)`)
/// and A_r = J_rᵀJ_r = (a_r²/m) Σ_{i: w_rᵀx_i ≥ 0} x_i x_iᵀ (d×d). (J_rᵀJ_r)^+ J_rᵀ = J_r^+, so
/// the step is the minimum-norm least-squares correction −η J_r^+ Δ: with η = 1, one neuron
/// and J_r of full row rank n ≤ d, it removes the whole residual when no activation flips.
/// The blocks and their pseudo-inverses are `NeuronGaussNewtonBlocks`'s (GSL eigensolver,
/// relative cutoff), shared with `NewtonFlow`.
///
/// Summed over neurons the error moves as Δ ← Δ − η Σ_r J_r J_r^+ Δ (002 §5.2: Δ̇ = −PΔ),
/// and each J_r J_r^+ is a projector, so λ_max(P) can reach m: stable steps need
/// η < 2/λ_max(P), η = O(1/m) for a wide net (002's convergence factor λ0 m/n).
///
/// Cost per step: one gradient plus O(m(nd + nd² + d³)) for the neuron blocks — meant for
/// small analysis problems. Time axis: the forward Euler step of the Newton flow
/// ẇ_r = −(J_rᵀJ_r)^+J_rᵀΔ (`NewtonFlow`, its `matchingFlow`), t_k = kη.
/// Only `ReLUWeightField` is supported.
public struct PerNeuronGaussNewton: DiscreteMethod {
    /// η > 0.
    public let stepSize: Double
    /// Eigenvalues of A_r at most this fraction of its largest are treated as zero.
    public let relativeCutoff: Double

    public init(stepSize: Double = 1, relativeCutoff: Double = 1e-10) {
        self.stepSize = stepSize
        self.relativeCutoff = relativeCutoff
    }

    public var name: String { "gauss-newton" }
    public var parameters: [(String, Double)] { [("eta", stepSize), ("cutoff", relativeCutoff)] }
    /// t_k = kη.
    public func time(ofIteration k: Int) -> Double { Double(k) * stepSize }
    public var matchingFlow: (any ContinuousFlow)? { NewtonFlow() }

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
        guard relativeCutoff.isFinite, relativeCutoff >= 0, relativeCutoff < 1 else {
            throw InputError("Gauss–Newton cutoff", value: "\(relativeCutoff)", allowed: "must be in [0, 1)")
        }
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        guard let network = field.reluNetwork else {
            throw InputError("method", value: "gauss-newton on the \(field.name) model",
                             allowed: "the per-neuron Gauss–Newton step needs a ReLU network's weights (the network model)")
        }
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        return GaussNewtonIterator(field: field, network: network, initialPosition: initialPosition, stepSize: stepSize,
                                   relativeCutoff: relativeCutoff)
    }
}

final class GaussNewtonIterator: DiscreteIterator {
    private let field: any Model
    private let stepSize: Double
    private let blocks: NeuronGaussNewtonBlocks
    /// W (d×m, column r = w_r).
    private let w: DoubleBuffer
    private let gradientBuffer: DoubleBuffer
    private let velocityBuffer: DoubleBuffer
    /// Column r = A_r^+ g_r.
    private let direction: DoubleBuffer
    private(set) var iteration = 0
    private(set) var gradientEvaluations = 0

    init(field: any Model, network: ReLUNetwork, initialPosition: [Double], stepSize: Double, relativeCutoff: Double) {
        self.field = field
        self.stepSize = stepSize
        blocks = NeuronGaussNewtonBlocks(network: network, relativeCutoff: relativeCutoff)
        w = DoubleBuffer(initialPosition)
        let count = network.dimension * network.width
        gradientBuffer = DoubleBuffer(count: count)
        velocityBuffer = DoubleBuffer(count: count)
        direction = DoubleBuffer(count: count)
    }

    var position: VectorView { w.readOnly }
    var velocity: VectorView { velocityBuffer.readOnly }

    func step() {
        let weights = w.view, g = gradientBuffer.view, vel = velocityBuffer.view, dir = direction.view
        field.gradient(at: weights.readOnly, into: g)
        gradientEvaluations += 1
        // Each A_r depends on w_r alone, so all neurons' solves can precede the update.
        blocks.solve(weights: weights.readOnly, gradient: g.readOnly, into: dir)
        let eta = stepSize
        for k in 0..<(w.count) {
            let delta = -eta * dir[k]
            vel[k] = delta / eta
            weights[k] += delta
        }
        iteration += 1
    }
}
