import Foundation

/// Newton flow on the network's weights (002 §5.2) through its kinks: GSL steps of the smooth
/// field of `NewtonPieceField` (every pair held in its mode inside a step), every mode change
/// located, and Filippov sliding followed.
///
/// After each accepted step the solver checks every pair against its mode: a held-active pair
/// with z < −b, a held-inactive pair with z > b (b = 1e-12·(1 + max|z(0)|), so that a pair
/// placed on its kink is not flagged again at once), a pinned pair whose sliding value
/// u = −x_iᵀF₊ or l = x_iᵀF₋ (both ρ·Δ for a row ρ) fell below its noise −ε‖ρ‖₁
/// (`slidingMargins`, ε = 100·atol). The earliest violation is located by fixed steps from the
/// step's start on a bracket (`EventBracketSearch`: the next trial from Hermite cubics of the
/// violating pairs' margins and their rates, safeguarded by bisection), to within the event
/// tolerance; the state moves to the bracket's far end. There each violating pair is placed on
/// its kink (w_r moved along x_i by at most the overshoot) and takes the mode its two one-sided
/// rates x_iᵀF₊, x_iᵀF₋ (the neuron's other modes held) give:
/// - neither pushes off the kink by more than its noise (F₊ down, F₋ up): pinned, sliding with
///   the restricted Newton direction (the unique Filippov velocity, see `NewtonPieceField`);
///   w_r is projected onto its surfaces;
/// - else both ≥ 0 (≤ 0): active (inactive), a crossing when it changes the mode;
/// - else (F₊ up, F₋ down, repelling): the side z was on.
/// A pinned pair whose u (l) fell below its noise exits to the active (inactive) side; the
/// entry rule is the complement of the exit rule. Pinned neurons are projected back onto their
/// surfaces after each step, so that the integration error does not drift them off.
///
/// The run stops (`EarlyStop`, keeping the samples so far, with a one-line message naming the
/// time, the neuron and `--solver gsl`) where the Filippov motion is not unique: a pin whose
/// input depends on the neuron's other pinned inputs, or the d-th pin of a neuron, which puts
/// w_r at 0 where all of its kinks meet (seen at n = 6, d = 3, m = 8, seed 0, t ≈ 0.092);
/// and where events cascade without advancing time (`guardAgainstCascade`).
final class NewtonEventSolver: HeldPieceStepping {
    let field: NewtonPieceField
    let stepper: EventStepper
    let eventTolerance: Double
    /// The release band b.
    let band: Double
    /// The noise assumed in Δ's entries when deciding the sign of a rate ρ·Δ (sliding values,
    /// one-sided rates): 100 times the absolute tolerance. At the loss's noise floor (‖Δ‖ of a
    /// few atol, measured at n = 20, d = 10, m = 2000) the rates' signs are noise; below this
    /// band they count as 0, so the pairs stay on their kinks instead of switching at random.
    let noise: Double
    var statistics = SwitchingStatistics()
    var budget: WorkBudget?
    /// Every switch when logging.
    var eventLog: [SwitchEvent]?
    var t: Double
    let y: DoubleBuffer
    let dydt: DoubleBuffer
    var dydtValid = false
    let start: DoubleBuffer
    let startDydt: DoubleBuffer
    private let trial: DoubleBuffer
    private let far: DoubleBuffer
    private let near: DoubleBuffer
    private let nearDydt: DoubleBuffer
    private let trialDydt: DoubleBuffer
    var h: Double
    /// The last event time and the number of event times in a row within the tolerance.
    private var lastEventTime = -Double.infinity
    private var cascade = 0

    init(network: ReLUNetwork, flow: NewtonFlow, stepper: Stepper, tolerances: Tolerances, eventTolerance: Double,
         startTime: Double, initialState: [Double], initialStep: Double) throws {
        field = try NewtonPieceField(network: network, weights: initialState, relativeCutoff: flow.relativeCutoff)
        self.stepper = try EventStepper(stepper: stepper, tolerances: tolerances, system: field)
        self.eventTolerance = eventTolerance
        noise = 100 * tolerances.absolute
        precondition(initialState.count == field.dimension)
        band = 1e-12 * (1 + (field.products.preactivations.array.map(abs).max() ?? 0))
        t = startTime
        h = initialStep
        y = DoubleBuffer(initialState)
        dydt = DoubleBuffer(count: field.dimension)
        start = DoubleBuffer(count: field.dimension)
        startDydt = DoubleBuffer(count: field.dimension)
        trial = DoubleBuffer(count: field.dimension)
        far = DoubleBuffer(count: field.dimension)
        near = DoubleBuffer(count: field.dimension)
        nearDydt = DoubleBuffer(count: field.dimension)
        trialDydt = DoubleBuffer(count: field.dimension)
        statistics.method = SwitchingMethod.gslEvents(stepper: stepper, tolerances: tolerances).name
        statistics.errorNorm = "max (GSL standard control)"
        statistics.eventTolerance = eventTolerance
        statistics.pieces = 1
    }

    /// ẇ at the current state with the held modes (the Filippov velocity on sliding neurons).
    func currentVelocity() -> [Double] {
        let v = DoubleBuffer(count: field.dimension)
        field.evaluate(t: t, state: y.readOnly, derivative: v.view)
        return v.array
    }

    /// Pinned neurons are projected back onto their kinks first.
    func pairsLeftTheirPieces() -> [Int] {
        projectPinnedNeurons(y)
        return violations(at: y)
    }

    func advanced(over length: Double) {
        statistics.accountSliding(pairs: field.pinnedCount, over: length)
    }

    private func projectPinnedNeurons(_ b: DoubleBuffer) {
        for r in 0..<field.m where !field.pins[r].isEmpty { field.projectOntoSurfaces(neuron: r, weights: b.view) }
    }

    /// The margin of pair k at the last `field.update` (< 0: off its mode).
    private func margin(_ k: Int) -> Double {
        let z = field.preactivation(k)
        switch field.modes[k] {
        case .active: return z + band
        case .inactive: return band - z
        case .pinned:
            let v = slidingMargins(k)
            return min(v.upper, v.lower)
        }
    }

    /// The pairs off their modes at state b (b's pinned neurons already on their surfaces), in
    /// increasing order; `field` is left updated at b.
    private func violations(at b: DoubleBuffer) -> [Int] {
        field.update(weights: b.readOnly)
        var off = field.products.pairsOffTheirSides(band: band)
        var pinnedOff: [Int] = []
        for r in 0..<field.m {
            for i in field.pins[r] where margin(i * field.m + r) < 0 { pinnedOff.append(i * field.m + r) }
        }
        if !pinnedOff.isEmpty { off = (off + pinnedOff).sorted() }
        return off
    }

    /// The margin of pair k and its rate at the last `field.update` and `field.updateRates`.
    private func marginAndRate(_ k: Int) -> (value: Double, rate: Double) {
        let z = field.preactivation(k), dz = field.preactivationRate(k)
        switch field.modes[k] {
        case .active: return (z + band, dz)
        case .inactive: return (band - z, -dz)
        case .pinned:
            let v = slidingMargins(k), rate = field.slidingRates(sample: k / field.m, neuron: k % field.m)
            return v.upper <= v.lower ? (v.upper, rate.upper) : (v.lower, rate.lower)
        }
    }

    /// A pinned pair's sliding values widened by their noise: Δ carries the integration error
    /// of W, so a sliding value is taken as negative only below −`noise`·‖ρ‖₁. Without this, once the loss reaches its noise floor the
    /// sliding values (linear in Δ) change sign at random and every pinned pair chatters in and
    /// out of its surface.
    private func slidingMargins(_ k: Int) -> (upper: Double, lower: Double) {
        let i = k / field.m, r = k % field.m
        let v = field.slidingValues(sample: i, neuron: r), s = field.slidingSensitivities(sample: i, neuron: r)
        return (v.upper + noise * s.upper, v.lower + noise * s.lower)
    }

    /// The margins and rates of `pairs` at state b with velocity v.
    private func marginsAndRates(_ pairs: [Int], at b: DoubleBuffer, velocity v: DoubleBuffer) -> [(value: Double, rate: Double)] {
        field.update(weights: b.readOnly)
        field.updateRates(velocity: v.readOnly)
        return pairs.map { marginAndRate($0) }
    }

    private func candidates(_ pairs: [Int], lo: [(value: Double, rate: Double)], hi: [(value: Double, rate: Double)]) -> [EventCandidate] {
        zip(pairs, zip(lo, hi)).map { k, ends in
            EventCandidate(pair: k, kind: .crossing, vLo: ends.0.value, dLo: ends.0.rate, vHi: ends.1.value, dHi: ends.1.rate)
        }
    }

    /// Locates the earliest violation in (t0, t0 + length] (see the type's notes) with
    /// `EventBracketSearch`: each candidate's margin (z, or a sliding value, both with their
    /// rates from Ẇ) is interpolated by a Hermite cubic on the bracket, and each trial is one
    /// fixed step from the step's start plus one derivative. Then applies the mode changes.
    func locate(from t0: Double, length: Double, offAtEnd: [Int]) throws {
        far.copyContents(from: y)
        near.copyContents(from: start)
        nearDydt.copyContents(from: startDydt)
        guard stepper.derivative(t: t0 + length, y: far, into: trialDydt) else { throw EarlyStop.diverged(time: t0 + length) }
        let hiEnds = marginsAndRates(offAtEnd, at: far, velocity: trialDydt)
        let loEnds = marginsAndRates(offAtEnd, at: near, velocity: nearDydt)
        var search = EventBracketSearch(lo: 0, hi: length, hiViolating: true, candidates: candidates(offAtEnd, lo: loEnds, hi: hiEnds),
                                        tolerance: eventTolerance, grazesAtDip: false)
        try search.run { next, current in
            guard stepper.fixedStep(t: t0, h: next, from: start, dydt: startDydt, into: trial) else {
                throw EarlyStop.diverged(time: t0 + next)
            }
            statistics.locationSteps += 1
            projectPinnedNeurons(trial)
            let off = violations(at: trial)
            guard stepper.derivative(t: t0 + next, y: trial, into: trialDydt) else { throw EarlyStop.diverged(time: t0 + next) }
            if off.isEmpty {
                near.copyContents(from: trial)
                nearDydt.copyContents(from: trialDydt)
                let pairs = current.map(\.pair)
                let ends = marginsAndRates(pairs, at: near, velocity: nearDydt)
                return .valid(zip(current, ends).map { c, e in
                    var c = c
                    c.vLo = e.value
                    c.dLo = e.rate
                    return c
                })
            }
            far.copyContents(from: trial)
            let hi = marginsAndRates(off, at: far, velocity: trialDydt)
            let lo = marginsAndRates(off, at: near, velocity: nearDydt)
            return .violating(candidates(off, lo: lo, hi: hi))
        }
        y.copyContents(from: far)
        statistics.accountSliding(pairs: field.pinnedCount, over: search.hi)
        t = t0 + search.hi
        for k in search.candidates.map(\.pair).sorted() { try switchMode(of: k) }
        try guardAgainstCascade(neuron: (search.candidates.map(\.pair).min() ?? 0) % field.m)
        statistics.eventTimes += 1
        statistics.pieces += 1
        statistics.maxSlidingPairs = max(statistics.maxSlidingPairs, field.pinnedCount)
        stepper.reset()
        dydtValid = false
    }

    /// Stops a cascade of events that do not advance time (a Zeno point, such as a neuron
    /// driven into w_r = 0 where all its kinks meet): more than 4n + 16 event times in a row,
    /// each within the event tolerance of the last.
    private func guardAgainstCascade(neuron r: Int) throws {
        if t - lastEventTime <= eventTolerance { cascade += 1 } else { cascade = 0 }
        lastEventTime = t
        guard cascade <= 4 * field.n + 16 else {
            throw stop("Newton flow switches \(cascade) times within the event tolerance \(eventTolerance) before t = \(t) (the last at neuron \(r)), a point its events cannot pass; use --solver gsl")
        }
    }

    /// Places pair k on its kink and gives it the mode its one-sided rates call for.
    private func switchMode(of k: Int) throws {
        let i = k / field.m, r = k % field.m
        field.update(weights: y.readOnly)
        let old = field.modes[k]
        let z = field.preactivation(k)
        if old == .pinned {
            let v = slidingMargins(k)
            guard min(v.upper, v.lower) < 0 else { return }
            let exit: NewtonPieceField.Mode
            if v.upper < 0 && v.lower >= 0 { exit = .active } else if v.lower < 0 && v.upper >= 0 { exit = .inactive } else {
                exit = z >= 0 ? .active : .inactive
            }
            _ = field.setMode(sample: i, neuron: r, to: exit)
            field.placeOnKink(sample: i, neuron: r, weights: y.view)
            projectPinnedNeurons(y)
            statistics.add(SwitchCounts(exits: 1))
            eventLog?.append(SwitchEvent(time: t, sample: i, neuron: r, kind: .slidingExit))
            return
        }
        guard margin(k) < 0 else { return }
        let upper = field.oneSidedRateAndSensitivity(sample: i, neuron: r, active: true)
        let lower = field.oneSidedRateAndSensitivity(sample: i, neuron: r, active: false)
        let up = upper.rate, down = lower.rate
        field.placeOnKink(sample: i, neuron: r, weights: y.view)
        // Pinned unless a side clearly pushes off the kink: the complement of the exit rule
        // (`slidingMargins`), so that a pair whose rates are both within the noise of Δ (once
        // the loss is at its floor) stays on its kink instead of chattering across it.
        if up < noise * upper.sensitivity && down > -noise * lower.sensitivity {
            try pin(sample: i, neuron: r)
            return
        }
        let mode: NewtonPieceField.Mode
        if up >= 0 && down >= 0 { mode = .active } else if up <= 0 && down <= 0 { mode = .inactive } else {
            mode = z >= 0 ? .active : .inactive
        }
        guard mode != old else { return }
        _ = field.setMode(sample: i, neuron: r, to: mode)
        statistics.add(SwitchCounts(crossings: 1))
        eventLog?.append(SwitchEvent(time: t, sample: i, neuron: r, kind: .crossing))
    }

    /// Pins pair (i, r) (placed on its kink) and projects w_r onto its surfaces. Stops the run
    /// (`EarlyStop`, keeping the samples so far) at a pin whose input depends on the neuron's
    /// other pinned inputs, or that would complete a basis of R^d: that pins w_r = 0, where all
    /// of the neuron's kinks meet and the Filippov motion is not unique.
    func pin(sample i: Int, neuron r: Int) throws {
        let others = field.pins[r].map(String.init).joined(separator: ", ")
        guard field.pins[r].count + 1 < field.d else {
            throw stop("Newton flow pins sample \(i) of neuron \(r) at t = \(t) after samples \(others): \(field.d) independent kinks put w_r at 0, where all its kinks meet and its Filippov motion is not unique; use --solver gsl")
        }
        guard field.setMode(sample: i, neuron: r, to: .pinned) else {
            throw stop("Newton flow pins sample \(i) of neuron \(r) at t = \(t) with an input dependent on the neuron's other sliding inputs (samples \(others)), where its Filippov motion is not unique; use --solver gsl")
        }
        projectPinnedNeurons(y)
        statistics.add(SwitchCounts(entries: 1))
        eventLog?.append(SwitchEvent(time: t, sample: i, neuron: r, kind: .slidingEntry))
    }

    /// The early stop of a run that the events solver cannot continue.
    private func stop(_ message: String) -> EarlyStop { .limitReached(time: t, message: message) }
}
