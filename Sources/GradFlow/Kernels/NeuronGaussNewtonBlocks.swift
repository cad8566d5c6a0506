/// The per-neuron Gauss–Newton blocks of the two-layer ReLU network (002 §5.2): with
/// J_r = ∂f/∂w_r ∈ R^{n×d}, row i = (a_r/√m) 1[w_rᵀx_i ≥ 0] x_iᵀ,
///
///     A_r = J_rᵀJ_r = (a_r²/m) Σ_{i: w_rᵀx_i ≥ 0} x_i x_iᵀ   (d×d),
///
/// the minimum-norm solves A_r^+ g_r behind the Gauss–Newton step and the Newton flow
/// ẇ_r = −A_r^+ ∂L/∂w_r, and the error-space matrix P = Σ_r J_r A_r^+ J_rᵀ = Σ_r J_r J_r^+ of
/// Δ̇ = −PΔ (a sum of m orthogonal projectors onto range(J_r), each of rank ≤ min(d, #active)).
///
/// The pseudo-inverse comes from GSL's symmetric eigensolver on A_r (one preallocated
/// workspace, so nothing is allocated per neuron), keeping the eigenvalues
/// μ > `relativeCutoff`·μ_max: A_r's zero eigenvalues come out at about ε·μ_max, and since
/// κ(A_r) = κ(J_r)², a cutoff of 1e-10 drops the directions where σ(J_r) < 1e-5·σ_max.
/// The pattern 1[w_rᵀx_i ≥ 0] is a plain dot product, which may disagree with the BLAS
/// pre-activations of the gradient only for z within rounding of 0.
///
/// A_r^+ depends only on neuron r's activation pattern. With `cached`, each neuron keeps its
/// pattern and A_r^+ (m·d² values, so only when that is at most `cacheLimit`) and decomposes
/// again only when its pattern has changed: a flow's right-hand side then costs O(m(nd + d²))
/// between switches instead of m eigen-decompositions.
final class NeuronGaussNewtonBlocks {
    /// The largest m·d² for which pseudo-inverses are cached (16M doubles, 128 MB).
    static let cacheLimit = 1 << 24
    let n: Int, d: Int, m: Int
    /// Eigenvalues at most this fraction of A_r's largest are treated as zero.
    let relativeCutoff: Double
    /// X (n×d row-major).
    private let inputs: DoubleBuffer
    /// a_r² / m.
    private let blockScale: DoubleBuffer
    private let eigen: SymmetricEigenWorkspace
    /// Eigen-coordinates of g_r.
    private let coordinates: DoubleBuffer

    /// Per neuron: the pattern A_r^+ was computed for (n flags) and A_r^+ (d×d); empty when
    /// not cached.
    private var cachedPatterns: [Bool] = []
    private var cachedInverses: [Double] = []
    private var cachedValid: [Bool] = []
    private var pattern: [Bool]

    init(network: ReLUNetwork, relativeCutoff: Double = 1e-10, cached: Bool = false) {
        n = network.sampleCount
        d = network.dimension
        m = network.width
        self.relativeCutoff = relativeCutoff
        inputs = DoubleBuffer(network.data.inputs.elements)
        let invM = 1 / Double(m)
        blockScale = DoubleBuffer(network.outputWeights.map { $0 * $0 * invM })
        eigen = SymmetricEigenWorkspace(size: d)
        coordinates = DoubleBuffer(count: d)
        pattern = [Bool](repeating: false, count: n)
        if cached, m * d * d <= Self.cacheLimit {
            cachedPatterns = [Bool](repeating: false, count: m * n)
            cachedInverses = [Double](repeating: 0, count: m * d * d)
            cachedValid = [Bool](repeating: false, count: m)
        }
    }

    /// Decomposes A_r at the weights W (d×m, column r = w_r); returns the cutoff below which
    /// eigenvalues count as zero, or nil when GSL fails (only on non-finite weights).
    private func decompose(neuron r: Int, weights: VectorView) -> Double? {
        let x = inputs.view, a = eigen.matrix.view
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
        guard (try? eigen.decompose()) != nil else { return nil }
        var largest = 0.0
        for k in 0..<d { largest = max(largest, eigen.eigenvalue(k)) }
        return largest > 0 ? relativeCutoff * largest : .infinity
    }

    /// Column r of `solution` (d×m row-major) = A_r^+ g_r, with g the d×m gradient ∂L/∂W; a
    /// neuron whose block cannot be decomposed gets NaN, so that a run reports the divergence.
    func solve(weights: VectorView, gradient g: VectorView, into solution: MutableVectorView) {
        if !cachedValid.isEmpty { return solveCached(weights: weights, gradient: g, into: solution) }
        let q = eigen.vectors.view, c = coordinates.view
        for r in 0..<m {
            guard let cutoff = decompose(neuron: r, weights: weights) else {
                for p in 0..<d { solution[p * m + r] = .nan }
                continue
            }
            // c = diag(1/μ or 0) Qᵀ g_r.
            for k in 0..<d {
                let mu = eigen.eigenvalue(k)
                guard mu > cutoff else { c[k] = 0; continue }
                var s = 0.0
                for p in 0..<d { s += q[p * d + k] * g[p * m + r] }
                c[k] = s / mu
            }
            // A_r^+ g_r = Q c.
            for p in 0..<d {
                var s = 0.0
                for k in 0..<d { s += q[p * d + k] * c[k] }
                solution[p * m + r] = s
            }
        }
    }

    /// `solve` with each neuron's A_r^+ = Σ_{μ_k kept} q_k q_kᵀ/μ_k reused while its pattern
    /// is unchanged.
    private func solveCached(weights: VectorView, gradient g: VectorView, into solution: MutableVectorView) {
        let x = inputs.view, q = eigen.vectors.view
        for r in 0..<m {
            var same = cachedValid[r]
            for i in 0..<n {
                var z = 0.0
                for k in 0..<d { z += x[i * d + k] * weights[k * m + r] }
                pattern[i] = z >= 0
                if pattern[i] != cachedPatterns[r * n + i] { same = false }
            }
            let base = r * d * d
            if !same {
                guard let cutoff = decompose(neuron: r, weights: weights) else {
                    cachedValid[r] = false
                    for p in 0..<d { solution[p * m + r] = .nan }
                    continue
                }
                for p in 0..<d {
                    for s in 0..<d {
                        var v = 0.0
                        for k in 0..<d {
                            let mu = eigen.eigenvalue(k)
                            if mu > cutoff { v += q[p * d + k] * q[s * d + k] / mu }
                        }
                        cachedInverses[base + p * d + s] = v
                    }
                }
                for i in 0..<n { cachedPatterns[r * n + i] = pattern[i] }
                cachedValid[r] = true
            }
            for p in 0..<d {
                var v = 0.0
                for s in 0..<d { v += cachedInverses[base + p * d + s] * g[s * m + r] }
                solution[p * m + r] = v
            }
        }
    }

    /// P(W) = Σ_r J_r A_r^+ J_rᵀ (n×n, symmetric positive semi-definite; 002 §5.2), summed
    /// as Σ_r Σ_{μ_k kept} u uᵀ with u_i = √(a_r²/(m μ_k)) 1[w_rᵀx_i ≥ 0] x_iᵀq_k. Throws on
    /// non-finite weights.
    func newtonKernel(weights: VectorView) throws -> DenseMatrix {
        let x = inputs.view, q = eigen.vectors.view
        var p = DenseMatrix(rows: n, columns: n)
        var u = [Double](repeating: 0, count: n)
        var active = [Bool](repeating: false, count: n)
        for r in 0..<m {
            guard let cutoff = decompose(neuron: r, weights: weights) else {
                throw InputError("weights", value: "NaN or Inf", allowed: "P(W) needs finite weights")
            }
            for i in 0..<n {
                var z = 0.0
                for k in 0..<d { z += x[i * d + k] * weights[k * m + r] }
                active[i] = z >= 0
            }
            for k in 0..<d {
                let mu = eigen.eigenvalue(k)
                guard mu > cutoff else { continue }
                let scale = (blockScale[r] / mu).squareRoot()
                for i in 0..<n {
                    guard active[i] else { u[i] = 0; continue }
                    var s = 0.0
                    for l in 0..<d { s += x[i * d + l] * q[l * d + k] }
                    u[i] = scale * s
                }
                for i in 0..<n where u[i] != 0 {
                    for j in i..<n { p[i, j] += u[i] * u[j] }
                }
            }
        }
        for i in 0..<n { for j in 0..<i { p[i, j] = p[j, i] } }
        return p
    }
}
