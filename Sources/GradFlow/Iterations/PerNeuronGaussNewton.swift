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
///
/// The pseudo-inverse uses GSL's symmetric eigensolver on A_r (preallocated workspace, so no
/// allocation per step), keeping the
/// eigenvalues μ > `relativeCutoff`·μ_max (A_r's zero eigenvalues come out at about ε·μ_max;
/// since κ(A_r) = κ(J_r)², a cutoff of 1e-10 drops the directions where σ(J_r) < 1e-5 σ_max).
/// The pattern 1[w_rᵀx_i ≥ 0] is evaluated at w_k by a plain dot product, which may disagree
/// with the field's BLAS pre-activations only for z within rounding of 0.
///
/// Summed over neurons the error moves as Δ ← Δ − η Σ_r J_r J_r^+ Δ (002 §5.2: Δ̇ = −PΔ),
/// and each J_r J_r^+ is a projector, so λ_max(P) can reach m: stable steps need
/// η < 2/λ_max(P), η = O(1/m) for a wide net (002's convergence factor λ0 m/n).
///
/// Cost per step: one gradient plus O(m(nd + nd² + d³)) for the neuron blocks — meant for
/// small analysis problems. Time axis: the forward Euler step of the Newton flow
/// ẇ_r = −(J_rᵀJ_r)^{-1}J_rᵀΔ, t_k = kη. The library has no `ContinuousFlow` for the Newton
/// flow, so `matchingFlow` is nil (runners then use gradient flow, whose energy is the loss).
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
    public var matchingFlow: (any ContinuousFlow)? { nil }

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
    private let n: Int, d: Int, m: Int
    private let stepSize: Double
    private let relativeCutoff: Double
    /// X (n×d row-major).
    private let inputs: DoubleBuffer
    /// a_r² / m.
    private let blockScale: DoubleBuffer
    /// W (d×m, column r = w_r).
    private let w: DoubleBuffer
    private let gradientBuffer: DoubleBuffer
    private let velocityBuffer: DoubleBuffer
    private let eigen: SymmetricEigenWorkspace
    /// Eigen-coordinates of g_r.
    private let coordinates: DoubleBuffer
    private(set) var iteration = 0
    private(set) var gradientEvaluations = 0

    init(field: any Model, network: ReLUNetwork, initialPosition: [Double], stepSize: Double, relativeCutoff: Double) {
        self.field = field
        n = network.sampleCount
        d = network.dimension
        m = network.width
        self.stepSize = stepSize
        self.relativeCutoff = relativeCutoff
        inputs = DoubleBuffer(network.data.inputs.elements)
        let invM = 1 / Double(m)
        blockScale = DoubleBuffer(network.outputWeights.map { $0 * $0 * invM })
        w = DoubleBuffer(initialPosition)
        gradientBuffer = DoubleBuffer(count: d * m)
        velocityBuffer = DoubleBuffer(count: d * m)
        eigen = SymmetricEigenWorkspace(size: d)
        coordinates = DoubleBuffer(count: d)
    }

    var position: VectorView { w.readOnly }
    var velocity: VectorView { velocityBuffer.readOnly }

    func step() {
        let x = inputs.view, weights = w.view, g = gradientBuffer.view, vel = velocityBuffer.view
        let a = eigen.matrix.view, q = eigen.vectors.view, c = coordinates.view
        field.gradient(at: weights.readOnly, into: g)
        gradientEvaluations += 1
        let eta = stepSize
        for r in 0..<m {
            // A_r = (a_r²/m) Σ_{i active} x_i x_iᵀ (upper triangle, then mirrored).
            for k in 0..<(d * d) { a[k] = 0 }
            for i in 0..<n {
                var z = 0.0
                for k in 0..<d { z += x[i * d + k] * weights[k * m + r] }
                guard z >= 0 else { continue }
                for p in 0..<d {
                    let xp = x[i * d + p]
                    for s in p..<d { a[p * d + s] += xp * x[i * d + s] }
                }
            }
            let scale = blockScale[r]
            for p in 0..<d {
                for s in p..<d {
                    let value = scale * a[p * d + s]
                    a[p * d + s] = value
                    a[s * d + p] = value
                }
            }
            guard (try? eigen.decompose()) != nil else {
                // GSL fails only on non-finite input: poison the neuron so that the runner
                // reports the divergence.
                for p in 0..<d { weights[p * m + r] = .nan }
                continue
            }
            var largest = 0.0
            for k in 0..<d { largest = max(largest, eigen.eigenvalue(k)) }
            let cutoff = relativeCutoff * largest
            // c = diag(1/μ or 0) Qᵀ g_r.
            for k in 0..<d {
                let mu = eigen.eigenvalue(k)
                guard largest > 0, mu > cutoff else { c[k] = 0; continue }
                var s = 0.0
                for p in 0..<d { s += q[p * d + k] * g[p * m + r] }
                c[k] = s / mu
            }
            // w_r ← w_r − η Q c.
            for p in 0..<d {
                var s = 0.0
                for k in 0..<d { s += q[p * d + k] * c[k] }
                let delta = -eta * s
                vel[p * m + r] = delta / eta
                weights[p * m + r] += delta
            }
        }
        iteration += 1
    }
}
