/// Event-driven GSL integration of a weight flow of the ReLU network (DESIGN §7).
///
/// Inside a step the activation pattern is frozen (`SwitchingWeightSystem`), so GSL
/// integrates a smooth, linear-in-W field. After every controlled step the solver checks the
/// step's end: a pair whose pre-activation contradicts its mode, a sliding pair whose
/// equivalent control left [0, 1], or a graze (a pair valid at both ends whose cubic Hermite
/// interpolant in (z, ż) dips through 0 inside the step) means the step straddled a switch.
/// The switch is then located by fixed GSL steps of chosen lengths τ from the step's start
/// (bracket [τ_lo, τ_hi] with the end state valid at τ_lo and violating at τ_hi; the next τ
/// is the earliest crossing estimated by interpolating each candidate's z, or the sliding
/// values, on the bracket, plus half the tolerance, with bisection as safeguard). The event
/// is accepted at τ_hi once the estimated crossing lies within `eventTolerance` before τ_hi
/// (or the bracket is that narrow): no accepted step straddles a switch by more than the
/// tolerance. The pattern then changes (`SwitchingTransitions`) and the stepper restarts.
final class SwitchingGSLSolver {
    let kernel: ReLUSwitchingKernel
    let pattern: SwitchingPattern
    let transitions: SwitchingTransitions
    let flow: any ContinuousFlow
    let order: Int
    let blockSize: Int
    let system: SwitchingWeightSystem
    let stepper: EventStepper
    let eventTolerance: Double
    var statistics = SwitchingStatistics()
    /// Called with every accepted state (after the changes at an event).
    var observer: ((Double, VectorView) -> Void)?
    /// Largest number of steps (accepted, rejected and location steps) before giving up.
    var maxSteps = 50_000_000
    /// The run's work limits, checked once per step.
    var budget: WorkBudget?

    private(set) var t: Double
    /// The current accepted state [W, W', …].
    let y: DoubleBuffer
    private var dydt: DoubleBuffer
    private var dydtValid = false
    private let start: DoubleBuffer
    private var startDydt: DoubleBuffer
    private let trial: DoubleBuffer, best: DoubleBuffer
    /// Z and Ż at the current state (Ż valid with dydt).
    private var z: DoubleBuffer, dz: DoubleBuffer
    private var zEnd: DoubleBuffer, dzEnd: DoubleBuffer
    private let zTrial: DoubleBuffer, zBest: DoubleBuffer
    private let residual: DoubleBuffer
    /// Z̈ at the current state, and a d×m workspace for gradient flow's W''.
    private let ddz: DoubleBuffer
    private let gradientRate: DoubleBuffer
    /// The sliding values at the current state and their first two time derivatives.
    private var slidingNow: [Int: SlidingValue] = [:]
    private var slidingRate: [Int: SlidingValue] = [:]
    private var slidingCurvature: [Int: SlidingValue] = [:]
    private var h: Double

    init(kernel: ReLUSwitchingKernel, pattern: SwitchingPattern, flow: any ContinuousFlow,
         stepper: Stepper, tolerances: Tolerances, eventTolerance: Double,
         startTime: Double, initialState: [Double], initialStep: Double) throws {
        self.kernel = kernel
        self.pattern = pattern
        self.flow = flow
        order = flow.order
        blockSize = kernel.weightCount
        transitions = SwitchingTransitions(kernel: kernel, pattern: pattern, order: flow.order)
        system = SwitchingWeightSystem(kernel: kernel, pattern: pattern, flow: flow)
        self.stepper = try EventStepper(stepper: stepper, tolerances: tolerances, system: system)
        self.eventTolerance = eventTolerance
        t = startTime
        h = initialStep
        let dim = system.dimension, pairs = kernel.pairCount
        y = DoubleBuffer(initialState)
        precondition(initialState.count == dim)
        dydt = DoubleBuffer(count: dim)
        start = DoubleBuffer(count: dim)
        startDydt = DoubleBuffer(count: dim)
        trial = DoubleBuffer(count: dim)
        best = DoubleBuffer(count: dim)
        z = DoubleBuffer(count: pairs)
        dz = DoubleBuffer(count: pairs)
        zEnd = DoubleBuffer(count: pairs)
        dzEnd = DoubleBuffer(count: pairs)
        zTrial = DoubleBuffer(count: pairs)
        zBest = DoubleBuffer(count: pairs)
        residual = DoubleBuffer(count: kernel.n)
        ddz = DoubleBuffer(count: pairs)
        gradientRate = DoubleBuffer(count: order == 1 ? blockSize : 0)
        statistics.method = SwitchingMethod.gslEvents(stepper: stepper, tolerances: tolerances).name
        statistics.errorNorm = "max over components (GSL standard control on y)"
        statistics.eventTolerance = eventTolerance
        kernel.preactivations(position(y), into: z.view)
        settle()
    }

    private func position(_ b: DoubleBuffer) -> VectorView { b.readOnly.slice(0, blockSize) }
    /// The block whose image under X is Ż: W' for order ≥ 2, F's first block for gradient flow.
    private func velocity(state: DoubleBuffer, derivative: DoubleBuffer) -> VectorView {
        order >= 2 ? state.readOnly.slice(blockSize, blockSize) : derivative.readOnly.slice(0, blockSize)
    }

    /// The Filippov velocity W' of the current state (for gradient flow, F(y)); costs no
    /// counted evaluation when F is known.
    func currentVelocity() -> [Double] {
        if order >= 2 { return Array(y.array[blockSize..<(2 * blockSize)]) }
        let f = DoubleBuffer(count: system.dimension)
        system.evaluate(t: t, state: y.readOnly, derivative: f.view)
        return f.array
    }

    var slidingPairs: Int { pattern.slidingPairCount }

    // MARK: - Driving

    /// Integrates to `target` (≥ t). Throws `EarlyStop` when the run fails.
    func advance(to target: Double) throws {
        while t < target {
            try budget?.check(evaluations: stepper.evaluations, time: t)
            if statistics.steps + statistics.rejectedSteps + statistics.locationSteps > maxSteps {
                throw EarlyStop.gslFailure(time: t, message: "more than \(maxSteps) steps")
            }
            try ensureDerivative()
            start.copyContents(from: y)
            let remaining = target - t
            var hTry = min(h, remaining)
            // Aim just past the earliest crossing the quadratic Taylor model predicts, so that
            // a step usually ends within the tolerance after its event (no location needed).
            if let predicted = kernel.predictCrossing(z: z.readOnly, dz: dz.readOnly, ddz: ddz.readOnly,
                                                      orientation: pattern.orientation.readOnly, horizon: hTry) {
                hTry = min(hTry, predicted + 0.5 * eventTolerance)
            }
            for pair in slidingNow.keys.sorted() {
                let v = slidingNow[pair]!
                // Sliding exits: the same quadratic model of the sliding values.
                guard let rate = slidingRate[pair], let curvature = slidingCurvature[pair] else { continue }
                for (x, dx, ddx) in [(v.lower, rate.lower, curvature.lower), (v.upper, rate.upper, curvature.upper)] {
                    if let tau = ReLUSwitchingKernel.firstRoot(v: x, slope: dx, curvature: ddx), tau < hTry {
                        hTry = tau + 0.5 * eventTolerance
                    }
                }
            }
            hTry = min(max(hTry, 16 * max(abs(t), 1).ulp), remaining)
            var next = h
            attempts: while true {
                let limited = hTry < h
                switch stepper.attempt(t: t, h: hTry, y: y, dydt: dydt, saved: start) {
                case .accepted(let proposal):
                    next = limited ? max(h, proposal) : proposal
                    break attempts
                case .rejected(let retry):
                    statistics.rejectedSteps += 1
                    hTry = retry
                    h = min(h, retry)
                case .failed(let status):
                    if stepper.failed { throw EarlyStop.diverged(time: t) }
                    throw EarlyStop.gslFailure(time: t, message: "GSL step failed with status \(status) (step size \(hTry))")
                }
            }
            let reachesTarget = hTry >= remaining
            h = next
            let tEnd = reachesTarget ? target : t + hTry
            // The end: violations, sliding exits, grazes.
            kernel.preactivations(position(y), into: zEnd.view)
            let crossings = kernel.violations(preactivations: zEnd.readOnly, orientation: pattern.orientation.readOnly)
            let exits = transitions.slidingValues(preactivations: zEnd.readOnly, residual: residual.view).compactMap(\.exit)
            // The start derivative moves to startDydt (for event location); dydt gets the end's.
            swap(&dydt, &startDydt)
            guard stepper.derivative(t: tEnd, y: y, into: dydt) else { throw EarlyStop.diverged(time: tEnd) }
            kernel.preactivations(velocity(state: y, derivative: dydt), into: dzEnd.view)
            let grazes = kernel.grazes(z0: z.readOnly, dz0: dz.readOnly, z1: zEnd.readOnly, dz1: dzEnd.readOnly,
                                       orientation: pattern.orientation.readOnly, length: hTry)
            if crossings.isEmpty && exits.isEmpty && grazes.isEmpty {
                statistics.steps += 1
                statistics.accountSliding(pairs: pattern.slidingPairCount, over: tEnd - t)
                t = tEnd
                swap(&z, &zEnd)
                swap(&dz, &dzEnd)
                secondDerivative()
                dydtValid = true
                let back = pattern.updateReleased(preactivations: z.readOnly)
                if !back.isEmpty {
                    // A released pair went back through its surface within one step: handled
                    // here, at most the release band late.
                    eventAt(crossings: back, exits: [])
                }
                observer?(t, y.readOnly)
                continue
            }
            if !y.readOnly.isFinite { throw EarlyStop.diverged(time: tEnd) }
            try locate(length: hTry, reachesTarget: reachesTarget, target: target,
                       crossings: crossings, exits: exits, grazes: grazes)
        }
    }

    private func ensureDerivative() throws {
        if dydtValid { return }
        guard stepper.derivative(t: t, y: y, into: dydt) else { throw EarlyStop.diverged(time: t) }
        kernel.preactivations(velocity(state: y, derivative: dydt), into: dz.view)
        secondDerivative()
        dydtValid = true
    }

    /// Z̈ at the current state (y, dydt, Ż known): X W'' for order ≥ 2; for gradient flow
    /// −X (∇L)˙ with (∇L)˙ the Filippov gradient's rate for Δ̇ = Σ_r (a_r/√m) mask_ir ż_ir.
    private func secondDerivative() {
        let acceleration: VectorView
        if order >= 3 {
            acceleration = y.readOnly.slice(2 * blockSize, blockSize)
        } else if order == 2 {
            acceleration = dydt.readOnly.slice(blockSize, blockSize)
        } else {
            let rate = kernel.maskedRowSums(dz.readOnly, mask: pattern.mask.readOnly)
            rate.withView { kernel.filippovGradientRate(residualRate: $0, pattern: pattern, into: gradientRate.view) }
            for k in 0..<blockSize { gradientRate[k] = -gradientRate[k] }
            acceleration = gradientRate.readOnly
        }
        kernel.preactivations(acceleration, into: ddz.view)
        slidingNow = [:]
        slidingRate = [:]
        slidingCurvature = [:]
        if !pattern.groups.isEmpty {
            // The sliding values are linear in Δ, so their derivatives are the same map of
            // Δ̇ = Σ_r (a_r/√m) mask_ir ż_ir and Δ̈ (from z̈).
            let mask = pattern.mask.readOnly
            kernel.residual(preactivations: z.readOnly, mask: mask, into: residual.view)
            let rate = kernel.maskedRowSums(dz.readOnly, mask: mask)
            let curvature = kernel.maskedRowSums(ddz.readOnly, mask: mask)
            for v in transitions.slidingValues(residual: residual.array) { slidingNow[v.pair] = v }
            for v in transitions.slidingValues(residual: rate) { slidingRate[v.pair] = v }
            for v in transitions.slidingValues(residual: curvature) { slidingCurvature[v.pair] = v }
        }
    }

    // MARK: - Event location

    /// dv/dτ of a crossing candidate at a state, for order ≥ 2 (ż = x_iᵀ w'_r).
    private func derivative(of pair: Int, in state: DoubleBuffer) -> Double? {
        guard order >= 2 else { return nil }
        let m = kernel.m
        let v = state.readOnly.slice(blockSize, blockSize)
        return pattern.orientation[pair] * kernel.preactivation(sample: pair / m, neuron: pair % m, of: v)
    }

    private func locate(length: Double, reachesTarget: Bool, target: Double,
                        crossings: [Int], exits: [SlidingExit], grazes: [(Int, Double)]) throws {
        let t0 = t
        let o = pattern.orientation
        var hiCrossings = crossings, hiExits = exits
        best.copyContents(from: y)
        zBest.copyContents(from: zEnd)
        var startSliding: [Int: SlidingValue] = [:]
        if !exits.isEmpty {
            for v in transitions.slidingValues(preactivations: z.readOnly, residual: residual.view) { startSliding[v.pair] = v }
        }
        let endSliding = exits.isEmpty ? [:] : Dictionary(uniqueKeysWithValues:
            transitions.slidingValues(preactivations: zEnd.readOnly, residual: residual.view).map { ($0.pair, $0) })
        var candidates: [EventCandidate] = []
        for pair in crossings {
            candidates.append(EventCandidate(pair: pair, kind: .crossing, orientation: o, zLo: z, dzLo: dz,
                                             zHi: zEnd, dzHi: dzEnd))
        }
        for exit in exits {
            let lower = exit.mode == .inactive
            let a = startSliding[exit.pair], b = endSliding[exit.pair], rate = slidingRate[exit.pair]
            candidates.append(EventCandidate(pair: exit.pair, kind: .exit,
                                             vLo: (lower ? a?.lower : a?.upper) ?? 0, dLo: lower ? rate?.lower : rate?.upper,
                                             vHi: (lower ? b?.lower : b?.upper) ?? -1, dHi: nil, lower: lower))
        }
        for (pair, s) in grazes {
            candidates.append(EventCandidate(pair: pair, kind: .graze, orientation: o, zLo: z, dzLo: dz,
                                             zHi: zEnd, dzHi: dzEnd, dip: s))
        }
        // The bracket: lo = 0 (the accepted start), hi = the attempted end.
        var search = EventBracketSearch(lo: 0.0, hi: length, hiViolating: !crossings.isEmpty || !exits.isEmpty,
                                        candidates: candidates, tolerance: eventTolerance, grazesAtDip: true)
        try search.run { next, candidates in
            guard stepper.fixedStep(t: t0, h: next, from: start, dydt: startDydt, into: trial) else {
                throw EarlyStop.diverged(time: t0 + next)
            }
            statistics.locationSteps += 1
            kernel.preactivations(position(trial), into: zTrial.view)
            let tc = kernel.violations(preactivations: zTrial.readOnly, orientation: o.readOnly)
            let tv = transitions.slidingValues(preactivations: zTrial.readOnly, residual: residual.view)
            let te = tv.compactMap(\.exit)
            let slidingAt = Dictionary(uniqueKeysWithValues: tv.map { ($0.pair, $0) })
            if !tc.isEmpty || !te.isEmpty {
                hiCrossings = tc
                hiExits = te
                best.copyContents(from: trial)
                zBest.copyContents(from: zTrial)
                // The candidates are now the violations at hi; their lo data stay.
                var updated: [EventCandidate] = []
                for pair in tc {
                    let vHi = o[pair] * zTrial[pair], dHi = derivative(of: pair, in: trial)
                    if var c = candidates.first(where: { $0.pair == pair }) {
                        c.kind = .crossing
                        c.vHi = vHi
                        c.dHi = dHi
                        updated.append(c)
                    } else {
                        // Violated at the trial but not at the attempted end: crossed twice.
                        updated.append(EventCandidate(pair: pair, kind: .crossing, vLo: o[pair] * z[pair],
                                                      dLo: o[pair] * dz[pair], vHi: vHi, dHi: dHi))
                    }
                }
                for exit in te {
                    let lower = exit.mode == .inactive
                    let v = slidingAt[exit.pair]!
                    let vHi = lower ? v.lower : v.upper
                    if var c = candidates.first(where: { $0.pair == exit.pair && $0.kind == .exit }) {
                        c.vHi = vHi
                        updated.append(c)
                    } else {
                        let a = startSliding[exit.pair]
                        updated.append(EventCandidate(pair: exit.pair, kind: .exit, vLo: (lower ? a?.lower : a?.upper) ?? 0,
                                                      dLo: nil, vHi: vHi, dHi: nil, lower: lower))
                    }
                }
                return .violating(updated)
            }
            return .valid(candidates.compactMap { c in
                var c = c
                switch c.kind {
                case .crossing:
                    c.vLo = o[c.pair] * zTrial[c.pair]
                    c.dLo = derivative(of: c.pair, in: trial)
                case .exit:
                    if let v = slidingAt[c.pair] { c.vLo = c.lower ? v.lower : v.upper }
                    c.dLo = nil
                case .graze:
                    return nil   // not confirmed at its dip
                }
                return c
            })
        }
        let hi = search.hi
        if !search.hiViolating {
            // Every graze was a false alarm: the attempted step stands.
            statistics.steps += 1
            statistics.accountSliding(pairs: pattern.slidingPairCount, over: (reachesTarget ? target : t0 + length) - t0)
            t = reachesTarget ? target : t0 + length
            swap(&z, &zEnd)
            swap(&dz, &dzEnd)
            secondDerivative()
            dydtValid = true
            observer?(t, y.readOnly)
            return
        }
        // The event state at τ_hi.
        statistics.accountSliding(pairs: pattern.slidingPairCount, over: hi)
        y.copyContents(from: best)
        z.copyContents(from: zBest)
        t = (reachesTarget && hi == length) ? target : t0 + hi
        eventAt(crossings: hiCrossings, exits: hiExits)
        observer?(t, y.readOnly)
    }

    /// Applies the pattern changes at the current state (y, z), then again while the state
    /// still violates the new pattern (a projection onto a surface can move a pair that was
    /// within rounding of its own surface).
    private func eventAt(crossings: [Int], exits: [SlidingExit]) {
        var crossings = crossings, exits = exits
        statistics.eventTimes += 1
        pattern.clock = t
        for _ in 0..<8 {
            let counts = transitions.apply(crossings: crossings, exits: exits, weights: y.view.slice(0, blockSize),
                                           preactivations: z.readOnly, residual: residual.view)
            statistics.add(counts)
            kernel.preactivations(position(y), into: z.view)
            crossings = kernel.violations(preactivations: z.readOnly, orientation: pattern.orientation.readOnly)
            exits = transitions.slidingValues(preactivations: z.readOnly, residual: residual.view).compactMap(\.exit)
            if crossings.isEmpty && exits.isEmpty { break }
        }
        statistics.maxSlidingPairs = max(statistics.maxSlidingPairs, pattern.slidingPairCount)
        stepper.reset()
        dydtValid = false
    }

    /// Sets up the pattern at the initial state: a pair starting within rounding of its
    /// surface is treated like an event (gradient flow may slide from the start).
    private func settle() {
        let crossings = kernel.violations(preactivations: z.readOnly, orientation: pattern.orientation.readOnly)
        if !crossings.isEmpty { eventAt(crossings: crossings, exits: []) }
    }
}

extension EventHermiteCubic {
    /// p(s) = c0 + c1 s + c2 s² + c3 s³.
    init(coefficients c0: Double, _ c1: Double, _ c2: Double, _ c3: Double) {
        self.init(v0: c0, d0: c1, v1: c0 + c1 + c2 + c3, d1: c1 + 2 * c2 + 3 * c3)
    }
}
