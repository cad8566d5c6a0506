/// The products of the two-layer ReLU network's weight gradient (002 eqs. 2.2, 3.6):
///
///     ∂L/∂w_r = (1/√m) a_r Σ_i Δ_i 1[w_rᵀx_i ≥ 0] x_i.
///
/// In matrix form Z = X W (n×m), S_ir = Δ_i a_r/√m · 1[Z_ir ≥ 0], ∇L = Xᵀ S: two GEMMs of
/// 2·n·m·d flops each plus one fused pass that forms f, Δ and the masked S in place.
/// W is d×m row-major (column r = w_r). The indicator follows the papers' convention
/// 1[z ≥ 0]. All workspaces are allocated once: `gradient(at:into:)` allocates nothing.
public final class ReLUGradientKernel {
    public let n: Int, d: Int, m: Int
    /// X, n×d row-major.
    private let x: DoubleBuffer
    private let y: DoubleBuffer
    /// a_r / √m.
    private let scaledOutput: DoubleBuffer
    /// Z = XW, then S in place (n×m).
    private let z: DoubleBuffer

    /// X (n×d, row i = x_i), y and the output weights a.
    public init(inputs: DenseMatrix, targets: [Double], outputWeights: [Double]) {
        n = inputs.rows
        d = inputs.columns
        m = outputWeights.count
        x = DoubleBuffer(inputs.elements)
        y = DoubleBuffer(targets)
        let s = 1 / Double(m).squareRoot()
        scaledOutput = DoubleBuffer(outputWeights.map { $0 * s })
        z = DoubleBuffer(count: n * m)
    }


    /// Z ← X W.
    @inline(__always)
    private func preactivations(_ w: VectorView) {
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d,
                  alpha: 1, a: UnsafePointer(x.base), lda: d, b: w.base, ldb: m,
                  beta: 0, c: z.base, ldc: m)
    }

    /// f_i = Σ_r (a_r/√m) σ(Z_ir) for row i of Z, eight lanes at a time (the lane sums are
    /// added in a fixed order, so the result is the same on every run).
    @inline(__always)
    private func prediction(row i: Int) -> Double {
        let zi = UnsafeRawPointer(z.base + i * m), a = UnsafeRawPointer(scaledOutput.base)
        let stride = MemoryLayout<Double>.stride
        var lanes = SIMD8<Double>()
        var r = 0
        while r + 8 <= m {
            let v = zi.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            let w = a.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            lanes += w * v.replacing(with: 0, where: v .< 0)
            r += 8
        }
        var f = lanes.sum()
        while r < m {
            let v = z.base[i * m + r]
            f += scaledOutput.base[r] * (v > 0 ? v : 0)
            r += 1
        }
        return f
    }

    /// Overwrites row i of Z with S_ir = δ (a_r/√m) 1[Z_ir ≥ 0].
    @inline(__always)
    private func maskRow(_ i: Int, residual delta: Double) {
        let zi = UnsafeMutableRawPointer(z.base + i * m), a = UnsafeRawPointer(scaledOutput.base)
        let stride = MemoryLayout<Double>.stride
        let d = SIMD8<Double>(repeating: delta)
        var r = 0
        while r + 8 <= m {
            let v = zi.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            let w = a.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            zi.storeBytes(of: (d * w).replacing(with: 0, where: v .< 0), toByteOffset: r * stride, as: SIMD8<Double>.self)
            r += 8
        }
        while r < m {
            let k = i * m + r
            z.base[k] = z.base[k] >= 0 ? delta * scaledOutput.base[r] : 0
            r += 1
        }
    }

    public func gradient(at w: VectorView, into g: MutableVectorView) {
        preactivations(w)
        for i in 0..<n {
            maskRow(i, residual: prediction(row: i) - y.base[i])
        }
        // ∇L = Xᵀ S: (d×n)(n×m).
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n,
                  alpha: 1, a: UnsafePointer(x.base), lda: d, b: UnsafePointer(z.base), ldb: m,
                  beta: 0, c: g.base, ldc: m)
    }

    public func residual(at w: VectorView) -> [Double] {
        preactivations(w)
        return (0..<n).map { prediction(row: $0) - y.base[$0] }
    }

    /// Δ̇_i = Σ_r (a_r/√m) 1[w_rᵀx_i ≥ 0] x_iᵀẇ_r.
    public func residualRate(at w: VectorView, velocity v: VectorView) -> [Double] {
        preactivations(w)
        var xv = [Double](repeating: 0, count: n * m)
        xv.withMutableView { out in
            BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d,
                      alpha: 1, a: UnsafePointer(x.base), lda: d, b: v.base, ldb: m,
                      beta: 0, c: out.base, ldc: m)
        }
        var rate = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for r in 0..<m where z.base[i * m + r] >= 0 { s += scaledOutput.base[r] * xv[i * m + r] }
            rate[i] = s
        }
        return rate
    }

    /// The number of pairs (i, r) whose indicator 1[x_iᵀw_r ≥ 0] differs from that of the
    /// reference pre-activations Z0 = X W(0) (n×m row-major).
    public func changedActivations(at w: VectorView, reference z0: [Double]) -> Int {
        preactivations(w)
        var changed = 0
        for k in 0..<(n * m) where (z.base[k] >= 0) != (z0[k] >= 0) { changed += 1 }
        return changed
    }
}
