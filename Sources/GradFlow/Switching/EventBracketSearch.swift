/// What a pending switch of a pair is while an event is being bracketed.
enum EventKind { case crossing, exit, graze }

/// A pair whose switch may lie in the bracket, with its oriented value v (v ≥ 0 valid)
/// and, when known, dv/dτ at both ends.
struct EventCandidate {
    let pair: Int
    var kind: EventKind
    var vLo: Double, dLo: Double?
    var vHi: Double, dHi: Double?
    /// For crossings: z at hi (the sign the root-finding established).
    var zHi: Double = 0
    /// For grazes: the estimated bracket fraction of the dip.
    var dip: Double = 0
    /// Which sliding value is tracked (for exits and sliding dips): true = lower.
    var lower = true
}

extension EventCandidate {
    /// A candidate of a pair off the sliding surfaces, from its pre-activation z and ż at both ends
    /// of the bracket (v = o z, dv/dτ = o ż).
    init(pair: Int, kind: EventKind, orientation o: DoubleBuffer, zLo: DoubleBuffer, dzLo: DoubleBuffer,
         zHi: DoubleBuffer, dzHi: DoubleBuffer, dip: Double = 0) {
        self.init(pair: pair, kind: kind, vLo: o[pair] * zLo[pair], dLo: o[pair] * dzLo[pair],
                  vHi: o[pair] * zHi[pair], dHi: o[pair] * dzHi[pair], zHi: zHi[pair], dip: dip)
    }

    /// The interpolated first crossing in [lo, hi]: a Hermite cubic when both slopes are known,
    /// a quadratic with only the slope at lo, else the secant. With `grazesAtDip` a graze is
    /// estimated at its dip instead.
    func estimate(lo: Double, hi: Double, grazesAtDip: Bool) -> Double {
        let w = hi - lo
        let s: Double
        if grazesAtDip && kind == .graze {
            s = dip
        } else if let d0 = dLo, let d1 = dHi {
            s = EventHermiteCubic(v0: max(vLo, 0), d0: d0 * w, v1: vHi, d1: d1 * w).firstCrossing()
        } else if let d0 = dLo {
            let v0 = max(vLo, 0)
            s = EventHermiteCubic(coefficients: v0, d0 * w, vHi - v0 - d0 * w, 0).firstCrossing()
        } else {
            let v0 = max(vLo, 0)
            s = v0 / (v0 - vHi)
        }
        return lo + min(max(s, 0), 1) * w
    }
}

/// Narrows a bracket [lo, hi] until the first switch in it is located within a tolerance,
/// shared by the event-locating solvers. Trial times come from the earliest interpolated
/// crossing of the candidates (just past it, by half the tolerance), with bisection when the
/// bracket stalls; while hi is not known to violate, only the grazes' dips are tried.
/// What a trial time means (the state there and which candidates it violates) is the caller's.
struct EventBracketSearch {
    /// What a trial found: the candidates for the new bracket and on which side the trial goes.
    enum Outcome {
        /// Some candidate is violated at the trial: it becomes hi.
        case violating([EventCandidate])
        /// Nothing is violated at the trial: it becomes lo.
        case valid([EventCandidate])
    }

    let tolerance: Double
    /// Whether grazes are estimated at their dip (else like crossings) while hi violates.
    let grazesAtDip: Bool
    private(set) var lo: Double, hi: Double
    /// Whether the state at hi violates the pattern (else only grazes are pending).
    private(set) var hiViolating: Bool
    private(set) var candidates: [EventCandidate]

    init(lo: Double, hi: Double, hiViolating: Bool, candidates: [EventCandidate], tolerance: Double,
         grazesAtDip: Bool) {
        self.lo = lo
        self.hi = hi
        self.hiViolating = hiViolating
        self.candidates = candidates
        self.tolerance = tolerance
        self.grazesAtDip = grazesAtDip
    }

    /// Runs the search; `trial` evaluates the state at a time strictly inside the bracket, given
    /// the current candidates.
    mutating func run(trial: (_ time: Double, _ candidates: [EventCandidate]) throws -> Outcome) rethrows {
        var widths: [Double] = [hi - lo]
        var iteration = 0
        search: while true {
            iteration += 1
            let next: Double
            if !hiViolating {
                // Only grazes: confirm the earliest at its estimated dip.
                guard let g = candidates.filter({ $0.kind == .graze }).min(by: { $0.dip < $1.dip }) else { break }
                next = lo + g.dip * (hi - lo)
            } else {
                let first = candidates.map { $0.estimate(lo: lo, hi: hi, grazesAtDip: grazesAtDip) }.min() ?? lo
                if hi - first <= tolerance || hi - lo <= tolerance { break }
                var guess = first + 0.5 * tolerance
                let stalled = widths.count >= 3 && widths[widths.count - 1] > 0.5 * widths[widths.count - 3]
                if stalled || iteration > 60 || !(guess > lo && guess < hi) { guess = 0.5 * (lo + hi) }
                next = guess
            }
            guard next > lo, next < hi else { break }
            switch try trial(next, candidates) {
            case .violating(let updated):
                hi = next
                hiViolating = true
                candidates = updated
            case .valid(let updated):
                lo = next
                candidates = updated
                if !hiViolating && candidates.isEmpty { break search }
            }
            widths.append(hi - lo)
        }
    }
}
