import Foundation

/// Newton flow on the network's weights (002 §5.2) through its kinks: GSL steps of the smooth
/// field of `NewtonPieceField` (every pair held in its mode inside a step), every mode change
/// located, and Filippov sliding followed.
///
/// After each accepted step the solver checks every pair against its mode: a held-active pair
/// with z < −b, a held-inactive pair with z > b (b = 1e-12·(1 + max|z(0)|), so that a pair
/// placed on its kink is not flagged again at once), a pinned pair whose sliding value
/// (−x_iᵀF₊ or x_iᵀF₋) turned negative. The earliest violation is located like
/// `PieceEventSolver` does, by fixed steps from the step's start on a bracket, the next trial
/// interpolated linearly from the violating pairs' margins and safeguarded by bisection, to
/// within the event tolerance; the state moves to the bracket's far end. There each violating
/// pair is placed on its kink (w_r moved along x_i by at most the overshoot) and takes the mode
/// its two one-sided rates x_iᵀF₊, x_iᵀF₋ (the neuron's other modes held) give:
/// - both ≥ 0 (≤ 0): active (inactive), a crossing when it changes the mode;
/// - F₊ pushes down and F₋ up: pinned, sliding with the restricted Newton direction (the
///   unique Filippov velocity, see `NewtonPieceField`); w_r is projected onto its surfaces;
/// - F₊ up and F₋ down (repelling): the side z was on.
/// A pinned pair whose upper (lower) sliding value turned negative exits to the active
/// (inactive) side. Pinned neurons are projected back onto their surfaces after each step, so
/// that the integration error does not drift them off.
///
/// A pin whose input is linearly dependent on the neuron's other pinned inputs (its Filippov
/// velocity is not unique) stops the run with an input error naming the time, the pair and
/// `--solver gsl`. In exact arithmetic such a pair stays on its kink by itself (its z is a
/// combination of the pinned ones), so this is a guard, not an expected path.
final class NewtonEventSolver {
    let field: NewtonPieceField
    let stepper: EventStepper
    let eventTolerance: Double
    /// The release band b.
    let band: Double
    var statistics = SwitchingStatistics()
    var budget: WorkBudget?
    /// Every switch when logging.
    var eventLog: [SwitchEvent]?
    private(set) var t: Double
    let y: DoubleBuffer
    private let dydt: DoubleBuffer
    private var dydtValid = false
    private let start: DoubleBuffer
    private let startDydt: DoubleBuffer
    private let trial: DoubleBuffer
    private let far: DoubleBuffer
    private let near: DoubleBuffer
    private var h: Double

    init(network: ReLUNetwork, flow: NewtonFlow, stepper: Stepper, tolerances: Tolerances, eventTolerance: Double,
         startTime: Double, initialState: [Double], initialStep: Double) throws {
        field = try NewtonPieceField(network: network, weights: initialState, relativeCutoff: flow.relativeCutoff)
        self.stepper = try EventStepper(stepper: stepper, tolerances: tolerances, system: field)
        self.eventTolerance = eventTolerance
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

    func advance(to target: Double) throws {
        while t < target {
            try budget?.check(evaluations: stepper.evaluations, time: t)
            if !dydtValid {
                guard stepper.derivative(t: t, y: y, into: dydt) else { throw EarlyStop.diverged(time: t) }
                dydtValid = true
            }
            let length = min(h, target - t)
            let reaches = length == target - t
            start.copyContents(from: y)
            startDydt.copyContents(from: dydt)
            switch stepper.attempt(t: t, h: length, y: y, dydt: dydt, saved: start) {
            case .rejected(let retry):
                statistics.rejectedSteps += 1
                h = retry
                continue
            case .failed:
                throw EarlyStop.diverged(time: t)
            case .accepted(let next):
                statistics.steps += 1
                dydtValid = false
                projectPinnedNeurons(y)
                let off = violations(at: y)
                if off.isEmpty {
                    statistics.accountSliding(pairs: field.pinnedCount, over: length)
                    t = reaches ? target : t + length
                    h = next
                    continue
                }
                try locate(from: t, length: length, offAtEnd: off)
                h = max(length, 16 * eventTolerance)
            }
        }
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
            let v = field.slidingValues(sample: k / field.m, neuron: k % field.m)
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

    /// Locates the earliest violation in (t0, t0 + length] (see the type's notes) and applies
    /// the mode changes there.
    private func locate(from t0: Double, length: Double, offAtEnd: [Int]) throws {
        var lo = 0.0, hi = length
        far.copyContents(from: y)
        near.copyContents(from: start)
        var candidates = offAtEnd
        // The candidates' margins at far (b) and near (a); `field` is updated at far.
        var b = candidates.map { margin($0) }
        field.update(weights: near.readOnly)
        var a = candidates.map { margin($0) }
        var bisectNext = false
        while hi - lo > eventTolerance {
            var estimate = hi
            for (va, vb) in zip(a, b) where va >= 0 && vb < 0 {
                estimate = min(estimate, lo + (hi - lo) * va / (va - vb))
            }
            if hi - estimate <= eventTolerance { break }
            var next = min(estimate + 0.5 * eventTolerance, hi)
            if bisectNext || !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if next <= lo || next >= hi { break }
            guard stepper.fixedStep(t: t0, h: next, from: start, dydt: startDydt, into: trial) else {
                throw EarlyStop.diverged(time: t0 + next)
            }
            statistics.locationSteps += 1
            projectPinnedNeurons(trial)
            let off = violations(at: trial)
            let width = hi - lo
            if off.isEmpty {
                lo = next
                near.copyContents(from: trial)
                a = candidates.map { margin($0) }
            } else {
                hi = next
                far.copyContents(from: trial)
                candidates = off
                b = candidates.map { margin($0) }
                field.update(weights: near.readOnly)
                a = candidates.map { margin($0) }
            }
            bisectNext = !bisectNext && hi - lo > 0.5 * width
        }
        y.copyContents(from: far)
        statistics.accountSliding(pairs: field.pinnedCount, over: hi)
        t = t0 + hi
        for k in candidates.sorted() { try switchMode(of: k) }
        statistics.eventTimes += 1
        statistics.pieces += 1
        statistics.maxSlidingPairs = max(statistics.maxSlidingPairs, field.pinnedCount)
        stepper.reset()
        dydtValid = false
    }

    /// Places pair k on its kink and gives it the mode its one-sided rates call for.
    private func switchMode(of k: Int) throws {
        let i = k / field.m, r = k % field.m
        field.update(weights: y.readOnly)
        let old = field.modes[k]
        let z = field.preactivation(k)
        if old == .pinned {
            let v = field.slidingValues(sample: i, neuron: r)
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
        let up = field.oneSidedRate(sample: i, neuron: r, active: true)
        let down = field.oneSidedRate(sample: i, neuron: r, active: false)
        field.placeOnKink(sample: i, neuron: r, weights: y.view)
        if up < 0 && down > 0 {
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

    /// Pins pair (i, r) (placed on its kink) and projects w_r onto its surfaces; refuses a pin
    /// whose input depends on the neuron's other pinned inputs.
    func pin(sample i: Int, neuron r: Int) throws {
        guard field.setMode(sample: i, neuron: r, to: .pinned) else {
            throw InputError(.solver, value: "events",
                             allowed: "Newton flow pins sample \(i) of neuron \(r) at t = \(t) with an input dependent on the neuron's other sliding inputs (samples \(field.pins[r].map(String.init).joined(separator: ", "))), where its Filippov motion is not unique; use --solver gsl")
        }
        projectPinnedNeurons(y)
        statistics.add(SwitchCounts(entries: 1))
        eventLog?.append(SwitchEvent(time: t, sample: i, neuron: r, kind: .slidingEntry))
    }
}
