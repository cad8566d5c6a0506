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
    let kernel: SwitchingWeightKernel
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

    private func values(_ group: SwitchingPattern.SlidingGroup, residual delta: VectorView) -> [SlidingValue] {
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
            let a = kernel.outputWeights[r]
            var slides = false
            if let candidate = pattern.extendedGroup(neuron: r, sample: i, gram: gram) {
                // Equivalent control with the arriving pair on its surface (mask 0).
                let saved = pattern.mask[pair]
                pattern.mask[pair] = 0
                let u = kernel.equivalentControl(neuron: r, samples: candidate.samples, inverseGram: candidate.inverseGram,
                                                 residual: delta, mask: pattern.mask.readOnly)
                pattern.mask[pair] = saved
                slides = zip(candidate.samples, u).allSatisfy { k, uk in a * uk > 0 && a * (delta[k] - uk) > 0 }
                if slides {
                    pattern.commit(candidate)
                    kernel.project(neuron: r, samples: candidate.samples, inverseGram: candidate.inverseGram, weights: w)
                    counts.entries += 1
                }
            }
            if !slides {
                pattern.setMode(pair, z[pair] >= 0 ? .active : .inactive)
                counts.crossings += 1
                counts.exits += revalidate(neuron: r, residual: delta)
            }
        }
        return counts
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
