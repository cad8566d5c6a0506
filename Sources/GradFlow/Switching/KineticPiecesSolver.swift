import Foundation

/// Exact switching propagation of heavy ball with friction on the weights (002 eq. 3.3,
/// Ẅ + bẆ + ∇L(W) = 0), and of gradient flow (002 eq. 4.3, Ẇ = −∇L(W)) with Filippov
/// sliding (002 §4), whose cost per switch is O(K n² + n d) instead of a rescan of all
/// n·m pairs and an n×n eigendecomposition (`ExactPiecesSolver`).
///
/// - The errors are the only coupling between neurons. On a fixed pattern
///   Δ̈ + bΔ̇ + H_P Δ = 0 with H_P = K ∘ C/m (K = XXᵀ, C_ik = Σ_r m c_r² d_ir d_kr); with the
///   running integrals p' = Δ − bp and R' = p, y = (Δ, Δ̇, p, R) solves a constant-coefficient
///   linear ODE between switches, summed as a Taylor series over steps with ρh ≤ 1
///   (`KineticErrorSeries`). A switch of pair (i, r) changes row and column i of H_P (O(n)),
///   and Δ_i, Δ̇_i by δ c_r z_ri, δ c_r ż_ri. Gradient flow: Δ̇ = −H_P Δ, y = (Δ, R) with
///   R' = Δ; a switch changes Δ_i by δ c_r z_ri; a pair whose one-sided fields both push into
///   its surface slides (`KineticPiecesSolver+Sliding.swift`, `KineticSlidingNeurons`: the
///   equivalent-control field keeps Δ' = −H_P Δ with projected neuron blocks).
/// - Every neuron follows in closed form from p and R (`KineticPairKernel`): a pair's
///   z_ri(t) costs O(n), a switch re-syncs only its neuron (O(n + d)) and re-bounds its n
///   pairs with one dgemm (`KineticPairKernel.evaluateNeuron`).
/// - Switches are found kinetically: each pair has a safe time before which it cannot change
///   sign (`SafeTimeBound`, from the non-increasing energy), kept in a two-level priority
///   queue (`SafeTimeQueue`: a tournament tree per neuron, a heap over neurons). Only pairs whose safe time comes due are evaluated. When a pair's
///   safe time falls below half the event tolerance e, its sign is checked at t + e: a sign
///   change there is a switch located to within e (on the far side of the root, as the other
///   solvers do); every pair whose safe time is ≤ t + e is checked there too and all that
///   changed sign switch together.
/// - W and Ẇ are formed only at sample times (two GEMMs of 2ndm flops).
///
/// Counting follows `SwitchingStatistics`: `steps` are series steps, `locationSteps` pair
/// evaluations, `pieces` the pattern pieces (event times + 1).
final class KineticPiecesSolver {
    let kernel: ReLUSwitchingKernel
    let pattern: SwitchingPattern
    let flow: any ContinuousFlow
    let friction: Double
    /// HBF's constant b or Nesterov's γ/t (`KineticDamping`).
    let damping: KineticDamping
    /// 2 (HBF, Nesterov) or 1 (gradient flow), and the n-blocks of y: 4 (Δ, Δ̇, p, R) or 2 (Δ, R).
    let order: Int
    private let blocks: Int
    let eventTolerance: Double
    var statistics = SwitchingStatistics()
    var observer: ((Double, [Double]) -> Void)?
    var budget: WorkBudget?
    /// A test hook: called with (pair, t, key) whenever a pair gets a finite safe time `key`
    /// from a bound evaluated at t: the pair must not change sign in (t, key).
    var boundObserver: ((Int, Double, Double) -> Void)?
    /// Pairs found on the wrong side at their safe time (bound violations; 0 when the bounds
    /// hold).
    var boundViolations = 0

    private(set) var t = 0.0
    let n: Int, m: Int
    let pairs: KineticPairKernel
    let series: KineticErrorSeries
    var queue: SafeTimeQueue
    var bound: SafeTimeBound
    /// Δ, Δ̇, p, R at `cachedTime`.
    let values: DoubleBuffer
    var cachedTime = -Double.infinity
    private let weights: DoubleBuffer
    private let velocities: DoubleBuffer
    /// ρ ≥ ‖A‖_∞ of the augmented system, and the step-length policy.
    private let rate: Double
    private var stepLength: Double
    /// Pairs due within this time of the one being processed are re-bounded with it: 1/(32ρ).
    private let batchWindow: Double
    private var lastEventTime = 0.0
    private var meanGap: Double
    /// Scratch of `handleEvent` (nothing is allocated per switch): the pairs switching at one
    /// instant, their neurons, the state y with the jumps, one neuron's new keys.
    var switching: [(pair: Int, z: Double, rate: Double)] = []
    var switchedNeurons: [Int] = []
    let switchState: DoubleBuffer
    private var rowKeys: [Double]
    /// c_r² (= 1/m for a_r = ±1).
    let couplings: [Double]
    /// |z| below which a pair's sign is rounding: 1e-14 (1 + max|z(0)|), about 50 ulps of the
    /// terms of the pair formula.
    private let surfaceBand: Double
    /// Gradient flow's Filippov sliding (`KineticPiecesSolver+Sliding.swift`): the neurons'
    /// sliding corrections, the pattern transitions of `SwitchingTransitions`, the sliding
    /// pairs' exits at the current event and the time up to which sliding time is counted.
    lazy var sliding = KineticSlidingNeurons(kernel: kernel, pairs: pairs, series: series, gramRoot: bound.gramRoot)
    lazy var transitions = SwitchingTransitions(kernel: kernel, pattern: pattern, order: 1)
    var exitsAtEvent: [Int] = []
    var slidingCountedUntil = 0.0
    /// Sliding exits' kernel-change budgets (`SafeTimeBound.exitTime`): Ψ, the accumulated
    /// ‖ΔH_P‖ bound of all switches so far, each sliding pair's current threshold of Ψ and
    /// the heap of thresholds.
    var kernelChange = 0.0
    var budgetThresholds: [Double] = []
    var budgetHeap = SlidingBudgetHeap()
    /// Counts the states `values` has held (a new one at each `prepare` that evaluates), and
    /// ‖Δ‖ of one of them.
    var stateGeneration = 0
    var residualNormCache = (generation: -1, value: 0.0)

    /// `initialState` (W, and Ẇ for second order) is the state at `startTime` (Nesterov: its
    /// series start t0 > 0).
    init(kernel: ReLUSwitchingKernel, pattern: SwitchingPattern, flow: any ContinuousFlow, eventTolerance: Double,
         initialState: [Double], startTime: Double = 0) throws {
        guard let damping = Self.damping(of: flow) else {
            throw InputError(.flow, value: flow.name, allowed: "the kinetic solver supports gradient flow, hbf (constant friction) and nesterov (γ/t)")
        }
        self.kernel = kernel
        self.pattern = pattern
        self.flow = flow
        self.damping = damping
        order = flow.order
        friction = damping.isConstant ? damping.coefficient(at: 0) : 0
        blocks = order == 2 ? 4 : 2
        self.eventTolerance = eventTolerance
        n = kernel.n
        m = kernel.m
        let nb = kernel.weightCount
        couplings = (0..<m).map { kernel.scaledOutput[$0] * kernel.scaledOutput[$0] }
        weights = DoubleBuffer(Array(initialState[0..<nb]))
        velocities = order == 2 ? DoubleBuffer(Array(initialState[nb..<(2 * nb)])) : DoubleBuffer(count: nb)
        pairs = KineticPairKernel(kernel: kernel, order: order, damping: damping, weights: weights.readOnly,
                                  velocities: order == 2 ? velocities.readOnly : nil, mask: pattern.mask.readOnly,
                                  startTime: startTime)
        // Δ(0), Δ̇(0) and H_P(0) = K ∘ (D diag(c²) Dᵀ).
        let z = DoubleBuffer(count: kernel.pairCount)
        let delta = DoubleBuffer(count: n)
        kernel.preactivations(weights.readOnly, into: z.view)
        var zMax = 0.0
        for k in 0..<kernel.pairCount { zMax = max(zMax, abs(z[k])) }
        surfaceBand = 1e-14 * (1 + zMax)
        kernel.residual(preactivations: z.readOnly, mask: pattern.mask.readOnly, into: delta.view)
        kernel.preactivations(velocities.readOnly, into: z.view)
        let deltaRate = kernel.maskedRowSums(z.readOnly, mask: pattern.mask.readOnly)
        kernel.scaledMask(pattern.mask.readOnly, into: z.view)
        var h = kernel.maskOuterProduct(z.readOnly)
        for i in 0..<n { for k in 0..<n { h[i * n + k] *= kernel.gramEntry(i, k) } }
        series = KineticErrorSeries(samples: n, order: order, damping: damping, kernel: h)
        values = DoubleBuffer(count: blocks * n)
        // The bounds: E(0) (for gradient flow L(0), Ẇ does not enter) and λmax(K).
        let gram = kernel.gram.array
        let eigen = LAPACKSymmetricEigen(size: max(n, 1))
        let lambdaMax = max(try eigen.decompose(symmetrizing: gram).values.last ?? 0, 0)
        let energy = 0.5 * delta.readOnly.norm * delta.readOnly.norm + 0.5 * velocities.readOnly.norm * velocities.readOnly.norm
        bound = SafeTimeBound(order: order, friction: friction, residualBound: (2 * energy).squareRoot() * (1 + 1e-9),
                              gramRoot: lambdaMax.squareRoot() * (1 + 1e-9))
        bound.extendsWithFriction = damping.isConstant
        var kNorm = 0.0
        for i in 0..<n {
            var s = 0.0
            for k in 0..<n { s += abs(kernel.gramEntry(i, k)) }
            kNorm = max(kNorm, s)
        }
        // ‖A‖_∞ of (Δ, Δ̇, p, R)' (HBF) or (Δ, R)' = (−HΔ, Δ) (gradient flow), ‖H‖_∞ ≤ ‖K‖_∞.
        // Nesterov's γ/t is not bounded; its steps are limited by `KineticDamping.maximumStep`.
        rate = order == 2 ? max(1 + friction, friction + kNorm) : max(1, kNorm)
        stepLength = 1 / rate
        batchWindow = 1 / (32 * rate)
        meanGap = 1 / rate
        queue = SafeTimeQueue(keys: [Double](repeating: 0, count: kernel.pairCount), samples: n, neurons: m)
        switchState = DoubleBuffer(count: blocks * n)
        rowKeys = [Double](repeating: 0, count: n)
        var y = [Double](repeating: 0, count: blocks * n)
        for i in 0..<n {
            y[i] = delta[i]
            if order == 2 { y[n + i] = deltaRate[i] }
        }
        t = startTime
        lastEventTime = startTime
        let firstStep = min(stepLength, damping.maximumStep(from: startTime))
        y.withView { series.start(at: startTime, state: $0, length: firstStep, keepPrevious: false) }
        statistics.method = SwitchingMethod.kinetic.name
        statistics.errorNorm = "none (kinetic)"
        statistics.eventTolerance = eventTolerance
        statistics.pieces = 1
        prepare(at: startTime)
        for r in 0..<m { rebound(neuron: r, at: startTime) }
    }

    /// The kinetic form of a flow's damping: constant (gradient flow's is unused, HBF's b) or
    /// Nesterov's γ/t; nil for flows the solver does not follow (higher order, Newton).
    static func damping(of flow: any ContinuousFlow) -> KineticDamping? {
        guard flow.order <= 2 else { return nil }
        if flow.isAutonomous { return .constant(flow.order == 2 ? flow.damping(1, at: 0) : 0) }
        if flow.order == 2, case .bessel(let gamma) = flow.modalForm, gamma > 0 { return .inverseTime(gamma: gamma) }
        return nil
    }

    /// W and Ẇ at the last time reached.
    func currentPositionAndVelocity() -> ([Double], [Double]) { (weights.array, velocities.array) }

    /// The n-blocks of y: Δ at 0, p (HBF) at `momentumBlock`, R at `integralBlock`.
    var integralBlock: Int { blocks - 1 }
    var momentumBlock: Int { order == 2 ? 2 : 0 }

    // MARK: - Driving

    func advance(to target: Double) throws {
        // Without switches the series still needs (target − t)ρ steps: a degenerate ρ (huge
        // friction) stops the run at the evaluation limit instead of stepping forever.
        try budget?.check(evaluations: series.products + statistics.events, projected: (target - t) * rate, time: t)
        var count = 0
        while let (pair, key) = queue.first, key <= target {
            count += 1
            if count & 1023 == 0 {
                try budget?.check(evaluations: series.products + statistics.events, time: key)
            }
            let events = statistics.eventTimes
            try process(pair, at: key)
            if statistics.eventTimes != events { continue }
            // Batch: the pairs due within `batchWindow` are re-bounded now, at `key` (a bound
            // from an earlier instant is as valid), sharing one series evaluation. A pair whose
            // new bound is still within the window is left for its own turn.
            let horizon = min(key + batchWindow, target)
            while let (next, due) = queue.first, due <= horizon {
                let value = evaluate(next, at: key)
                if violating(next, value.z) { break }
                let renewed = max(due, safeTime(next, value))
                setKey(next, renewed)
                if renewed <= horizon { break }
            }
        }
        t = target
        prepare(at: target)
        let nv = values.readOnly
        pairs.materialize(at: target, integral: nv.slice(integralBlock * n, n), rate: nv.slice(momentumBlock * n, n),
                          mask: pattern.mask.readOnly, weights: weights.view, velocities: velocities.view)
        if order == 1 {
            projectSlidingNeurons(weights: weights.view, velocities: velocities.view)
            accountSliding(until: target)
        }
        guard weights.readOnly.isFinite && velocities.readOnly.isFinite else { throw EarlyStop.diverged(time: t) }
        // The energy at the sample bounds ‖Δ‖ from now on (it does not increase; for gradient
        // flow L does not increase, dL/dt = −‖∇L‖² with the Filippov gradient).
        let dn = nv.slice(0, n).norm, vn = order == 2 ? velocities.readOnly.norm : 0
        let residualBound = (dn * dn + vn * vn).squareRoot() * (1 + 1e-9)
        bound.residualBound = min(bound.residualBound, residualBound)
        statistics.steps = series.products
        observer?(t, weights.array)
    }

    // MARK: - Evaluation

    /// Brings `values` to time s (stepping the series forward when s is past its step).
    private func prepare(at s: Double) {
        if s == cachedTime { return }
        while s > series.end {
            series.evaluate(at: series.end, firstBlock: 0, blockCount: blocks, into: values.view)
            stepLength = min(8 * stepLength, 1 / rate)
            series.start(at: series.end, state: values.readOnly, length: min(stepLength, damping.maximumStep(from: series.end)),
                         keepPrevious: true)
        }
        series.evaluate(at: s, firstBlock: 0, blockCount: blocks, into: values.view)
        cachedTime = s
        stateGeneration &+= 1
    }

    private func evaluate(_ pair: Int, at s: Double) -> KineticPairValue {
        prepare(at: s)
        statistics.locationSteps += 1
        let i = pair / m, r = pair % m
        if order == 1 && sliding.isSliding(r) {
            return sliding.value(sample: i, neuron: r, at: s, state: values.readOnly, generation: stateGeneration)
        }
        return pairs.evaluate(sample: i, neuron: r, at: s, state: values.readOnly)
    }

    /// Whether z contradicts the pair's mode by more than rounding (`surfaceBand`): a pair
    /// within the band of its surface counts as on it (v = 0), so that a value whose sign is
    /// rounding does not switch a pair back and forth at one instant. A sliding pair's value
    /// is its smaller sliding value (`KineticSlidingNeurons`): negative means it exits.
    @inline(__always) private func violating(_ pair: Int, _ z: Double) -> Bool {
        switch pattern.mode(pair) {
        case .active: return z < -surfaceBand
        case .inactive: return z >= 0 && z > surfaceBand
        case .sliding: return z < 0
        }
    }

    /// The time at which the pair's safe interval from the cached time ends.
    private func safeTime(_ pair: Int, _ value: KineticPairValue) -> Double {
        if pattern.mode(pair) == .sliding { return cachedTime + exitSafeTime(pair) }
        if !damping.isConstant { bound.friction = damping.coefficient(at: cachedTime) }
        let o: Double = pattern.mode(pair) == .active ? 1 : -1
        let r = pair % m
        // Gradient flow, a pair exactly on its surface (one just released from sliding): the
        // order-1 bound v + sτ − Lτ²/2 with v = 0 (`SafeTimeBound`, L = |c_r| g λmax Δmax) comes
        // back to 0 at 2s/L when s > 0, which `firstRoot` does not report from v = 0. A pair
        // whose neuron cannot move (g = 0: no active pair) keeps its side for good; one with
        // s ≤ 0 is checked again one event tolerance later (`process`).
        if order == 1 && o * value.z <= 0 {
            let lipschitz = abs(kernel.scaledOutput[r]) * value.gramNorm * bound.residualBound * bound.gramRoot * bound.gramRoot
            if value.gramNorm == 0 { return .infinity }
            let slope = o * value.forcing
            return slope > 0 && lipschitz > 0 ? cachedTime + 2 * slope / lipschitz : cachedTime
        }
        let tau = bound.safeTime(value: max(o * value.z, 0), rate: o * value.rate, forcing: o * value.forcing,
                                 coupling: abs(kernel.scaledOutput[r]), gramNorm: value.gramNorm)
        return cachedTime + tau
    }

    /// Gives a pair its new safe time (bounded at `cachedTime`).
    @inline(__always) func setKey(_ pair: Int, _ key: Double) {
        queue.update(pair, key: key)
        boundObserver?(pair, cachedTime, key)
    }

    // MARK: - Events

    private func process(_ pair: Int, at key: Double) throws {
        let value = evaluate(pair, at: key)
        if violating(pair, value.z) {
            boundViolations += 1
            try handleEvent(at: key)
            return
        }
        let next = safeTime(pair, value)
        if next - key >= 0.5 * eventTolerance {
            setKey(pair, next)
            return
        }
        let probe = key + eventTolerance
        let ahead = evaluate(pair, at: probe)
        if !violating(pair, ahead.z) {
            setKey(pair, safeTime(pair, ahead))
            return
        }
        try handleEvent(at: probe)
    }

    /// Switches every pair due by `time` that has changed sign there, all at once.
    private func handleEvent(at time: Double) throws {
        switching.removeAll(keepingCapacity: true)
        while let (pair, key) = queue.first, key <= time {
            let value = evaluate(pair, at: time)
            if violating(pair, value.z) {
                switching.append((pair, value.z, value.rate))
                queue.update(pair, key: .infinity)
            } else {
                // A pair within rounding of its surface and heading across it has a safe time
                // of 0: it is taken up again just after this instant (by `process`, which
                // probes one event tolerance ahead), so that this loop always ends.
                setKey(pair, max(safeTime(pair, value), time.nextUp))
            }
        }
        if switching.isEmpty { return }
        switching.sort { $0.pair < $1.pair }
        prepare(at: time)
        let y = switchState
        y.view.copy(from: values.readOnly)
        pattern.clock = time
        switchedNeurons.removeAll(keepingCapacity: true)
        if order == 1 {
            accountSliding(until: time)
            statistics.add(applyGradientFlowSwitches(at: time))
            statistics.maxSlidingPairs = max(statistics.maxSlidingPairs, sliding.slidingPairs)
        } else {
            for (pair, z, zRate) in switching { cross(pair, z: z, zRate: zRate, at: time) }
            statistics.add(SwitchCounts(crossings: switching.count))
        }
        _ = pattern.drainMaskLog()
        statistics.eventTimes += 1
        statistics.pieces += 1
        // The step-length policy: a few mean gaps between switches, at most 1/ρ.
        let gap = time - lastEventTime
        lastEventTime = time
        meanGap = 0.9 * meanGap + 0.1 * max(gap, eventTolerance)
        stepLength = min(1 / rate, max(8 * meanGap, 64 * eventTolerance))
        series.start(at: time, state: y.readOnly, length: min(stepLength, damping.maximumStep(from: time)), keepPrevious: false)
        cachedTime = -.infinity
        prepare(at: time)
        // The switched neurons' masks changed: their pairs' bounds are recomputed, one
        // neuron at a time (`KineticPairKernel.evaluateNeuron`).
        switchedNeurons.sort()
        var previous = -1
        for r in switchedNeurons where r != previous {
            previous = r
            rebound(neuron: r, at: time)
        }
        if order == 1 { expireBudgets(at: time) }
    }

    /// A transversal crossing of pair (i, r) with value z, ż at the switch time.
    func cross(_ pair: Int, z: Double, zRate: Double, at time: Double) {
        let active = z >= 0
        changeMask(pair, to: active ? 1 : 0, z: z, zRate: zRate, at: time)
        pattern.setMode(pair, active ? .active : .inactive)
    }

    /// Changes d_ir (synced neuron, O(n + d)): the jumps of Δ_i and Δ̇_i by δc_r z, δc_r ż
    /// (the pair's term enters or leaves f_i), row and column i of H_P by δc_r²(K_i ∘ d_r)
    /// (less the projection part on a sliding neuron, `KineticSlidingNeurons`).
    func changeMask(_ pair: Int, to newMask: Double, z: Double, zRate: Double, at time: Double) {
        let i = pair / m, r = pair % m
        let y = switchState
        pairs.sync(neuron: r, at: time)
        let delta = newMask - pairs.mask(sample: i, neuron: r)
        pairs.changeMask(sample: i, neuron: r, to: newMask, integral: y[integralBlock * n + i],
                         rate: y[momentumBlock * n + i])
        let c = kernel.scaledOutput[r]
        y[i] += delta * c * z
        if order == 2 { y[n + i] += delta * c * zRate }
        let s = delta * couplings[r]
        for k in 0..<n where k != i {
            let dk = pairs.mask(sample: k, neuron: r)
            if dk != 0 { series.addToKernel(i, k, s * kernel.gramEntry(i, k)) }
        }
        series.addToKernel(i, i, s * kernel.gramEntry(i, i))
        if order == 1 {
            if sliding.isSliding(r) { sliding.correctKernelRow(sample: i, neuron: r, delta: delta, series: series) }
            // ‖ΔH_P‖ ≤ √2 c_r² ‖D_r X P^⊥ x_i‖ ≤ 2 c_r² √λmax(K) ‖x_i‖ (a row and a column).
            kernelChange += 2 * couplings[r] * bound.gramRoot * kernel.gramEntry(i, i).squareRoot()
        }
        switchedNeurons.append(r)
    }

    /// New safe times for all n pairs of neuron r at the cached time (a pair on the wrong side
    /// gets `time`, so it is processed at once).
    private func rebound(neuron r: Int, at time: Double) {
        let v = values.readOnly
        pairs.evaluateNeuron(r, at: time, integral: v.slice(integralBlock * n, n), rate: v.slice(momentumBlock * n, n),
                             residual: v.slice(0, n))
        statistics.locationSteps += n
        let corrected = order == 1 && sliding.isSliding(r)
        if corrected { sliding.correctNeuron(r, at: time, residual: v.slice(0, n), generation: stateGeneration) }
        for i in 0..<n {
            let pair = i * m + r
            let value = corrected ? sliding.neuronValue(i) : pairs.neuronValue(i)
            let key = violating(pair, value.z) ? time : safeTime(pair, value)
            rowKeys[i] = key
            boundObserver?(pair, cachedTime, key)
        }
        queue.updateNeuron(r, keys: rowKeys)
    }
}
