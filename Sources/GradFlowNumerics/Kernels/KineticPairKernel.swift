import Foundation

/// One pair's pre-activation at a time, for the kinetic solver's safe-time bounds: z, ż, the
/// forcing f = −c_r (K_i ∘ d_r)·Δ of z̈ + bż = f (HBF; for gradient flow ż = f, and both
/// fields hold it) and ‖K_i ∘ d_r‖.
public struct KineticPairValue: Sendable {
    public var z: Double
    public var rate: Double
    public var forcing: Double
    public var gramNorm: Double
}

/// The per-neuron state of the kinetic solver: every neuron's motion follows in
/// closed form from the global running integrals p, R of the errors (`KineticErrorSeries`).
///
/// HBF, 002 eq. 3.3 on W: ẅ_r + bẇ_r = −c_r Xᵀ(d_r ∘ Δ), c_r = a_r/√m, d_r the neuron's mask
/// column. With p' = Δ − bp, R' = p (p = R = 0 at t = 0) and a neuron last synced at t_e with
/// mask d_r, τ = t − t_e, φ(τ) = (1 − e^{−bτ})/b, variation of constants gives
///
///     ẇ_r(t) = e^{−bτ} β_r − c_r Xᵀ(d_r ∘ p(t)),     β_r = ẇ_r(t_e) + c_r Xᵀ(d_r ∘ p(t_e)),
///     w_r(t) = α_r + φ(τ) β_r − c_r Xᵀ(d_r ∘ R(t)),   α_r = w_r(t_e) + c_r Xᵀ(d_r ∘ R(t_e)),
///
/// and for one pair, with K = XXᵀ, z_ri = x_iᵀw_r = A_ri + φB_ri − c_r (K_i ∘ d_r)·R(t),
/// ż_ri = e^{−bτ}B_ri − c_r (K_i ∘ d_r)·p(t), A = Xα, B = Xβ: O(n) per pair. Gradient flow
/// (002 eq. 4.3, no sliding): R' = Δ, w_r(t) = α_r − c_r Xᵀ(d_r ∘ R(t)), β = B = 0.
///
/// When d_ir changes by δ = ±1 at t_s the neuron is first synced (α ← α + φβ, β ← e^{−bτ}β,
/// t_e ← t_s; A, B alike) and then α += δc_r R_i x_i, β += δc_r p_i x_i, A_r += δc_r R_i K_·i,
/// B_r += δc_r p_i K_·i: O(n + d) per switch, nothing is rescanned.
///
/// Layouts: α, β are d×m like W (entry j·m + r); A, B and the mask copy are m×n (neuron r's
/// n values contiguous, entry r·n + i).
public final class KineticPairKernel {
    public let n: Int, d: Int, m: Int
    public let order: Int
    /// The damping of the neurons' motion: HBF's constant b or Nesterov's γ/t
    /// (`KineticDamping`; φ and e^{−bτ} below become φ(t_e, t) and e(t_e, t)).
    public let damping: KineticDamping
    /// b for constant damping, 0 for γ/t.
    public var friction: Double {
        if case .constant(let b) = damping { return b }
        return 0
    }
    /// X (n×d) and K = XXᵀ (n×n), shared with the switching kernel.
    private let inputs: DoubleBuffer
    private let gram: DoubleBuffer
    /// c_r = a_r/√m.
    private let scaledOutput: DoubleBuffer
    public let alpha: DoubleBuffer
    public let beta: DoubleBuffer
    /// A = Xα (m×n); internal for the sliding correction (`KineticSlidingNeurons.rebase`).
    let pairA: DoubleBuffer
    private let pairB: DoubleBuffer
    /// d_r, m×n.
    private let masks: DoubleBuffer
    /// t_e per neuron.
    public private(set) var syncTimes: [Double]
    private let work: DoubleBuffer
    private let product: DoubleBuffer
    /// d_r ∘ R, d_r ∘ p, d_r ∘ Δ of the neuron being evaluated, and its pairs' values.
    private let neuronInputs: DoubleBuffer
    private let neuronSums: DoubleBuffer
    /// ‖K_i ∘ d_r‖² of every pair (m×n, entry r·n + i), kept up to date by `changeMask`
    /// (d_kr changing by δ adds δK_ik² to every i).
    private let pairGramSquares: DoubleBuffer
    private let neuronOutputs: DoubleBuffer

    /// `weights` (and `velocities`, HBF) are W(0), Ẇ(0) (d×m); `mask` is the pattern's n×m mask.
    public convenience init(kernel: ReLUSwitchingKernel, order: Int, friction: Double, weights: VectorView,
                            velocities: VectorView?, mask: VectorView) {
        self.init(kernel: kernel, order: order, damping: .constant(friction), weights: weights, velocities: velocities,
                  mask: mask)
    }

    /// The same with any damping (Nesterov: `.inverseTime(gamma:)`, the neurons synced at the
    /// run's start t0, from which `syncTimes` start).
    public init(kernel: ReLUSwitchingKernel, order: Int, damping: KineticDamping, weights: VectorView, velocities: VectorView?,
                mask: VectorView, startTime: Double = 0) {
        n = kernel.n
        d = kernel.d
        m = kernel.m
        self.order = order
        self.damping = damping
        inputs = kernel.inputs
        gram = kernel.gram
        scaledOutput = kernel.scaledOutput
        alpha = DoubleBuffer(count: d * m)
        beta = DoubleBuffer(count: d * m)
        alpha.base.update(from: weights.base, count: d * m)
        if let v = velocities, order == 2 { beta.base.update(from: v.base, count: d * m) }
        pairA = DoubleBuffer(count: n * m)
        pairB = DoubleBuffer(count: n * m)
        masks = DoubleBuffer(count: n * m)
        syncTimes = [Double](repeating: startTime, count: m)
        work = DoubleBuffer(count: n * m)
        product = DoubleBuffer(count: d * m)
        neuronInputs = DoubleBuffer(count: 3 * n)
        neuronSums = DoubleBuffer(count: 3 * n)
        pairGramSquares = DoubleBuffer(count: n * m)
        neuronOutputs = DoubleBuffer(count: 4 * n)
        for i in 0..<n { for r in 0..<m { masks.base[r * n + i] = mask.base[i * m + r] } }
        // ‖K_i ∘ d_r‖² = Σ_l d_lr K_il²: the m×n product D (K ∘ K).
        let squares = DoubleBuffer(count: n * n)
        for k in 0..<(n * n) { squares.base[k] = gram.base[k] * gram.base[k] }
        BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: n, alpha: 1, a: UnsafePointer(masks.base), lda: n,
                  b: UnsafePointer(squares.base), ldb: n, beta: 0, c: pairGramSquares.base, ldc: n)
        // A = αᵀXᵀ (m×n), B = βᵀXᵀ.
        BLAS.gemm(transposeA: true, transposeB: true, m: m, n: n, k: d, alpha: 1, a: UnsafePointer(alpha.base), lda: m,
                  b: UnsafePointer(inputs.base), ldb: d, beta: 0, c: pairA.base, ldc: n)
        BLAS.gemm(transposeA: true, transposeB: true, m: m, n: n, k: d, alpha: 1, a: UnsafePointer(beta.base), lda: m,
                  b: UnsafePointer(inputs.base), ldb: d, beta: 0, c: pairB.base, ldc: n)
    }

    /// φ(t_e, t) and e(t_e, t) of the damping (HBF: (1 − e^{−bτ})/b and e^{−bτ}); (0, 1) for
    /// gradient flow.
    @inline(__always) public func freeMotion(from te: Double, to t: Double) -> (phi: Double, decay: Double) {
        if order == 1 { return (0, 1) }
        return damping.freeMotion(from: te, to: t)
    }

    /// z, ż, the forcing and ‖K_i ∘ d_r‖ of pair (i, r) at time t, from R(t), p(t), Δ(t)
    /// (`integral` = R, `rate` = p; for gradient flow `rate` is ignored).
    public func evaluate(sample i: Int, neuron r: Int, at t: Double, integral: VectorView, rate: VectorView,
                         residual: VectorView) -> KineticPairValue {
        let (phi, decay) = freeMotion(from: syncTimes[r], to: t)
        let k = gram.base + i * n, mk = masks.base + r * n
        let rr = integral.base, pp = rate.base, dd = residual.base
        var sR = 0.0, sP = 0.0, sD = 0.0
        if order == 2 {
            // Four lanes at a time (a fixed order, so the result does not depend on the run).
            var vR = SIMD4<Double>(), vP = SIMD4<Double>(), vD = SIMD4<Double>()
            let kr = UnsafeRawPointer(k), mr = UnsafeRawPointer(mk), rr4 = UnsafeRawPointer(rr),
                pr4 = UnsafeRawPointer(pp), dr4 = UnsafeRawPointer(dd)
            let stride = MemoryLayout<Double>.stride
            var l = 0
            while l + 4 <= n {
                let o = l * stride
                let g = kr.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                    * mr.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                vR += g * rr4.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                vP += g * pr4.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                vD += g * dr4.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                l += 4
            }
            sR = vR.sum()
            sP = vP.sum()
            sD = vD.sum()
            while l < n {
                let g = k[l] * mk[l]
                sR += g * rr[l]
                sP += g * pp[l]
                sD += g * dd[l]
                l += 1
            }
        } else {
            for l in 0..<n {
                let g = k[l] * mk[l]
                sR += g * rr[l]
                sD += g * dd[l]
            }
        }
        let gg = max(pairGramSquares.base[r * n + i], 0)
        let c = scaledOutput.base[r]
        let a = pairA.base[r * n + i], b = pairB.base[r * n + i]
        if order == 2 {
            return KineticPairValue(z: a + phi * b - c * sR, rate: decay * b - c * sP, forcing: -c * sD,
                                    gramNorm: gg.squareRoot())
        }
        return KineticPairValue(z: a - c * sR, rate: -c * sD, forcing: -c * sD, gramNorm: gg.squareRoot())
    }

    /// `evaluate` from the series state y = (Δ, Δ̇, p, R) (HBF) or (Δ, R) (gradient flow), n
    /// values per block: with g = K_i ∘ d_r, the block sums y_b·g are one BLAS dgemv of the
    /// blocks×n matrix y (vectorized at the machine's width; the same result up to rounding).
    public func evaluate(sample i: Int, neuron r: Int, at t: Double, state y: VectorView) -> KineticPairValue {
        let (phi, decay) = freeMotion(from: syncTimes[r], to: t)
        let k = gram.base + i * n, mk = masks.base + r * n
        let g = neuronInputs.base, sums = neuronSums.base
        for l in 0..<n { g[l] = k[l] * mk[l] }
        let blocks = order == 2 ? 4 : 2
        BLAS.gemv(m: blocks, n: n, a: y.base, x: UnsafePointer(g), y: sums)
        let c = scaledOutput.base[r]
        let a = pairA.base[r * n + i]
        let gg = max(pairGramSquares.base[r * n + i], 0).squareRoot()
        if order == 2 {
            let b = pairB.base[r * n + i]
            return KineticPairValue(z: a + phi * b - c * sums[3], rate: decay * b - c * sums[2], forcing: -c * sums[0],
                                    gramNorm: gg)
        }
        return KineticPairValue(z: a - c * sums[1], rate: -c * sums[0], forcing: -c * sums[0], gramNorm: gg)
    }

    /// z, ż, the forcing and ‖K_i ∘ d_r‖ of all n pairs of neuron r at time t (the formulas
    /// of `evaluate` for one whole neuron): with U = d_r ∘ (R, p, Δ) (3×n), the three sums of
    /// every pair are the rows of U K, one BLAS dgemm of 6n² flops. Read the results with
    /// `neuronValue(_:)`.
    public func evaluateNeuron(_ r: Int, at t: Double, integral: VectorView, rate: VectorView, residual: VectorView) {
        let (phi, decay) = freeMotion(from: syncTimes[r], to: t)
        let mk = masks.base + r * n
        let u = neuronInputs.base
        let rr = integral.base, pp = rate.base, dd = residual.base
        for l in 0..<n {
            let g = mk[l]
            u[l] = g * rr[l]
            u[n + l] = order == 2 ? g * pp[l] : 0
            u[2 * n + l] = g * dd[l]
        }
        let sums = neuronSums.base
        BLAS.gemm(transposeA: false, transposeB: false, m: 3, n: n, k: n, alpha: 1, a: UnsafePointer(u), lda: n,
                  b: UnsafePointer(gram.base), ldb: n, beta: 0, c: sums, ldc: n)
        let c = scaledOutput.base[r]
        let out = neuronOutputs.base
        let gg = pairGramSquares.base + r * n
        for i in 0..<n {
            let sR = sums[i], sP = sums[n + i], sD = sums[2 * n + i]
            let a = pairA.base[r * n + i], b = pairB.base[r * n + i]
            if order == 2 {
                out[i] = a + phi * b - c * sR
                out[n + i] = decay * b - c * sP
                out[2 * n + i] = -c * sD
            } else {
                out[i] = a - c * sR
                out[n + i] = -c * sD
                out[2 * n + i] = -c * sD
            }
            out[3 * n + i] = max(gg[i], 0).squareRoot()
        }
    }

    /// Pair (i, r)'s value from the last `evaluateNeuron(r, …)`.
    @inline(__always) public func neuronValue(_ i: Int) -> KineticPairValue {
        let out = neuronOutputs.base
        return KineticPairValue(z: out[i], rate: out[n + i], forcing: out[2 * n + i], gramNorm: out[3 * n + i])
    }

    /// Syncs neuron r to t_s (α ← α + φβ, β ← e^{−bτ}β, and A, B alike), with its mask unchanged.
    public func sync(neuron r: Int, at t: Double) {
        let te = syncTimes[r]
        syncTimes[r] = t
        if order == 1 || t == te { return }
        let (phi, decay) = freeMotion(from: te, to: t)
        for j in 0..<d {
            let q = j * m + r
            alpha.base[q] += phi * beta.base[q]
            beta.base[q] *= decay
        }
        let a = pairA.base + r * n, b = pairB.base + r * n
        for i in 0..<n {
            a[i] += phi * b[i]
            b[i] *= decay
        }
    }

    /// Changes d_ir by δ = new − old on a neuron synced at the current time, with R_i(t_s)
    /// and p_i(t_s) (ignored for gradient flow).
    public func changeMask(sample i: Int, neuron r: Int, to value: Double, integral ri: Double, rate pi: Double) {
        let delta = value - masks.base[r * n + i]
        masks.base[r * n + i] = value
        if delta == 0 { return }
        let c = scaledOutput.base[r]
        let fa = delta * c * ri, fb = delta * c * pi
        let x = inputs.base + i * d
        for j in 0..<d { alpha.base[j * m + r] += fa * x[j] }
        let a = pairA.base + r * n, k = gram.base + i * n, gg = pairGramSquares.base + r * n
        for l in 0..<n {
            a[l] += fa * k[l]
            gg[l] += delta * (k[l] * k[l])
        }
        if order == 2 {
            for j in 0..<d { beta.base[j * m + r] += fb * x[j] }
            let b = pairB.base + r * n
            for l in 0..<n { b[l] += fb * k[l] }
        }
    }

    /// d_ir.
    @inline(__always) public func mask(sample i: Int, neuron r: Int) -> Double { masks.base[r * n + i] }

    /// W(t) and Ẇ(t), d×m, from R(t), p(t) and the n×m mask: W = α + φ_r β − Xᵀ(c ∘ D ∘ R),
    /// Ẇ = e^{−bτ_r} β − Xᵀ(c ∘ D ∘ p) (gradient flow: `rate` = Δ, β = 0): one GEMM of 2ndm
    /// flops each.
    public func materialize(at t: Double, integral: VectorView, rate: VectorView, mask: VectorView,
                            weights w: MutableVectorView, velocities v: MutableVectorView?) {
        let s = work.base
        for k in 0..<n {
            let rk = integral.base[k]
            for r in 0..<m { s[k * m + r] = scaledOutput.base[r] * mask.base[k * m + r] * rk }
        }
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: 1, a: UnsafePointer(inputs.base), lda: d,
                  b: UnsafePointer(s), ldb: m, beta: 0, c: product.base, ldc: m)
        var phis = [Double](repeating: 0, count: m), decays = [Double](repeating: 1, count: m)
        for r in 0..<m { (phis[r], decays[r]) = freeMotion(from: syncTimes[r], to: t) }
        for j in 0..<d {
            for r in 0..<m {
                let q = j * m + r
                w.base[q] = alpha.base[q] + phis[r] * beta.base[q] - product.base[q]
            }
        }
        // Ẇ: for gradient flow β = 0 and `rate` is Δ (ẇ_r = −c_r Xᵀ(d_r ∘ Δ)).
        guard let v else { return }
        for k in 0..<n {
            let pk = rate.base[k]
            for r in 0..<m { s[k * m + r] = scaledOutput.base[r] * mask.base[k * m + r] * pk }
        }
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: 1, a: UnsafePointer(inputs.base), lda: d,
                  b: UnsafePointer(s), ldb: m, beta: 0, c: product.base, ldc: m)
        for j in 0..<d {
            for r in 0..<m {
                let q = j * m + r
                v.base[q] = decays[r] * beta.base[q] - product.base[q]
            }
        }
    }
}
