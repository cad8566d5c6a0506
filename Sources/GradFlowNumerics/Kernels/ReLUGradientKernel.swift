/// The products of the two-layer ReLU network's weight gradient (002 eqs. 2.2, 3.6):
///
///     ∂L/∂w_r = (1/√m) a_r Σ_i Δ_i 1[w_rᵀx_i ≥ 0] x_i.
///
/// In matrix form Z = X W (n×m), S_ir = Δ_i a_r/√m · 1[Z_ir ≥ 0], ∇L = Xᵀ S: two GEMMs of
/// 2·n·m·d flops each plus one fused pass that forms f, Δ and the masked S in place.
/// W is d×m row-major (column r = w_r). The indicator follows the papers' convention
/// 1[z ≥ 0]. All workspaces are allocated once: `gradient(at:into:)` allocates nothing.
///
/// Sharing between the quantities of one state. A sample evaluates Δ, Δ̇, L̂ and the
/// pattern change at the same W, and a discrete method then takes the gradient at that W
/// again. `residual`, `residualRate`, `gradientNormSquared` and `changedActivations`
/// therefore keep Z = XW, and `gradientNormSquared` the gradient, tagged with a copy of the
/// W they belong to; a later call at a bitwise-equal W reuses them. `gradient(at:into:)` (the
/// integrators' right-hand side) only compares against the tag (failing at the first
/// differing entry) and never stores one, so it costs no extra copy. No call allocates an
/// n×m or d×m array.
public final class ReLUGradientKernel {
    public let n: Int, d: Int, m: Int
    /// X, n×d row-major.
    private let x: DoubleBuffer
    private let y: DoubleBuffer
    /// a_r / √m.
    private let scaledOutput: DoubleBuffer
    /// Z = XW, then S in place (n×m) in `gradient(at:into:)`; Z of `cachedWeights` when
    /// `preactivationsValid`.
    private let z: DoubleBuffer
    /// n×m scratch: S for a cached gradient, X V for `residualRate`.
    private let scratch: DoubleBuffer
    /// The W that `z` (and, when `gradientValid`, `cachedGradient`) belongs to.
    private let cachedWeights: DoubleBuffer
    private let cachedGradient: DoubleBuffer
    private var preactivationsValid = false
    private var gradientValid = false

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
        scratch = DoubleBuffer(count: n * m)
        cachedWeights = DoubleBuffer(count: d * m)
        cachedGradient = DoubleBuffer(count: d * m)
    }


    /// Z ← X W.
    @inline(__always)
    private func preactivations(_ w: VectorView) {
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d,
                  alpha: 1, a: UnsafePointer(x.base), lda: d, b: w.base, ldb: m,
                  beta: 0, c: z.base, ldc: m)
    }

    /// True when `cachedWeights` holds W bitwise (compared as bit patterns, so that −0 ≠ 0
    /// and NaN payloads match exactly as they would in a recomputation).
    @inline(__always)
    private func isCached(_ w: VectorView) -> Bool {
        guard preactivationsValid else { return false }
        let count = d * m
        return UnsafeRawPointer(w.base).withMemoryRebound(to: UInt64.self, capacity: count) { a in
            UnsafeRawPointer(cachedWeights.base).withMemoryRebound(to: UInt64.self, capacity: count) { b in
                var k = 0
                while k < count {
                    if a[k] != b[k] { return false }
                    k += 1
                }
                return true
            }
        }
    }

    /// Makes `z` hold X W, from the cache when W is the tagged state, and tags it.
    private func cachedPreactivations(_ w: VectorView) {
        if isCached(w) { return }
        preactivations(w)
        cachedWeights.base.update(from: w.base, count: d * m)
        preactivationsValid = true
        gradientValid = false
    }

    /// f_i = Σ_r (a_r/√m) σ(Z_ir) for row i of Z (`reluOutput`).
    @inline(__always)
    private func prediction(row i: Int) -> Double {
        Self.reluOutput(row: UnsafePointer(z.base + i * m), weights: UnsafePointer(scaledOutput.base), count: m)
    }

    /// Σ_r c_r max(z_r, 0) over one row of pre-activations, eight lanes at a time (the lane
    /// sums are added in a fixed order, so the result is the same on every run). Shared by
    /// every kernel that forms the network's output from Z.
    @inline(__always)
    static func reluOutput(row: UnsafePointer<Double>, weights: UnsafePointer<Double>, count m: Int) -> Double {
        let zi = UnsafeRawPointer(row), a = UnsafeRawPointer(weights)
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
            let v = row[r]
            f += weights[r] * (v > 0 ? v : 0)
            r += 1
        }
        return f
    }

    /// Writes row i of S = δ (a_r/√m) 1[Z_ir ≥ 0] into `target` (Z itself or a scratch).
    @inline(__always)
    private func maskRow(_ i: Int, residual delta: Double, into target: DoubleBuffer? = nil) {
        let source = UnsafeRawPointer(z.base + i * m)
        let zi = UnsafeMutableRawPointer((target ?? z).base + i * m), a = UnsafeRawPointer(scaledOutput.base)
        let stride = MemoryLayout<Double>.stride
        let d = SIMD8<Double>(repeating: delta)
        var r = 0
        while r + 8 <= m {
            let v = source.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            let w = a.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            zi.storeBytes(of: (d * w).replacing(with: 0, where: v .< 0), toByteOffset: r * stride, as: SIMD8<Double>.self)
            r += 8
        }
        let out = (target ?? z).base
        while r < m {
            let k = i * m + r
            out[k] = z.base[k] >= 0 ? delta * scaledOutput.base[r] : 0
            r += 1
        }
    }

    /// ½‖Δ‖² at the W of the last `gradient(at:into:)` (its residuals are formed anyway).
    public private(set) var lastGradientLoss = Double.nan

    public func gradient(at w: VectorView, into g: MutableVectorView) {
        if isCached(w) {
            if !gradientValid { fillCachedGradient() }
            g.base.update(from: cachedGradient.base, count: d * m)
            var s = 0.0
            for i in 0..<n {
                let e = prediction(row: i) - y.base[i]
                s += e * e
            }
            lastGradientLoss = 0.5 * s
            return
        }
        preactivations(w)
        preactivationsValid = false
        gradientValid = false
        var s = 0.0
        for i in 0..<n {
            let e = prediction(row: i) - y.base[i]
            s += e * e
            maskRow(i, residual: e)
        }
        lastGradientLoss = 0.5 * s
        // ∇L = Xᵀ S: (d×n)(n×m).
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n,
                  alpha: 1, a: UnsafePointer(x.base), lda: d, b: UnsafePointer(z.base), ldb: m,
                  beta: 0, c: g.base, ldc: m)
    }

    /// ∇L at the tagged W into `cachedGradient`, with S in the scratch so that Z stays.
    private func fillCachedGradient() {
        for i in 0..<n {
            maskRow(i, residual: prediction(row: i) - y.base[i], into: scratch)
        }
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n,
                  alpha: 1, a: UnsafePointer(x.base), lda: d, b: UnsafePointer(scratch.base), ldb: m,
                  beta: 0, c: cachedGradient.base, ldc: m)
        gradientValid = true
    }

    /// ‖∇L(W)‖²_F, summed entry by entry in storage order; the gradient is kept for a
    /// following `gradient(at:into:)` at the same W.
    public func gradientNormSquared(at w: VectorView) -> Double {
        cachedPreactivations(w)
        if !gradientValid { fillCachedGradient() }
        let g = cachedGradient.base
        var s = 0.0
        for k in 0..<(d * m) { s += g[k] * g[k] }
        return s
    }

    public func residual(at w: VectorView) -> [Double] {
        cachedPreactivations(w)
        return (0..<n).map { prediction(row: $0) - y.base[$0] }
    }

    /// Δ̇_i = Σ_r (a_r/√m) 1[w_rᵀx_i ≥ 0] x_iᵀẇ_r.
    public func residualRate(at w: VectorView, velocity v: VectorView) -> [Double] {
        cachedPreactivations(w)
        let xv = scratch.base
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d,
                  alpha: 1, a: UnsafePointer(x.base), lda: d, b: v.base, ldb: m,
                  beta: 0, c: xv, ldc: m)
        gradientValid = false   // the scratch held S
        var rate = [Double](repeating: 0, count: n)
        let a = UnsafeRawPointer(scaledOutput.base)
        let stride = MemoryLayout<Double>.stride
        for i in 0..<n {
            // Eight lanes in a fixed order, as in `prediction(row:)`.
            let zi = UnsafeRawPointer(z.base + i * m), xi = UnsafeRawPointer(xv + i * m)
            var lanes = SIMD8<Double>()
            var r = 0
            while r + 8 <= m {
                let zv = zi.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                let xr = xi.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                let av = a.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                lanes += (av * xr).replacing(with: 0, where: zv .< 0)
                r += 8
            }
            var s = lanes.sum()
            while r < m {
                if z.base[i * m + r] >= 0 { s += scaledOutput.base[r] * xv[i * m + r] }
                r += 1
            }
            rate[i] = s
        }
        return rate
    }

    /// The number of pairs (i, r) whose indicator 1[x_iᵀw_r ≥ 0] differs from that of the
    /// reference pre-activations Z0 = X W(0) (n×m row-major).
    public func changedActivations(at w: VectorView, reference z0: [Double]) -> Int {
        cachedPreactivations(w)
        var changed = 0
        for k in 0..<(n * m) where (z.base[k] >= 0) != (z0[k] >= 0) { changed += 1 }
        return changed
    }
}
