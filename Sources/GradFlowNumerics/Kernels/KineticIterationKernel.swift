import Foundation

/// Exact gradient descent and Polyak heavy ball on the two-layer ReLU network at O(n²) per
/// iteration plus O(n) per pair check and O(n + d) per activation flip, instead of
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
/// U_i is raised to 4T and all m pairs of sample i are re-keyed at k — their z(k) are still
/// certified, since they depend only on Δ_j, j < k, all within the old bounds.
///
/// **Decaying bounds.** As the errors decay, each sample's bound decays too:
/// U_i(l) = U_i(k₀) ρ_i^{l − k₀}, ρ_i ∈ (0, 1] (set from the loss's measured decay when the
/// bounds are lowered, see `lowerBounds`; a raise resets it to 1). A pair keyed at k
/// then has o·v_l ≥ −q ρ^{l − k}, and the sums above become
///     GD:  Σ_{l<s} ρ^l = (1 − ρ^s)/(1 − ρ),
///     HB:  ψ_ρ(s) = Σ_{t=1..s} Σ_{l<t} β^{t−1−l} ρ^l ≤ (1 − ρ^s)/((1 − ρ)(1 − β)),
/// so a pair whose margin exceeds q/(1 − ρ) (HB: (q/(1 − ρ) + a)/(1 − β)) is never due, and
/// the others are due at s* = log(1 − (margin)(1 − ρ)/q)/log ρ at the latest (taking the
/// largest of the three bounds' s*, each a valid lower bound). Without this, every pair would
/// come due again as the errors fall, about once per halving of the forcing.
///
/// **Dense start.** While many pairs lie near their kinks the kernel runs the plain recurrence
/// and hands over when checking them is cheaper (`KineticIterationKernel+DensePhase`).
///
/// Layouts: X n×d, K n×n, W d×m (entry j·m + r), α, b m×d (neuron r's d values contiguous,
/// entry r·d + j), A, B, masks m×n (entry r·n + i:
/// pair index r·n + i; the masks as bytes, 1/8 of the memory a pair check reads), H_S n×n.
/// The flips of one iteration change H_S through a row buffer C (row i += δc²K_i ∘ d_r,
/// diagonal half), merged once per iteration as H_S += C + Cᵀ: no strided column writes per
/// flip. Nothing is allocated per iteration (the hand-over from the dense phase allocates its
/// table of first checks once).
public final class KineticIterationKernel {
    public let n: Int, d: Int, m: Int
    /// η.
    public let stepSize: Double
    /// β ∈ [0, 1).
    public let momentum: Double
    let hasMomentum: Bool

    let inputs: DoubleBuffer
    let gram: DoubleBuffer
    let scaled: DoubleBuffer
    let targets: DoubleBuffer
    let alpha: DoubleBuffer
    let drift: DoubleBuffer
    let pairA: DoubleBuffer
    let pairB: DoubleBuffer
    let masks: UnsafeMutablePointer<UInt8>
    /// C, the row changes of H_S pending since the last merge, and whether any is.
    private let kernelChange: DoubleBuffer
    private var kernelChangePending = false
    let kernel: DoubleBuffer
    let errors: DoubleBuffer
    let errorStep: DoubleBuffer
    let sumP: DoubleBuffer
    let sumR: DoubleBuffer
    let product: DoubleBuffer
    /// The forcing bounds U^± of the current iteration: U^±_i(k) = U^±_i(k₀) ρ_i^{k − k₀}.
    let upper: DoubleBuffer
    let lower: DoubleBuffer
    /// ρ_i ∈ (0, 1], each sample's bound decay per iteration.
    let boundDecay: DoubleBuffer
    /// The last losses, for the decay estimate of `lowerBounds`.
    let recentLosses: DoubleBuffer
    static let recentLossCount = 16
    /// k_r, and per neuron the iteration of the cached φ(s), β^s.
    let syncIteration: UnsafeMutablePointer<Int>
    let cacheIteration: UnsafeMutablePointer<Int>
    let cachePhi: DoubleBuffer
    let cacheDecay: DoubleBuffer
    var queue: IterationBucketQueue
    /// Pairs per chunk of a bucket, and the chunk's gathered pairs, A and B entries and values.
    private static let chunk = 1024
    private let gatheredPairs: UnsafeMutablePointer<Int>
    private let gatheredValues: DoubleBuffer
    private let gatheredResults: DoubleBuffer
    /// n×m: Z = X W of the dense phase and the hand-over, and the workspace of `formWeights`,
    /// `formStep` and `anchorErrors`.
    let spread: DoubleBuffer
    /// n×m: S of the dense phase.
    let rescan: DoubleBuffer

    /// When the iterations leave the dense phase (see `DensePhase`).
    public let densePhase: DensePhase
    /// True while the iterations run densely.
    public internal(set) var isDense: Bool
    /// The iterations run densely so far.
    public internal(set) var denseIterations = 0
    /// W_k, W_{k−1} and the slot of W_{k+1} (d×m, entry j·m + r) in the dense phase; at the
    /// hand-over W_k and W_{k−1}.
    var denseWeights: DoubleBuffer
    var densePrevious: DoubleBuffer
    var denseNext: DoubleBuffer
    /// 1[Z_ir ≥ 0] of the dense phase's last iterate, row-major n×m (entry i·m + r).
    let denseMasks: UnsafeMutablePointer<UInt8>
    /// Per sample, the |z| below which a pair counts as near its kink (see `leavesDensePhase`).
    let nearThreshold: DoubleBuffer
    /// Pairs of the last dense iterate nearer their kink than `nearThreshold`.
    var nearKinks = Int.max
    /// max_r |c_r|.
    let largestOutputWeight: Double

    public internal(set) var iteration = 0
    /// Activation flips so far.
    public internal(set) var flips = 0
    /// Pair evaluations so far (due checks and re-keyed samples).
    public private(set) var pairChecks = 0
    /// Samples re-keyed because their forcing bound was exceeded.
    public private(set) var boundRaises = 0
    /// Times the forcing bounds were lowered (see `lowerBounds`).
    public private(set) var boundLowerings = 0
    /// Re-anchorings of the errors on the pairs' values (see `anchorErrors`).
    public private(set) var anchors = 0
    /// The loss at the last anchor (or at the start).
    var anchorLoss = Double.infinity
    /// True once the recurrence's loss has passed below the rounding floor of f(W) − y.
    var reachedRoundingFloor = false
    /// The iteration the kinetic phase began at.
    var kineticStart = 0
    /// ½‖Δ_k‖².
    public internal(set) var loss = 0.0
    /// False once an error is NaN or Inf: the kernel then stops updating.
    public internal(set) var isFinite = true

    /// The kernel at W_0 = `weights` (d×m) for the network of `products`.
    public init(products: ReLUSwitchingKernel, weights: VectorView, stepSize: Double, momentum: Double, window: Int = 1024,
                densePhase: DensePhase = .automatic) {
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
        boundDecay = DoubleBuffer(count: n, repeating: 1)
        recentLosses = DoubleBuffer(count: Self.recentLossCount)
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
        rescan = DoubleBuffer(count: n * m)

        denseWeights = DoubleBuffer(count: d * m)
        densePrevious = DoubleBuffer(count: d * m)
        denseNext = DoubleBuffer(count: d * m)
        denseMasks = .allocate(capacity: max(n * m, 1))
        denseMasks.initialize(repeating: 0, count: max(n * m, 1))
        nearThreshold = DoubleBuffer(count: n, repeating: .infinity)
        self.densePhase = densePhase
        var largest = 0.0
        for r in 0..<m { largest = max(largest, abs(products.scaledOutputWeight(r))) }
        largestOutputWeight = largest
        denseWeights.base.update(from: weights.base, count: d * m)
        densePrevious.base.update(from: weights.base, count: d * m)

        // Z(0) = X W(0) (n×m); Δ_0, the masks and S_0 of the dense phase.
        products.preactivations(weights, into: spread.view)
        isDense = true
        denseRowPass(countingFlips: false)
        anchorLoss = loss
        if leavesDensePhase() { beginKineticPhase() }
    }

    deinit {
        denseMasks.deallocate()
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
        if isDense {
            denseStep()
            return
        }
        iteration += 1
        guard isFinite else { return }
        for i in 0..<n where boundDecay.base[i] < 1 {
            upper.base[i] *= boundDecay.base[i]
            lower.base[i] *= boundDecay.base[i]
        }
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
        recentLosses.base[k % Self.recentLossCount] = loss
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
    func nextCheck(neuron r: Int, sample i: Int, _ value: PairValue) -> Int {
        let k = iteration, far = k + queue.window - 1
        let o: Double = value.z >= 0 ? 1 : -1
        let v = o * value.z - 1e-14 * value.magnitude
        guard v > 0 else { return k + 1 }
        let c = scaled.base[r]
        let q = stepSize * abs(c) * (o * c > 0 ? upper.base[i] : lower.base[i])
        guard q > 0 else { return far }
        let rho = boundDecay.base[i]
        var s: Double
        if hasMomentum {
            let beta = momentum
            let a = beta * max(-o * value.u, 0)
            let linear = (v * (1 - beta) - a) / q
            // ψ(s) ≤ (1 − ρ^s)/((1 − ρ)(1 − β)) under the decaying bound: never due when
            // `reach` ≥ 1 (tested first, as most pairs are far from their kinks).
            let reach = linear * (1 - rho)
            if rho < 1 && reach >= 1 { return far }
            let h = a + 0.5 * q
            let quadratic = 2 * v / (h + (h * h + 2 * q * v).squareRoot())
            s = max(quadratic, linear)
            if rho < 1 && reach > 0 { s = max(s, log1p(-reach) / log(rho)) }
        } else if rho < 1 {
            // Σ_{l<s} ρ^l = (1 − ρ^s)/(1 − ρ).
            let reach = v * (1 - rho) / q
            if reach >= 1 { return far }
            s = max(v / q, log1p(-reach) / log(rho))
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
        let own = change[i]
        let stride = MemoryLayout<Double>.stride
        let rr = UnsafeRawPointer(row), mr = UnsafeRawPointer(mask), cr = UnsafeMutableRawPointer(change)
        let scale = SIMD8<Double>(repeating: c2)
        var j = 0
        while j + 8 <= n {
            let added = scale * rr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self)
                * Self.lanes(mr.loadUnaligned(fromByteOffset: j, as: SIMD8<UInt8>.self))
            cr.storeBytes(of: cr.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Double>.self) + added,
                          toByteOffset: j * stride, as: SIMD8<Double>.self)
            j += 8
        }
        while j < n {
            if mask[j] != 0 { change[j] += c2 * row[j] }
            j += 1
        }
        change[i] = own + 0.5 * c2 * row[i]
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
                upper.base[i] = max(upper.base[i], 4 * tp)
                lower.base[i] = max(lower.base[i], 4 * tm)
                boundDecay.base[i] = 1
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

    /// At least 90% of the samples have U^± more than 4× T^±(Δ_k) (the errors decayed): every
    /// sample's bound becomes U^±_i(l) = min(U^±_i(k), 1.5 T^±_i) ρ^{l − k} for l ≥ k, with
    /// ρ = min(ρ_i, ρ̂) and ρ̂ the square root of the loss's measured decay per iteration over
    /// the last 16 iterations, |Δ| ∝ √L, so half its logarithmic rate (1 when the loss has not
    /// fallen). No pair is re-keyed: the new bound is at most the old one at every later
    /// iteration, so a pair keyed under the old one assumed a larger forcing than the enforced
    /// new bound allows, and its check comes early, not late; when it comes it is keyed with
    /// the new bound. (A raise re-keys its sample's pairs and resets its ρ_i to 1.) Every time
    /// the loss has fallen 10⁶× since the last anchor, the errors are re-anchored
    /// (`anchorErrors`).
    private func lowerBounds() {
        boundLowerings += 1
        if loss < 1e-6 * anchorLoss { anchorErrors() }
        let rate = measuredBoundDecay()
        for i in 0..<n {
            let (tp, tm) = forcingSums(sample: i)
            upper.base[i] = min(upper.base[i], 2 * tp)
            lower.base[i] = min(lower.base[i], 2 * tm)
            boundDecay.base[i] = min(boundDecay.base[i], rate)
        }
    }

    /// The square root of the loss's measured decay per iteration over the last 16 iterations
    /// (|Δ| ∝ √L, so half its logarithmic rate), at least 0.5; 1 when fewer are known or the
    /// loss has not fallen.
    func measuredBoundDecay() -> Double {
        let span = Self.recentLossCount
        guard iteration >= span - 1 else { return 1 }
        let old = recentLosses.base[(iteration - span + 1) % span], now = 0.5 * Self.sumOfSquares(errors.base, n)
        guard old > 0 && now > 0 && now < old else { return 1 }
        return max(0.5, pow(now / old, 1 / (4 * Double(span - 1))))
    }

    /// Δ_k = f(W_k) − y from W_k itself (formed by one GEMM, then Z = X W_k by another), as a
    /// dense iteration forms it, so that the recurrence's drift (rounding in H_S's updates over
    /// many flips) stops here. E_k keeps its recurrence (a difference of two such quantities).
    /// No pair's check changes.
    ///
    /// The rounding floor: f(W_k) − y has an absolute rounding error of about 1e-16·|f| per
    /// entry, while the recurrence keeps Δ to relative accuracy as it decays and passes below
    /// that floor. When the formed loss is above 4× the recurrence's, the recurrence is below
    /// the floor: Δ is kept, and there are no more anchors (replacing Δ by rounding noise
    /// would raise the forcing bounds of every sample at once and re-key every pair).
    private func anchorErrors() {
        guard !reachedRoundingFloor else { return }
        anchors += 1
        formCombination(sums: sumR, usePhi: true, into: denseNext.view)
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1, a: UnsafePointer(inputs.base), lda: d,
                  b: UnsafePointer(denseNext.base), ldb: m, beta: 0, c: spread.base, ldc: m)
        let formed = product.base
        for i in 0..<n {
            formed[i] = ReLUGradientKernel.reluOutput(row: spread.base + i * m, weights: scaled.base, count: m) - targets.base[i]
        }
        let formedLoss = 0.5 * Self.sumOfSquares(formed, n), recurrenceLoss = 0.5 * Self.sumOfSquares(errors.base, n)
        if formedLoss > 4 * recurrenceLoss {
            reachedRoundingFloor = true
            return
        }
        errors.base.update(from: formed, count: n)
        loss = formedLoss
        anchorLoss = loss
    }

    /// T⁺_i = Σ_j (K_ij Δ_j)⁺ and T⁻_i = Σ_j (−K_ij Δ_j)⁺, eight lanes at a time in a fixed order.
    @inline(__always)
    func forcingSums(sample i: Int) -> (Double, Double) {
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

    static func sumOfSquares(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += x[i] * x[i] }
        return s
    }

    // MARK: - Sample times

    /// W_k (d×m) = α + b·diag(φ) − η Xᵀ(c_r d_r ∘ R_k): one n·m·d GEMM.
    public func formWeights(into w: MutableVectorView) {
        if isDense {
            w.base.update(from: denseWeights.base, count: d * m)
            return
        }
        formCombination(sums: sumR, usePhi: true, into: w)
    }

    /// W_k − W_{k−1} (d×m) = b·diag(β^s) − η Xᵀ(c_r d_r ∘ p_k) (zero at k = 0).
    public func formStep(into w: MutableVectorView) {
        if isDense {
            for e in 0..<(d * m) { w.base[e] = denseWeights.base[e] - densePrevious.base[e] }
            return
        }
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
