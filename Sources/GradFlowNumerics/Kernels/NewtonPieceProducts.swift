/// The products of Newton flow on a two-layer ReLU network's weights with every pair held in a
/// mode (002 §5.2; `NewtonPieceField` in GradFlow builds the per-neuron inverses):
///
///     Z = X W (n×m),   f_i = Σ_r c_r s⁺_ir Z_ir,   Δ = f − y,
///     Ẇ = per neuron M_r (Xᵀ S)_r,   S_ir = c_r s⁺_ir Δ_i,
///
/// with c_r = a_r/√m, s⁺_ir = 1 for held-active pairs and 0 otherwise, and M_r the d×d matrix
/// of neuron r (−(1/c_r²) times its restricted pseudo-inverse, so that ẇ_r = −A_r^+J_rᵀΔ off
/// the kinks). W is d×m row-major (column r = w_r); the M_r are stored entry-major (entry
/// (p, q) of every neuron contiguous), so that the last product runs over r in unit stride. Z
/// and XᵀS are GEMMs; nothing is allocated per call.
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
    /// M_r, entry (p, q) of neuron r at (p·d + q)·m + r.
    private let inverses: DoubleBuffer
    /// diag(Δ) X (n×d) and XᵀS (d×m).
    private let scaledInputs: DoubleBuffer
    private let gradient: DoubleBuffer

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
        inverses = DoubleBuffer(count: d * d * m)
        scaledInputs = DoubleBuffer(count: n * d)
        gradient = DoubleBuffer(count: d * m)
    }

    /// Holds pair k = i·m + r on side +1 (active), −1 (inactive) or 0 (pinned).
    public func setSide(pair k: Int, _ side: Double) {
        sides.base[k] = side
        weightedActive.base[k] = side > 0 ? scale.base[k % m] : 0
    }

    /// M_r ← block (d×d row-major).
    public func setInverse(neuron r: Int, block: [Double]) {
        precondition(block.count == d * d)
        for e in 0..<(d * d) { inverses.base[e * m + r] = block[e] }
    }

    /// Z ← X W and Δ with the held sides.
    public func update(weights w: VectorView) {
        heldOutputs(of: w, into: preactivations, sums: residual)
        for i in 0..<n { residual.base[i] -= y.base[i] }
    }

    /// Ż ← X V and Δ̇ (with the held sides) for a velocity V = Ẇ.
    public func updateRates(velocity v: VectorView) {
        heldOutputs(of: v, into: preactivationRates, sums: residualRate)
    }

    /// out ← X W (n×m) and sums_i = Σ_r (c_r · held side of pair (i, r)) out_ir: one GEMM and
    /// n dot products.
    private func heldOutputs(of w: VectorView, into out: DoubleBuffer, sums: DoubleBuffer) {
        let z = out.base
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1, a: UnsafePointer(x.base), lda: d,
                  b: w.base, ldb: m, beta: 0, c: z, ldc: m)
        for i in 0..<n {
            let row = i * m
            sums.base[i] = BLAS.dot(UnsafePointer(weightedActive.base + row), UnsafePointer(z + row), count: m)
        }
    }

    /// Ẇ ← per neuron M_r (XᵀS)_r at the Δ of the last `update`.
    public func velocity(into out: MutableVectorView) {
        // XᵀS = (diag(Δ) X)ᵀ (c_r s⁺_ir): scaling X's n rows instead of S's n·m entries.
        let sx = scaledInputs.base, g = gradient.base, o = out.base
        for i in 0..<n {
            let delta = residual.base[i]
            for p in 0..<d { sx[i * d + p] = delta * x.base[i * d + p] }
        }
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: 1, a: UnsafePointer(sx), lda: d,
                  b: UnsafePointer(weightedActive.base), ldb: m, beta: 0, c: g, ldc: m)
        let chunks = m / 8
        for p in 0..<d {
            let outRow = o + p * m
            // ẇ_pr = Σ_q M_r[p, q] g_qr, eight neurons at a time.
            for c in 0..<chunks {
                let r0 = c * 8
                var sum = SIMD8<Double>()
                for q in 0..<d {
                    let entry = UnsafeRawPointer(inverses.base + (p * d + q) * m + r0)
                    let gRow = UnsafeRawPointer(g + q * m + r0)
                    sum += entry.loadUnaligned(as: SIMD8<Double>.self) * gRow.loadUnaligned(as: SIMD8<Double>.self)
                }
                UnsafeMutableRawPointer(outRow + r0).storeBytes(of: sum, as: SIMD8<Double>.self)
            }
            for r in (chunks * 8)..<m {
                var sum = 0.0
                for q in 0..<d { sum += inverses.base[(p * d + q) * m + r] * g[q * m + r] }
                outRow[r] = sum
            }
        }
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
