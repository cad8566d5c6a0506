/// The products of Newton flow on a two-layer ReLU network's weights with every pair held in a
/// mode (002 §5.2; `NewtonPieceField` in GradFlow builds the per-neuron directions):
///
///     Z = X W (n×m),   f_i = Σ_r c_r s⁺_ir Z_ir,   Δ = f − y,   ẇ_r = D_r Δ,
///
/// with c_r = a_r/√m, s⁺_ir = 1 for held-active pairs and 0 otherwise, and D_r the d×n
/// direction of neuron r. W is d×m row-major (column r = w_r); the directions are stored as
/// one (d·m)×n row-major matrix (row p·m + r = row p of D_r), so that Ẇ = D Δ is one GEMV and
/// Z one GEMM. Nothing is allocated per call.
public final class NewtonPieceProducts {
    public let n: Int, d: Int, m: Int
    private let x: DoubleBuffer
    private let y: DoubleBuffer
    private let scale: DoubleBuffer
    /// Z of the last `update`.
    public let preactivations: DoubleBuffer
    /// Δ of the last `update`.
    public let residual: DoubleBuffer
    /// Ż = X V and Δ̇ of the last `updateRates`.
    public let preactivationRates: DoubleBuffer
    public let residualRate: DoubleBuffer
    /// Per pair: +1 held active, −1 held inactive, 0 pinned on its kink.
    private let sides: DoubleBuffer
    /// Per pair: c_r when held active, else 0 (f_i is row i of this times Z, summed).
    private let weightedActive: DoubleBuffer
    private let directions: DoubleBuffer

    /// X (n×d row-major), y, c_r = a_r/√m.
    public init(inputs: [Double], targets: [Double], scales: [Double]) {
        n = targets.count
        m = scales.count
        d = n > 0 ? inputs.count / n : 0
        x = DoubleBuffer(inputs)
        y = DoubleBuffer(targets)
        scale = DoubleBuffer(scales)
        preactivations = DoubleBuffer(count: n * m)
        residual = DoubleBuffer(count: n)
        preactivationRates = DoubleBuffer(count: n * m)
        residualRate = DoubleBuffer(count: n)
        sides = DoubleBuffer(count: n * m)
        weightedActive = DoubleBuffer(count: n * m)
        directions = DoubleBuffer(count: d * m * n)
    }

    /// Holds pair k = i·m + r on side +1 (active), −1 (inactive) or 0 (pinned).
    public func setSide(pair k: Int, _ side: Double) {
        sides.base[k] = side
        weightedActive.base[k] = side > 0 ? scale.base[k % m] : 0
    }

    /// Row p of D_r ← block[p·n ..< (p + 1)·n] for p < d (block d×n row-major).
    public func setDirection(neuron r: Int, block: [Double]) {
        precondition(block.count == d * n)
        for p in 0..<d {
            let row = directions.base + (p * m + r) * n
            for i in 0..<n { row[i] = block[p * n + i] }
        }
    }

    /// Z ← X W and Δ with the held sides.
    public func update(weights w: VectorView) {
        let z = preactivations.base
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1, a: UnsafePointer(x.base), lda: d,
                  b: w.base, ldb: m, beta: 0, c: z, ldc: m)
        for i in 0..<n {
            let row = i * m
            let f = BLAS.dot(UnsafePointer(weightedActive.base + row), UnsafePointer(z + row), count: m)
            residual.base[i] = f - y.base[i]
        }
    }

    /// Ż ← X V and Δ̇ (with the held sides) for a velocity V = Ẇ.
    public func updateRates(velocity v: VectorView) {
        let z = preactivationRates.base
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1, a: UnsafePointer(x.base), lda: d,
                  b: v.base, ldb: m, beta: 0, c: z, ldc: m)
        for i in 0..<n {
            let row = i * m
            residualRate.base[i] = BLAS.dot(UnsafePointer(weightedActive.base + row), UnsafePointer(z + row), count: m)
        }
    }

    /// Ẇ ← D Δ at the Δ of the last `update`.
    public func velocity(into out: MutableVectorView) {
        BLAS.gemv(m: d * m, n: n, a: UnsafePointer(directions.base), x: UnsafePointer(residual.base), y: out.base)
    }

    /// The held-active or held-inactive pairs k with side·z_k + band < 0 at the last `update`,
    /// in increasing k.
    public func pairsOffTheirSides(band: Double) -> [Int] {
        let z = preactivations.base, s = sides.base
        var off: [Int] = []
        for k in 0..<(n * m) where s[k] != 0 && s[k] * z[k] + band < 0 { off.append(k) }
        return off
    }

    /// ρ·Δ at the Δ of the last `update` (ρ has n values).
    public func dotResidual(_ row: [Double]) -> Double {
        precondition(row.count == n)
        var t = 0.0
        for j in 0..<n { t += row[j] * residual.base[j] }
        return t
    }

    /// ρ·Δ̇ at the Δ̇ of the last `updateRates`.
    public func dotResidualRate(_ row: [Double]) -> Double {
        precondition(row.count == n)
        var t = 0.0
        for j in 0..<n { t += row[j] * residualRate.base[j] }
        return t
    }
}
