import Foundation

/// Exact gradient descent and Polyak heavy ball on the two-layer ReLU network at O(n²) per
/// iteration plus O(n) per pair check and O(n + d) per activation flip (issue 9), instead of
/// two n·m·d GEMMs. The discrete counterpart of `KineticPairKernel` / the kinetic solver.
///
/// **Errors.** HB in difference form (002 eq. 3.1; GD is β = 0, 002 §4):
/// w_r(k+1) = w_r(k) − ηc_r Xᵀ(d_r(k) ∘ Δ_k) + β(w_r(k) − w_r(k−1)), w_r(−1) = w_r(0),
/// c_r = a_r/√m, d_r(k) = 1[X w_r(k) ≥ 0]. At a fixed mask S the output f_S(W) =
/// Σ_r c_r d_r ∘ (X w_r) is linear in W, so with H_S = K ∘ (Dᵀ diag(c²) D), K = XXᵀ, and
/// E_k = Δ_k − Δ̃_{k−1} (Δ̃_{k−1} = f_S(W_{k−1}) − y, the previous iterate under the current
/// mask; E_0 = 0):
///
///     E_{k+1} = βE_k − ηH_S Δ_k,   Δ_{k+1} = Δ_k + E_{k+1}     (one n×n gemv).
///
/// **Neurons.** With the running sums p_{k+1} = βp_k + Δ_k, R_{k+1} = R_k + p_{k+1}
/// (p_0 = R_0 = 0; GD: p_{k+1} = Δ_k) and a neuron last synced at k_r with its current
/// mask, s = k − k_r, φ(s) = Σ_{t=1..s} β^t = β(1 − β^s)/(1 − β):
///
///     u_r(k) = w_r(k) − w_r(k−1) = β^s b_r − ηc_r Xᵀ(d_r ∘ p_k),
///     w_r(k) = α_r + φ(s) b_r − ηc_r Xᵀ(d_r ∘ R_k),
///
/// (unrolling u_r(k+1) = βu_r(k) − ηc_r Xᵀ(d_r ∘ Δ_k)), and per pair, with A = Xα, B = Xb
/// kept as m×n tables: z_ri(k) = A_ri + φB_ri − ηc_r (K_i ∘ d_r)·R_k and
/// u_ri(k) = β^s B_ri − ηc_r (K_i ∘ d_r)·p_k, O(n) each.
///
/// **Flips.** Pair (i, r) whose z_ri(k) is found on the other side of 1[z ≥ 0] changes d_ri by
/// δ = ±1. Then Δ_k,i += δc_r z_ri(k) and Δ̃_{k−1,i} += δc_r z_ri(k−1), so E_k,i += δc_r u_ri(k);
/// row and column i of H_S change by δc_r² K_i ∘ d_r (the diagonal by δc_r² K_ii); the neuron
/// is synced (α += φb, b ← β^s b, A and B alike, k_r ← k) and re-expressed with its new mask
/// without changing w_r(k) or u_r(k): α_r += δηc_r R_k,i x_i, b_r += δηc_r p_k,i x_i,
/// A_r += δηc_r R_k,i K_·i, B_r += δηc_r p_k,i K_·i. O(n + d); no other pair is touched.
///
/// **Which pairs to check (safe iteration counts).** Oriented o = ±1 (the side of the mask),
/// v_l = −ηc_r (K_i ∘ d_r(l))·Δ_l is the pair's forcing, and u_{l+1} = βu_l + v_l whatever
/// the masks are. With T⁺_i = Σ_j (K_ij Δ_j)⁺ and T⁻_i = Σ_j (−K_ij Δ_j)⁺, o·v_l ≥ −q with
/// q = η|c_r| U_i^{sign(o c_r)} for bounds U^± ≥ T^±(Δ_l) of all later l (d ∈ {0, 1} only
/// drops terms). Summing, for 0 ≤ β < 1 and s ≥ 1,
///
///     o z(k+s) ≥ o z(k) + (o u(k)) φ(s) − q ψ(s),   ψ(s) = Σ_{t=1..s} (1 − β^t)/(1 − β),
///
/// and with φ(s) ≤ min(βs, β/(1 − β)), ψ(s) ≤ min(s(s+1)/2, s/(1 − β)), a = β·max(−o u, 0),
/// v = o z(k), two lower bounds, each decreasing in s ≥ 0:
///     v − a s − q s(s+1)/2      and      v − a/(1 − β) − q s/(1 − β),
/// so the pair keeps its side for s < s* = max(positive root of the first, (v(1 − β) − a)/q)
/// (GD, β = 0: s* = v/q), and is next checked at k + ⌈s*⌉ (at least k + 1, at most k + W − 1).
/// The value v is |z| less 1e-14 of the magnitude of its terms (rounding).
/// The bounds U^± are checked against T^±(Δ_k) every iteration (O(n²), the same cost as
/// H_S Δ): the loss of a discrete method need not decrease. When sample i's T exceeds U_i,
/// U_i is raised to 2T and all m pairs of sample i are re-keyed at k — their z(k) are still
/// certified, since they depend only on Δ_j, j < k, all within the old bounds.
///
/// Layouts: X n×d, K n×n, W d×m (entry j·m + r), α, b m×d (neuron r's d values contiguous,
/// entry r·d + j), A, B, masks m×n (entry r·n + i:
/// pair index r·n + i; the masks as bytes, 1/8 of the memory a pair check reads), H_S n×n.
/// The flips of one iteration change H_S through a row buffer C (row i += δc²K_i ∘ d_r,
/// diagonal half), merged once per iteration as H_S += C + Cᵀ: no strided column writes per
/// flip. Nothing is allocated after `init`.
public final class KineticIterationKernel {
    public let n: Int, d: Int, m: Int
    /// η.
    public let stepSize: Double
    /// β ∈ [0, 1).
    public let momentum: Double
    private let hasMomentum: Bool

    private let inputs: DoubleBuffer
    private let gram: DoubleBuffer
    private let scaled: DoubleBuffer
    private let targets: DoubleBuffer
    private let alpha: DoubleBuffer
    private let drift: DoubleBuffer
    private let pairA: DoubleBuffer
    private let pairB: DoubleBuffer
    private let masks: UnsafeMutablePointer<UInt8>
    /// C, the row changes of H_S pending since the last merge, and whether any is.
    private let kernelChange: DoubleBuffer
    private var kernelChangePending = false
    private let kernel: DoubleBuffer
    private let errors: DoubleBuffer
    private let errorStep: DoubleBuffer
    private let sumP: DoubleBuffer
    private let sumR: DoubleBuffer
    private let product: DoubleBuffer
    private let upper: DoubleBuffer
    private let lower: DoubleBuffer
    /// k_r, and per neuron the iteration of the cached φ(s), β^s.
    private let syncIteration: UnsafeMutablePointer<Int>
    private let cacheIteration: UnsafeMutablePointer<Int>
    private let cachePhi: DoubleBuffer
    private let cacheDecay: DoubleBuffer
    private var queue: IterationBucketQueue
    /// Pairs per chunk of a bucket, and the chunk's gathered pairs, A and B entries and values.
    private static let chunk = 1024
    private let gatheredPairs: UnsafeMutablePointer<Int>
    private let gatheredValues: DoubleBuffer
    private let gatheredResults: DoubleBuffer
    /// n×m workspace of `formWeights` / `formStep`.
    private let spread: DoubleBuffer
    /// (1 or 2)·m×n workspaces of `lowerBounds`.
    private let rescan: DoubleBuffer
    private let spreadRows: DoubleBuffer
    private let projected: DoubleBuffer

    public private(set) var iteration = 0
    /// Activation flips so far.
    public private(set) var flips = 0
    /// Pair evaluations so far (due checks and re-keyed samples).
    public private(set) var pairChecks = 0
    /// Samples re-keyed because their forcing bound was exceeded.
    public private(set) var boundRaises = 0
    /// Re-keyings of every pair after the bounds were lowered.
    public private(set) var boundLowerings = 0
    /// ½‖Δ_k‖².
    public private(set) var loss = 0.0
    /// False once an error is NaN or Inf: the kernel then stops updating.
    public private(set) var isFinite = true

    /// The kernel at W_0 = `weights` (d×m) for the network of `products`.
    public init(products: ReLUSwitchingKernel, weights: VectorView, stepSize: Double, momentum: Double, window: Int = 1024) {
        precondition(stepSize > 0 && stepSize.isFinite && momentum >= 0 && momentum < 1)
        n = products.n
        d = products.d
        m = products.m
        self.stepSize = stepSize
        self.momentum = momentum
        hasMomentum = momentum > 0
        inputs = products.inputs
        gram = products.gram
        scaled = products.scaledOutput
        targets = products.targets
        alpha = DoubleBuffer(count: d * m)
        for j in 0..<d { for r in 0..<m { alpha.base[r * d + j] = weights[j * m + r] } }
        drift = DoubleBuffer(count: d * m)
        pairA = DoubleBuffer(count: n * m)
        pairB = DoubleBuffer(count: hasMomentum ? n * m : 1)
        masks = .allocate(capacity: max(n * m, 1))
        masks.initialize(repeating: 0, count: max(n * m, 1))
        kernelChange = DoubleBuffer(count: n * n)
        kernel = DoubleBuffer(count: n * n)
        errors = DoubleBuffer(count: n)
        errorStep = DoubleBuffer(count: n)
        sumP = DoubleBuffer(count: n)
        sumR = DoubleBuffer(count: n)
        product = DoubleBuffer(count: n)
        upper = DoubleBuffer(count: n)
        lower = DoubleBuffer(count: n)
        syncIteration = .allocate(capacity: max(m, 1))
        syncIteration.initialize(repeating: 0, count: max(m, 1))
        cacheIteration = .allocate(capacity: max(m, 1))
        cacheIteration.initialize(repeating: 0, count: max(m, 1))
        cachePhi = DoubleBuffer(count: m)
        cacheDecay = DoubleBuffer(count: m, repeating: 1)
        queue = IterationBucketQueue(pairs: n * m, window: window)
        spread = DoubleBuffer(count: n * m)
        gatheredPairs = .allocate(capacity: Self.chunk)
        gatheredPairs.initialize(repeating: 0, count: Self.chunk)
        gatheredValues = DoubleBuffer(count: 2 * Self.chunk)
        gatheredResults = DoubleBuffer(count: 3 * Self.chunk)
        rescan = DoubleBuffer(count: (hasMomentum ? 2 : 1) * n * m)
        spreadRows = DoubleBuffer(count: (hasMomentum ? 2 : 1) * n * m)
        projected = DoubleBuffer(count: (hasMomentum ? 2 : 1) * d * m)

        // Z(0) = X W(0) (n×m), transposed into A; the mask; Δ_0.
        products.preactivations(weights, into: spread.view)
        let z = spread.base, a = pairA.base, mask = masks, c = scaled.base
        for r in 0..<m {
            for i in 0..<n {
                let v = z[i * m + r]
                a[r * n + i] = v
                mask[r * n + i] = v >= 0 ? 1 : 0
            }
        }
        for i in 0..<n {
            var f = 0.0
            for r in 0..<m where mask[r * n + i] != 0 { f += c[r] * a[r * n + i] }
            errors.base[i] = f - products.targets.base[i]
        }
        // H_S = K ∘ (Sᵀ S), S = diag(c) D (m×n).
        for r in 0..<m { for i in 0..<n { z[r * n + i] = c[r] * Double(mask[r * n + i]) } }
        BLAS.gemm(transposeA: true, transposeB: false, m: n, n: n, k: m, alpha: 1, a: UnsafePointer(z), lda: n,
                  b: UnsafePointer(z), ldb: n, beta: 0, c: kernel.base, ldc: n)
        for e in 0..<(n * n) { kernel.base[e] *= gram.base[e] }
        loss = 0.5 * Self.sumOfSquares(errors.base, n)
        isFinite = loss.isFinite
        // Forcing bounds with room: 1.5 T^±(Δ_0); then every pair's first check.
        for i in 0..<n {
            let (tp, tm) = forcingSums(sample: i)
            upper.base[i] = 1.5 * tp
            lower.base[i] = 1.5 * tm
        }
        for pair in 0..<(n * m) {
            let r = pair / n, i = pair - r * n
            let value = evaluate(neuron: r, sample: i)
            queue.insert(pair, at: nextCheck(neuron: r, sample: i, value))
        }
    }

    deinit {
        gatheredPairs.deallocate()
        masks.deallocate()
        syncIteration.deallocate()
        cacheIteration.deallocate()
        queue.deallocate()
    }

    /// Δ_k.
    public var residual: VectorView { errors.readOnly }

    // MARK: - One iteration

    /// W_k → W_{k+1}: the errors by one gemv, then the pairs due at k + 1, then the bounds.
    public func step() {
        iteration += 1
        guard isFinite else { return }
        let eta = stepSize, beta = momentum
        BLAS.gemv(m: n, n: n, a: UnsafePointer(kernel.base), x: UnsafePointer(errors.base), y: product.base)
        let delta = errors.base, e = errorStep.base, p = sumP.base, rr = sumR.base, h = product.base
        if hasMomentum {
            for i in 0..<n {
                let di = delta[i]
                let ei = beta * e[i] - eta * h[i]
                e[i] = ei
                let pi = beta * p[i] + di
                p[i] = pi
                rr[i] += pi
                delta[i] = di + ei
            }
        } else {
            for i in 0..<n {
                let di = delta[i]
                p[i] = di
                rr[i] += di
                delta[i] = di - eta * h[i]
            }
        }
        let k = iteration
        // The due pairs in chunks: claim them and gather their A, B entries in a short loop
        // (independent cache misses overlap), evaluate the whole chunk, then flip and re-key.
        // z(k), u(k) do not depend on the flips at k (a flip re-expresses its neuron without
        // changing them), so evaluating a chunk before its flips is exact.
        var due = queue.takeBucket(at: k)
        due.withUnsafeBufferPointer { list in
            var start = 0
            while start < list.count {
                let end = min(start + Self.chunk, list.count)
                var count = 0
                for t in start..<end {
                    let pair = Int(list[t])
                    guard queue.claim(pair, at: k) else { continue }
                    gatheredPairs[count] = pair
                    gatheredValues.base[count] = pairA.base[pair]
                    if hasMomentum { gatheredValues.base[Self.chunk + count] = pairB.base[pair] }
                    count += 1
                }
                for t in 0..<count {
                    let pair = gatheredPairs[t], r = pair / n
                    let value = evaluate(neuron: r, sample: pair - r * n, a: gatheredValues.base[t],
                                         b: hasMomentum ? gatheredValues.base[Self.chunk + t] : 0)
                    gatheredResults.base[3 * t] = value.z
                    gatheredResults.base[3 * t + 1] = value.u
                    gatheredResults.base[3 * t + 2] = value.magnitude
                }
                for t in 0..<count {
                    let pair = gatheredPairs[t], r = pair / n, i = pair - r * n
                    let value = PairValue(z: gatheredResults.base[3 * t], u: gatheredResults.base[3 * t + 1],
                                          magnitude: gatheredResults.base[3 * t + 2])
                    if (value.z >= 0) != (masks[pair] != 0) { flip(neuron: r, sample: i, value) }
                    queue.insert(pair, at: nextCheck(neuron: r, sample: i, value))
                }
                start = end
            }
        }
        queue.recycle(&due)
        enforceBounds()
        mergeKernelChange()
        loss = 0.5 * Self.sumOfSquares(errors.base, n)
        if !loss.isFinite { isFinite = false }
    }

    /// z_ri(k), u_ri(k) and the magnitude of z's terms.
    struct PairValue {
        var z: Double
        var u: Double
        var magnitude: Double
    }

    /// φ(s), β^s of neuron r at the current iteration (cached per neuron and iteration).
    @inline(__always)
    private func syncFactors(_ r: Int) -> (phi: Double, decay: Double) {
        if cacheIteration[r] != iteration {
            let s = iteration - syncIteration[r]
            let decay = pow(momentum, Double(s))
            cachePhi.base[r] = momentum * (1 - decay) / (1 - momentum)
            cacheDecay.base[r] = decay
            cacheIteration[r] = iteration
        }
        return (cachePhi.base[r], cacheDecay.base[r])
    }

    @inline(__always)
    private func evaluate(neuron r: Int, sample i: Int) -> PairValue {
        let pair = r * n + i
        return evaluate(neuron: r, sample: i, a: pairA.base[pair], b: hasMomentum ? pairB.base[pair] : 0)
    }

    /// The pair's values with its A_ri, B_ri already loaded.
    @inline(__always)
    private func evaluate(neuron r: Int, sample i: Int, a: Double, b: Double) -> PairValue {
        pairChecks += 1
        let cEta = stepSize * scaled.base[r]
        let row = UnsafePointer(gram.base + i * n), mask = UnsafePointer(masks + r * n)
        if hasMomentum {
            let (phi, decay) = syncFactors(r)
            let (sr, sp) = Self.maskedDots(row, mask, UnsafePointer(sumR.base), UnsafePointer(sumP.base), n)
            let drive = cEta * sr
            return PairValue(z: a + phi * b - drive, u: decay * b - cEta * sp,
                             magnitude: abs(a) + abs(phi * b) + abs(drive))
        }
        let sr = Self.maskedDot(row, mask, UnsafePointer(sumR.base), n)
        let drive = cEta * sr
        return PairValue(z: a - drive, u: 0, magnitude: abs(a) + abs(drive))
    }

    /// The iteration at which the pair must next be checked (see the type's comment).
    @inline(__always)
    private func nextCheck(neuron r: Int, sample i: Int, _ value: PairValue) -> Int {
        let k = iteration, far = k + queue.window - 1
        let o: Double = value.z >= 0 ? 1 : -1
        let v = o * value.z - 1e-14 * value.magnitude
        guard v > 0 else { return k + 1 }
        let c = scaled.base[r]
        let q = stepSize * abs(c) * (o * c > 0 ? upper.base[i] : lower.base[i])
        guard q > 0 else { return far }
        var s: Double
        if hasMomentum {
            let beta = momentum
            let a = beta * max(-o * value.u, 0)
            let h = a + 0.5 * q
            let quadratic = 2 * v / (h + (h * h + 2 * q * v).squareRoot())
            let linear = (v * (1 - beta) - a) / q
            s = max(quadratic, linear)
        } else {
            s = v / q
        }
        s *= 1 - 1e-9
        guard s < Double(queue.window - 1) else { return far }
        return k + max(1, Int(s.rounded(.up)))
    }

    /// Pair (i, r) changes side at the current iteration: Δ, E, H_S and the neuron's
    /// representation (see the type's comment).
    private func flip(neuron r: Int, sample i: Int, _ value: PairValue) {
        flips += 1
        let pair = r * n + i
        let delta: Double = value.z >= 0 ? 1 : -1
        let c = scaled.base[r]
        errors.base[i] += delta * c * value.z
        if hasMomentum { errorStep.base[i] += delta * c * value.u }
        let k = iteration
        let a = pairA.base + r * n
        if k != syncIteration[r] {
            if hasMomentum {
                let (phi, decay) = syncFactors(r)
                let b = pairB.base + r * n
                for j in 0..<n {
                    a[j] += phi * b[j]
                    b[j] *= decay
                }
                for e in (r * d)..<(r * d + d) {
                    alpha.base[e] += phi * drift.base[e]
                    drift.base[e] *= decay
                }
            } else {
                // GD: φ = 0 and β^s = 0 for s ≥ 1.
                for e in (r * d)..<(r * d + d) { drift.base[e] = 0 }
            }
            syncIteration[r] = k
            cacheIteration[r] = k
            cachePhi.base[r] = 0
            cacheDecay.base[r] = 1
        }
        let gR = delta * stepSize * c * sumR.base[i], gP = delta * stepSize * c * sumP.base[i]
        let row = gram.base + i * n
        for j in 0..<n { a[j] += gR * row[j] }
        if hasMomentum {
            let b = pairB.base + r * n
            for j in 0..<n { b[j] += gP * row[j] }
        }
        let x = inputs.base + i * d
        for j in 0..<d {
            alpha.base[r * d + j] += gR * x[j]
            drift.base[r * d + j] += gP * x[j]
        }
        masks[pair] = delta > 0 ? 1 : 0
        // H_S: row and column i by δc²K_i ∘ d_r, the diagonal by δc²K_ii, through C.
        let c2 = delta * c * c, mask = masks + r * n, change = kernelChange.base + i * n
        for j in 0..<n where j != i && mask[j] != 0 { change[j] += c2 * row[j] }
        change[i] += 0.5 * c2 * row[i]
        kernelChangePending = true
    }

    /// H_S += C + Cᵀ in 32×32 tiles, then C = 0.
    private func mergeKernelChange() {
        guard kernelChangePending else { return }
        kernelChangePending = false
        let h = kernel.base, c = kernelChange.base, tile = 32
        var a0 = 0
        while a0 < n {
            let a1 = min(a0 + tile, n)
            var b0 = 0
            while b0 < n {
                let b1 = min(b0 + tile, n)
                for a in a0..<a1 {
                    for b in b0..<b1 { h[a * n + b] += c[a * n + b] + c[b * n + a] }
                }
                b0 = b1
            }
            a0 = a1
        }
        c.update(repeating: 0, count: n * n)
    }

    /// Checks T^±(Δ_k) ≤ U^± for every sample; a sample over its bound gets U = 2T and all its
    /// pairs re-keyed (flipping any found on the other side, which changes Δ_k: then again).
    private func enforceBounds() {
        var rounds = 0
        while rounds < 8 {
            rounds += 1
            let flipsBefore = flips
            var raised = false
            var tight = 0
            for i in 0..<n {
                let (tp, tm) = forcingSums(sample: i)
                if !(tp < 0.25 * upper.base[i] || tp == 0) || !(tm < 0.25 * lower.base[i] || tm == 0) { tight += 1 }
                guard tp > upper.base[i] || tm > lower.base[i] else { continue }
                guard tp.isFinite, tm.isFinite else {
                    isFinite = false
                    return
                }
                upper.base[i] = max(upper.base[i], 2 * tp)
                lower.base[i] = max(lower.base[i], 2 * tm)
                raised = true
                boundRaises += 1
                for r in 0..<m {
                    let pair = r * n + i
                    let value = evaluate(neuron: r, sample: i)
                    if (value.z >= 0) != (masks[pair] != 0) { flip(neuron: r, sample: i, value) }
                    queue.remove(pair)
                    queue.insert(pair, at: nextCheck(neuron: r, sample: i, value))
                }
            }
            // Most bounds are 4× loose (the errors decayed): lower them all.
            if !raised && 10 * tight <= n {
                lowerBounds()
                return
            }
            if !raised || flips == flipsBefore { return }
        }
    }

    /// At least 90% of the samples have U^± more than 4× T^±(Δ_k) (the errors decayed):
    /// U = 1.5 T for every sample and every pair re-keyed at k, with the sums
    /// (K_i ∘ d_r)·R_k, ·p_k of all pairs from two GEMMs through K = XXᵀ:
    /// ([D ∘ R; D ∘ p] X) Xᵀ, (2m×n)(n×d) then (2m×d)(d×n), 4·2m·n·d flops. The errors are
    /// re-anchored on these z first (Δ_k = Σ_r c_r d_r ∘ z_r − y), so that the recurrence's
    /// rounding drift (‖Δ‖ decaying past the ~1e-14 floor of f(W_k) − y) is reset.
    private func lowerBounds() {
        boundLowerings += 1
        let rows = hasMomentum ? 2 * m : m
        let g = rescan.base, mask = masks, sr = sumR.base, sp = sumP.base
        for r in 0..<m {
            for j in 0..<n { g[r * n + j] = mask[r * n + j] != 0 ? sr[j] : 0 }
        }
        if hasMomentum {
            for r in 0..<m {
                for j in 0..<n { g[(m + r) * n + j] = mask[r * n + j] != 0 ? sp[j] : 0 }
            }
        }
        BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: d, k: n, alpha: 1, a: UnsafePointer(g), lda: n,
                  b: UnsafePointer(inputs.base), ldb: d, beta: 0, c: projected.base, ldc: d)
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: n, k: d, alpha: 1, a: UnsafePointer(projected.base), lda: d,
                  b: UnsafePointer(inputs.base), ldb: d, beta: 0, c: spreadRows.base, ldc: n)
        // z, u of every pair in place of the sums (magnitudes in g), and the errors re-anchored
        // on them: Δ_k = Σ_r c_r d_r ∘ z_r − y, E_k = Σ_r c_r d_r ∘ u_r, as f(W_k) and
        // f_S(W_k) − f_S(W_{k−1}) are; the recurrences' rounding drift stops here.
        let values = spreadRows.base, delta = errors.base, e = errorStep.base
        for i in 0..<n {
            delta[i] = -targets.base[i]
            e[i] = 0
        }
        for r in 0..<m {
            let c = scaled.base[r], cEta = stepSize * c
            let (phi, decay) = hasMomentum ? syncFactors(r) : (0, 0)
            for i in 0..<n {
                let pair = r * n + i
                let a = pairA.base[pair]
                let drive = cEta * values[pair]
                let z: Double
                if hasMomentum {
                    let b = pairB.base[pair]
                    z = a + phi * b - drive
                    let u = decay * b - cEta * values[m * n + pair]
                    values[m * n + pair] = u
                    g[pair] = abs(a) + abs(phi * b) + abs(drive)
                    if mask[pair] != 0 { e[i] += c * u }
                } else {
                    z = a - drive
                    g[pair] = abs(a) + abs(drive)
                }
                values[pair] = z
                if mask[pair] != 0 { delta[i] += c * z }
            }
        }
        if !hasMomentum {
            // GD: E_k is not used (E_{k+1} = −ηH_SΔ_k).
            for i in 0..<n { e[i] = 0 }
        }
        for i in 0..<n {
            let (tp, tm) = forcingSums(sample: i)
            upper.base[i] = 1.5 * tp
            lower.base[i] = 1.5 * tm
        }
        queue.removeAll()
        for r in 0..<m {
            for i in 0..<n {
                let pair = r * n + i
                var value = PairValue(z: values[pair], u: hasMomentum ? values[m * n + pair] : 0, magnitude: g[pair])
                // Certified at k: the sign cannot differ from the mask but by rounding; such a
                // pair is checked again at k + 1.
                if (value.z >= 0) != (mask[pair] != 0) { value.magnitude = .infinity }
                queue.insert(pair, at: nextCheck(neuron: r, sample: i, value))
            }
        }
        pairChecks += n * m
    }

    /// T⁺_i = Σ_j (K_ij Δ_j)⁺ and T⁻_i = Σ_j (−K_ij Δ_j)⁺, eight lanes at a time in a fixed order.
    @inline(__always)
    private func forcingSums(sample i: Int) -> (Double, Double) {
        let row = UnsafeRawPointer(gram.base + i * n), e = UnsafeRawPointer(errors.base)
        let stride = MemoryLayout<Double>.stride
        var plus = SIMD8<Double>(), minus = SIMD8<Double>()
        let zero = SIMD8<Double>()
        var j = 0
        while j + 8 <= n {
            let x = row.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
                * e.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
            plus += x.replacing(with: zero, where: x .< zero)
            minus -= x.replacing(with: zero, where: x .> zero)
            j += 8
        }
        var tp = plus.sum(), tm = minus.sum()
        let rp = gram.base + i * n, ep = errors.base
        while j < n {
            let x = rp[j] * ep[j]
            if x > 0 { tp += x } else { tm -= x }
            j += 1
        }
        return (tp, tm)
    }

    @inline(__always)
    private static func maskedDot(_ row: UnsafePointer<Double>, _ mask: UnsafePointer<UInt8>, _ x: UnsafePointer<Double>,
                                  _ n: Int) -> Double {
        let stride = MemoryLayout<Double>.stride
        let rr = UnsafeRawPointer(row), mr = UnsafeRawPointer(mask), xr = UnsafeRawPointer(x)
        var lanes = SIMD8<Double>()
        var j = 0
        while j + 8 <= n {
            let k = rr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
                * Self.lanes(mr.loadUnaligned(fromByteOffset: j, as: SIMD8<UInt8>.self))
            lanes += k * xr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
            j += 8
        }
        var s = lanes.sum()
        while j < n {
            s += row[j] * Double(mask[j]) * x[j]
            j += 1
        }
        return s
    }

    @inline(__always)
    private static func maskedDots(_ row: UnsafePointer<Double>, _ mask: UnsafePointer<UInt8>, _ x: UnsafePointer<Double>,
                                   _ y: UnsafePointer<Double>, _ n: Int) -> (Double, Double) {
        let stride = MemoryLayout<Double>.stride
        let rr = UnsafeRawPointer(row), mr = UnsafeRawPointer(mask), xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y)
        var lx = SIMD8<Double>(), ly = SIMD8<Double>()
        var j = 0
        while j + 8 <= n {
            let k = rr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
                * Self.lanes(mr.loadUnaligned(fromByteOffset: j, as: SIMD8<UInt8>.self))
            lx += k * xr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
            ly += k * yr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
            j += 8
        }
        var sx = lx.sum(), sy = ly.sum()
        while j < n {
            let k = row[j] * Double(mask[j])
            sx += k * x[j]
            sy += k * y[j]
            j += 1
        }
        return (sx, sy)
    }

    /// Eight mask bytes (0 or 1) as doubles.
    @inline(__always)
    private static func lanes(_ bytes: SIMD8<UInt8>) -> SIMD8<Double> {
        SIMD8<Double>(SIMD8<Int32>(truncatingIfNeeded: bytes))
    }

    private static func sumOfSquares(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += x[i] * x[i] }
        return s
    }

    // MARK: - Sample times

    /// W_k (d×m) = α + b·diag(φ) − η Xᵀ(c_r d_r ∘ R_k): one n·m·d GEMM.
    public func formWeights(into w: MutableVectorView) {
        formCombination(sums: sumR, usePhi: true, into: w)
    }

    /// W_k − W_{k−1} (d×m) = b·diag(β^s) − η Xᵀ(c_r d_r ∘ p_k) (zero at k = 0).
    public func formStep(into w: MutableVectorView) {
        formCombination(sums: sumP, usePhi: false, into: w)
    }

    private func formCombination(sums: DoubleBuffer, usePhi: Bool, into w: MutableVectorView) {
        precondition(w.count == d * m)
        let g = spread.base, mask = masks, c = scaled.base, s = sums.base
        for i in 0..<n {
            let si = s[i]
            for r in 0..<m { g[i * m + r] = mask[r * n + i] != 0 ? c[r] * si : 0 }
        }
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: -stepSize,
                  a: UnsafePointer(inputs.base), lda: d, b: UnsafePointer(g), ldb: m, beta: 0, c: w.base, ldc: m)
        for r in 0..<m {
            let (phi, decay) = hasMomentum ? syncFactors(r) : (0, iteration == syncIteration[r] ? 1 : 0)
            let factor = usePhi ? phi : decay
            for j in 0..<d {
                let e = r * d + j
                w.base[j * m + r] += (usePhi ? alpha.base[e] : 0) + factor * drift.base[e]
            }
        }
    }
}
