/// A sliding pair whose equivalent control left [0, 1]: s < 0 releases it to the inactive
/// side, s > 1 to the active side.
struct SlidingExit {
    let pair: Int
    let mode: SwitchingPattern.Mode
}

/// The values that must stay ≥ 0 while pair (k, r) slides: v1 = a_r u_k and
/// v2 = a_r (Δ_k − u_k), with u_k = s_rk Δ_k the equivalent control times the residual.
/// Both ≥ 0 ⟺ s_rk ∈ [0, 1] and a_r Δ_k ≥ 0, i.e. both one-sided fields push into the
/// surface (for one surface: ż on the inactive side = −(a_r/√m) x_kᵀg̃ and on the active side
/// ż − (a_r/√m) Δ_k G_kk have opposite signs with the attracting orientation).
struct SlidingValue {
    let pair: Int
    let lower: Double
    let upper: Double

    var exit: SlidingExit? {
        if lower < 0 && lower <= upper { return SlidingExit(pair: pair, mode: .inactive) }
        if upper < 0 { return SlidingExit(pair: pair, mode: .active) }
        return nil
    }

    /// The smaller of the two, the one whose sign change is an exit.
    var margin: Double { min(lower, upper) }
}

/// The pattern changes at an event (DESIGN §7): transversal crossings, entries into and exits
/// from Filippov sliding. Works on the weights W of the event state and its pre-activations.
struct SwitchingTransitions {
    let kernel: ReLUSwitchingKernel
    let pattern: SwitchingPattern
    /// The flow order: sliding exists only for gradient flow (order 1).
    let order: Int

    /// The sliding values of every sliding pair at pre-activations z (n×m).
    func slidingValues(preactivations z: VectorView, residual: MutableVectorView) -> [SlidingValue] {
        if pattern.groups.isEmpty { return [] }
        kernel.residual(preactivations: z, mask: pattern.mask.readOnly, into: residual)
        var out: [SlidingValue] = []
        for group in pattern.groups {
            out += values(group, residual: residual.readOnly)
        }
        return out
    }

    /// The sliding values of every sliding pair for a given residual (or, since they are
    /// linear in it, their time derivatives for Δ̇ or Δ̈ in place of Δ).
    func slidingValues(residual delta: [Double]) -> [SlidingValue] {
        if pattern.groups.isEmpty { return [] }
        return delta.withView { d in pattern.groups.flatMap { values($0, residual: d) } }
    }

    func values(_ group: SwitchingPattern.SlidingGroup, residual delta: VectorView) -> [SlidingValue] {
        let r = group.neuron, a = kernel.outputWeights[r]
        let u = kernel.equivalentControl(neuron: r, samples: group.samples, inverseGram: group.inverseGram,
                                         residual: delta, mask: pattern.mask.readOnly)
        return group.samples.enumerated().map { q, k in
            SlidingValue(pair: k * pattern.m + r, lower: a * u[q], upper: a * (delta[k] - u[q]))
        }
    }

    /// Applies the changes at an event state with weights w (d×m, modified when pairs enter
    /// sliding: w_r is projected onto its surfaces) and pre-activations z (n×m, of w before
    /// the projection). `crossings` are non-sliding pairs whose sign contradicts their mode;
    /// `exits` are sliding pairs to release.
    func apply(crossings: [Int], exits: [SlidingExit], weights w: MutableVectorView,
               preactivations z: VectorView, residual: MutableVectorView) -> SwitchCounts {
        var counts = SwitchCounts()
        let m = pattern.m
        if order >= 2 {
            for pair in crossings where pattern.mode(pair) != .sliding {
                pattern.setMode(pair, z[pair] >= 0 ? .active : .inactive)
                counts.crossings += 1
            }
            return counts
        }
        kernel.residual(preactivations: z, mask: pattern.mask.readOnly, into: residual)
        let delta = residual.readOnly
        let gram: (Int, Int) -> Double = { kernel.gramEntry($0, $1) }
        for exit in exits where pattern.mode(exit.pair) == .sliding {
            pattern.release(sample: exit.pair / m, neuron: exit.pair % m, to: exit.mode, gram: gram)
            counts.exits += 1
            counts.exits += revalidate(neuron: exit.pair % m, residual: delta)
        }
        for pair in crossings where pattern.mode(pair) != .sliding {
            let i = pair / m, r = pair % m
            if let plan = slidingPlan(sample: i, neuron: r, residual: delta) {
                for (k, mode) in plan.released {
                    pattern.release(sample: k, neuron: r, to: mode, gram: gram)
                    counts.exits += 1
                }
                pattern.commit(plan.group)
                kernel.project(neuron: r, samples: plan.group.samples, inverseGram: plan.group.inverseGram, weights: w)
                counts.entries += 1
            } else {
                pattern.setMode(pair, z[pair] >= 0 ? .active : .inactive)
                counts.crossings += 1
                counts.exits += revalidate(neuron: r, residual: delta)
            }
        }
        return counts
    }

    /// Whether pair (i, r), arriving at its surface, slides: it joins neuron r's sliding set,
    /// and while some member's equivalent control is outside (0, 1) the most violated member
    /// leaves (to the side its s points to). The pair slides when it stays in a valid set;
    /// the plan lists the group and the members released on the way. Nil: it crosses.
    /// (For one surface this is the classical test: both one-sided ż point into the surface.)
    func slidingPlan(sample i: Int, neuron r: Int, residual delta: VectorView)
        -> (group: SwitchingPattern.SlidingGroup, released: [(Int, SwitchingPattern.Mode)])? {
        let m = pattern.m
        let gram: (Int, Int) -> Double = { kernel.gramEntry($0, $1) }
        guard var group = pattern.extendedGroup(neuron: r, sample: i, gram: gram) else { return nil }
        let a = kernel.outputWeights[r]
        // Work on the neuron's mask column; restored before returning.
        let column = (0..<pattern.n).map { pattern.mask[$0 * m + r] }
        defer { for k in 0..<pattern.n { pattern.mask[k * m + r] = column[k] } }
        pattern.mask[i * m + r] = 0
        var released: [(Int, SwitchingPattern.Mode)] = []
        while true {
            let u = kernel.equivalentControl(neuron: r, samples: group.samples, inverseGram: group.inverseGram,
                                             residual: delta, mask: pattern.mask.readOnly)
            let values = zip(group.samples, u).map { k, uk in
                SlidingValue(pair: k * m + r, lower: a * uk, upper: a * (delta[k] - uk))
            }
            guard let worst = values.min(by: { $0.margin < $1.margin }), worst.margin <= 0 else {
                return (group, released)
            }
            let k = worst.pair / m
            if k == i || group.samples.count == 1 { return nil }
            let mode: SwitchingPattern.Mode = worst.lower < worst.upper ? .inactive : .active
            released.append((k, mode))
            pattern.mask[k * m + r] = mode == .active ? 1 : 0
            let samples = group.samples.filter { $0 != k }
            // A subset of independent surfaces stays independent.
            let inverse = SlidingLinearAlgebra.inverse(samples.flatMap { p in samples.map { gram(p, $0) } }, size: samples.count)!
            group = SwitchingPattern.SlidingGroup(neuron: r, samples: samples, inverseGram: inverse)
        }
    }

    /// Releases, one at a time, the pairs of neuron r's sliding set whose equivalent control
    /// left [0, 1] (the most negative first). Returns the number released.
    private func revalidate(neuron r: Int, residual delta: VectorView) -> Int {
        var released = 0
        let gram: (Int, Int) -> Double = { kernel.gramEntry($0, $1) }
        while let group = pattern.group(ofNeuron: r) {
            let worst = values(group, residual: delta).min { $0.margin < $1.margin }!
            guard let exit = worst.exit else { break }
            pattern.release(sample: exit.pair / pattern.m, neuron: r, to: exit.mode, gram: gram)
            released += 1
        }
        return released
    }
}
