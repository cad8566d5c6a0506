import Foundation

/// The dense phase of `KineticIterationKernel`: the first iterations of GD / heavy ball run
/// as the plain recurrence (002 eq. 3.1, w_{−1} = w_0)
///
///     W_{k+1} = W_k − η∇L(W_k) + β(W_k − W_{k−1}),   ∇L = Xᵀ S_k,  S_k = (Δ_k c_rᵀ) ∘ 1[X W_k ≥ 0],
///
/// two n·m·d GEMMs and one fused pass per iteration, and hand over to the kinetic iterations
/// once few pairs lie near their kinks.
///
/// Why: while the loss is large, the pairs' forcing bounds are large against their margins, and
/// a large part of the n·m pairs comes due at every kinetic iteration (on the peers' medium
/// problem, n = 256, d = 64, m = 4096, about 30% of them in the first 15 heavy-ball
/// iterations). Each costs an O(n) masked dot product, so such an iteration costs several
/// times the two GEMMs. Later, when the errors have decayed, a kinetic iteration checks a few
/// hundred pairs and costs O(n²).
///
/// The hand-over starts the kinetic representation at the current iterate with its momentum:
/// α = W_k, b = W_k − W_{k−1}, A = X W_k, B = X b, p = R = 0, and E_k = Σ_r c_r d_r ∘ B_r (the
/// change of the output under the current mask, as the kinetic recurrence defines it). That is
/// the kernel's start at W_0 with w_{−1} = W_{k−1} instead of w_0: exact, at the cost of one
/// GEMM for B, one for H_S and one pass keying every pair.
extension KineticIterationKernel {
    /// When the iterations leave the dense phase.
    public enum DensePhase: Sendable, Equatable {
        /// When the pairs near their kinks (see `leavesDensePhase`) are few enough that checking
        /// them costs less than the two GEMMs of a dense iteration.
        case automatic
        /// Kinetic from the start.
        case none
        /// After exactly this many dense iterations.
        case iterations(Int)
    }

    /// One dense iteration: G = Xᵀ S_k, W_{k+1} = W_k − ηG + β(W_k − W_{k−1}) (in that order),
    /// Z = X W_{k+1}, then Δ, S and the flips in one pass; hands over when `leavesDensePhase`.
    func denseStep() {
        iteration += 1
        guard isFinite else { return }
        let count = d * m
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: 1, a: UnsafePointer(inputs.base), lda: d,
                  b: UnsafePointer(rescan.base), ldb: m, beta: 0, c: denseNext.base, ldc: m)
        let w = denseWeights.base, previous = densePrevious.base, out = denseNext.base, eta = stepSize
        if hasMomentum {
            let beta = momentum
            for e in 0..<count {
                let g = w[e] - eta * out[e]
                out[e] = g + beta * (w[e] - previous[e])
            }
        } else {
            for e in 0..<count { out[e] = w[e] - eta * out[e] }
        }
        let oldPrevious = densePrevious
        densePrevious = denseWeights
        denseWeights = denseNext
        denseNext = oldPrevious
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1, a: UnsafePointer(inputs.base), lda: d,
                  b: UnsafePointer(denseWeights.base), ldb: m, beta: 0, c: spread.base, ldc: m)
        denseIterations += 1
        denseRowPass(countingFlips: true)
        if isFinite && leavesDensePhase() {
            beginKineticPhase()
            }
    }

    /// From Z = X W_k in `spread`: f_i = Σ_r c_r max(Z_ir, 0), Δ_k, the masks (counting the
    /// pairs that changed side), S_k = (Δ_k c_rᵀ) ∘ 1[Z ≥ 0] into `rescan`, the loss, and the
    /// pairs with |Z_ir| below `nearThreshold` (whose values come from the previous Δ).
    func denseRowPass(countingFlips: Bool) {
        let stride = MemoryLayout<Double>.stride
        let c = UnsafeRawPointer(scaled.base), zero = SIMD8<Double>()
        var near = 0, changed = 0
        for i in 0..<n {
            let zi = UnsafeRawPointer(spread.base + i * m), maskRow = denseMasks + i * m
            let tau = nearThreshold.base[i]
            let f = ReLUGradientKernel.reluOutput(row: spread.base + i * m, weights: scaled.base, count: m)
            let delta = f - targets.base[i]
            errors.base[i] = delta
            let zs = spread.base + i * m, s = UnsafeMutableRawPointer(rescan.base + i * m)
            let maskBytes = UnsafeMutableRawPointer(maskRow)
            let deltas = SIMD8<Double>(repeating: delta), taus = SIMD8<Double>(repeating: tau)
            let ones = SIMD8<UInt8>(repeating: 1), noBytes = SIMD8<UInt8>()
            var changedLanes = SIMD8<UInt8>(), nearLanes = SIMD8<Int64>()
            var block = 0
            var r = 0
            while r + 8 <= m {
                let z = zi.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                let negative = z .< zero
                let active = SIMD8<UInt8>(truncatingIfNeeded: SIMD8<Int64>(repeating: 1).replacing(with: 0, where: negative))
                let old = maskBytes.loadUnaligned(fromByteOffset: r, as: SIMD8<UInt8>.self)
                changedLanes &+= ones.replacing(with: noBytes, where: old .== active)
                maskBytes.storeBytes(of: active, toByteOffset: r, as: SIMD8<UInt8>.self)
                nearLanes &+= SIMD8<Int64>(repeating: 1).replacing(with: 0, where: z.replacing(with: -z, where: negative) .>= taus)
                let value = deltas * c.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                s.storeBytes(of: value.replacing(with: zero, where: negative), toByteOffset: r * stride, as: SIMD8<Double>.self)
                r += 8
                block += 1
                if block == 255 {
                    // UInt8 lanes count at most 255 changes each.
                    changed += Int(SIMD8<Int64>(truncatingIfNeeded: changedLanes).wrappedSum())
                    changedLanes = SIMD8<UInt8>()
                    block = 0
                }
            }
            changed += Int(SIMD8<Int64>(truncatingIfNeeded: changedLanes).wrappedSum())
            near += Int(nearLanes.wrappedSum())
            while r < m {
                let z = zs[r]
                let active: UInt8 = z >= 0 ? 1 : 0
                if maskRow[r] != active { changed += 1 }
                maskRow[r] = active
                if abs(z) < tau { near += 1 }
                rescan.base[i * m + r] = active != 0 ? delta * scaled.base[r] : 0
                r += 1
            }
        }
        if countingFlips { flips += changed }
        nearKinks = near
        loss = 0.5 * Self.sumOfSquares(errors.base, n)
        if !loss.isFinite { isFinite = false }
        recentLosses.base[iteration % Self.recentLossCount] = loss
        // The next pass counts against the pairs' forcing bound at this Δ: a pair moves at most
        // q_i = 1.5 η |c| max(T⁺_i, T⁻_i) per iteration, q_i/(1 − β) with momentum; near is
        // within two such moves.
        let scale = 2 * 1.5 * stepSize * largestOutputWeight / (1 - momentum)
        for i in 0..<n {
            let (tp, tm) = forcingSums(sample: i)
            nearThreshold.base[i] = scale * max(tp, tm)
        }
    }

    /// True when the dense phase ends at this iterate. Automatic: a kinetic iteration checks
    /// about the pairs within two forcing steps of their kink (`nearKinks`), at O(n) each,
    /// against the 4·n·m·d flops of a dense one. A masked dot product runs at about 1/16 of
    /// dgemm's rate per flop (measured on the medium problem: about 150 ns for n = 256 against
    /// 6.9 ms for a dense iteration), so a kinetic iteration is the cheaper one once
    /// near·2n·16 < 4·n·m·d, i.e. near < m·d/8. The hand-over itself costs about five dense
    /// iterations (two GEMMs and keying every pair), so it waits for half that count, m·d/16.
    func leavesDensePhase() -> Bool {
        guard isFinite else { return false }
        switch densePhase {
        case .none: return true
        case .iterations(let k): return denseIterations >= k
        case .automatic: return nearKinks < m * d / 16
        }
    }

    /// out (columns×rows) = in (rows×columns)ᵀ, both row-major, in 32×32 tiles.
    static func transpose(_ source: UnsafePointer<Double>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Double>) {
        let tile = 32
        var i0 = 0
        while i0 < rows {
            let i1 = min(i0 + tile, rows)
            var j0 = 0
            while j0 < columns {
                let j1 = min(j0 + tile, columns)
                for i in i0..<i1 {
                    for j in j0..<j1 { out[j * rows + i] = source[i * columns + j] }
                }
                j0 = j1
            }
            i0 = i1
        }
    }

    /// Starts the kinetic representation at W_k with momentum W_k − W_{k−1} (see the type's
    /// comment); Δ_k is the dense pass's.
    func beginKineticPhase() {
        isDense = false
        let w = denseWeights.base, previous = densePrevious.base, z = spread.base
        let a = pairA.base, mask = masks, c = scaled.base
        Self.transpose(w, rows: d, columns: m, into: alpha.base)
        Self.transpose(z, rows: n, columns: m, into: a)
        for e in 0..<(n * m) { mask[e] = a[e] >= 0 ? 1 : 0 }
        for i in 0..<n { errorStep.base[i] = 0 }
        var moving = false
        if hasMomentum {
            for e in 0..<(d * m) where w[e] != previous[e] {
                moving = true
                break
            }
        }
        if moving {
            // b = W_k − W_{k−1}, B = X b (into `spread`, free now), E_k = Σ_r c_r d_r ∘ B_r.
            let b = denseNext.base
            for e in 0..<(d * m) { b[e] = w[e] - previous[e] }
            Self.transpose(b, rows: d, columns: m, into: drift.base)
            BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1, a: UnsafePointer(inputs.base), lda: d,
                      b: UnsafePointer(b), ldb: m, beta: 0, c: z, ldc: m)
            Self.transpose(z, rows: n, columns: m, into: pairB.base)
            let e = errorStep.base, bb = pairB.base
            for r in 0..<m {
                let cr = c[r], row = r * n
                for i in 0..<n where mask[row + i] != 0 { e[i] += cr * bb[row + i] }
            }
        } else {
            for e in 0..<(d * m) { drift.base[e] = 0 }
            if hasMomentum { pairB.base.update(repeating: 0, count: n * m) }
        }
        for i in 0..<n {
            sumP.base[i] = 0
            sumR.base[i] = 0
        }
        for r in 0..<m {
            syncIteration[r] = iteration
            cacheIteration[r] = iteration
            cachePhi.base[r] = 0
            cacheDecay.base[r] = 1
        }
        // H_S = K ∘ (Sᵀ S), S = diag(c) D (m×n).
        for r in 0..<m { for i in 0..<n { z[r * n + i] = c[r] * Double(mask[r * n + i]) } }
        BLAS.gramOfColumns(n: n, k: m, a: UnsafePointer(z), lda: n, c: kernel.base, ldc: n)
        let h = kernel.base
        for i in 0..<n {
            for j in i..<n {
                let v = h[i * n + j] * gram.base[i * n + j]
                h[i * n + j] = v
                h[j * n + i] = v
            }
        }
        anchorLoss = loss
        // Forcing bounds with room: 1.5 T^±(Δ_k); then every pair's first check, from its
        // values at k (z = A, u = B: the sums p, R are zero).
        kineticStart = iteration
        let rate = measuredBoundDecay()
        for i in 0..<n {
            let (tp, tm) = forcingSums(sample: i)
            upper.base[i] = 2 * tp
            lower.base[i] = 2 * tm
            boundDecay.base[i] = rate
        }
        let keys = UnsafeMutablePointer<Int>.allocate(capacity: max(n * m, 1))
        defer { keys.deallocate() }
        for r in 0..<m {
            for i in 0..<n {
                let pair = r * n + i, v = a[pair]
                let value = PairValue(z: v, u: hasMomentum ? pairB.base[pair] : 0, magnitude: abs(v))
                keys[pair] = nextCheck(neuron: r, sample: i, value)
            }
        }
        queue.replaceAll(keys: keys)
    }
}
