/// Gradient flow through Filippov sliding in the kinetic solver (002 eq. 4.3 with the sliding
/// of §4, DESIGN §7).
///
/// Between events a sliding neuron moves with the equivalent-control field
/// ẇ_r = −c_r P_r^⊥ Xᵀ(d_r ∘ Δ) and the errors still solve Δ' = −H_P Δ with a constant kernel
/// (`KineticSlidingNeurons`), so the series, the closed forms and the queue carry over:
/// a non-sliding pair of a sliding neuron is bounded with its projected row, a sliding pair's
/// queue slot holds the safe time of its exit (`SafeTimeBound.exitTime`). At an event the
/// transitions follow `SwitchingTransitions.apply` (the exact pieces' and GSL events'
/// conventions): exits first, each followed by a revalidation of its neuron's set; then the
/// crossings, each tested for sliding (`slidingPlan`: the pair joins the set, the most violated
/// members leave until all equivalent controls are in [0, 1], or the pair crosses), and a
/// crossing on a sliding neuron revalidates its set.
extension KineticPiecesSolver {
    /// The pattern changes at an event at `time` for the pairs in `switching` (values at
    /// `time`), on the state in `switchState`. Returns the counts.
    func applyGradientFlowSwitches(at time: Double) -> SwitchCounts {
        var counts = SwitchCounts()
        exitsAtEvent.removeAll(keepingCapacity: true)
        for entry in switching where pattern.mode(entry.pair) == .sliding { exitsAtEvent.append(entry.pair) }
        let delta = switchState.readOnly.slice(0, n)
        for pair in exitsAtEvent {
            let r = pair % m
            // Its neuron is re-bounded in any case (its key was taken off the queue).
            switchedNeurons.append(r)
            guard pattern.mode(pair) == .sliding, let group = pattern.group(ofNeuron: r),
                  let exit = transitions.values(group, residual: delta).first(where: { $0.pair == pair })?.exit
            else { continue }
            release(pair, to: exit.mode, at: time)
            counts.exits += 1
            counts.exits += revalidate(neuron: r, at: time)
        }
        for (pair, z, _) in switching where !exitsAtEvent.contains(pair) {
            let i = pair / m, r = pair % m
            // A neuron without sliding pairs: the one-surface test first (no allocation).
            let candidate = sliding.isSliding(r) || slidesAlone(sample: i, neuron: r, residual: delta)
            if candidate, let plan = transitions.slidingPlan(sample: i, neuron: r, residual: delta) {
                for (k, mode) in plan.released {
                    release(k * m + r, to: mode, at: time)
                    counts.exits += 1
                }
                enter(pair, group: plan.group, z: z, at: time)
                counts.entries += 1
            } else {
                cross(pair, z: z, zRate: 0, at: time)
                counts.crossings += 1
                if sliding.isSliding(r) { counts.exits += revalidate(neuron: r, at: time) }
            }
        }
        return counts
    }

    /// Whether crossing pair (i, r) of a neuron without sliding pairs slides: `slidingPlan`'s
    /// test for S = {i} (both sliding values of u = −G_ii⁻¹ K_{i·}(d_r ∘ Δ), d_ir = 0, positive),
    /// with the same arithmetic as `ReLUSwitchingKernel.equivalentControl`, so the decision is
    /// the same, and without its allocations (most crossings do not slide).
    private func slidesAlone(sample i: Int, neuron r: Int, residual delta: VectorView) -> Bool {
        var s = 0.0
        for j in 0..<n where j != i { s += kernel.gramEntry(i, j) * delta[j] * pattern.mask[j * m + r] }
        let u = -((1 / kernel.gramEntry(i, i)) * s)
        let a = kernel.outputWeights[r]
        return min(a * u, a * (delta[i] - u)) > 0
    }

    /// Pair (i, r) with value z joins its neuron's sliding set as `group` (S_r ∪ {i}): an
    /// active pair's term leaves f_i (a mask change under the old set), H_P loses the new
    /// surface's rank-one term, and w_r is projected onto the surface (`rebase`, which moves
    /// Δ by the projection's jump).
    private func enter(_ pair: Int, group: SwitchingPattern.SlidingGroup, z: Double, at time: Double) {
        let i = pair / m, r = pair % m
        if pattern.mode(pair) == .active { changeMask(pair, to: 0, z: z, zRate: 0, at: time) }
        sliding.updateKernel(surface: i, neuron: r, joining: true, series: series)
        // The rank-one term: ‖ΔH_P‖ = c_r² ‖D_r X P^⊥x_i‖²/‖P^⊥x_i‖² ≤ c_r² λmax(K).
        kernelChange += couplings[r] * bound.gramRoot * bound.gramRoot
        let y = switchState
        sliding.rebase(neuron: r, onto: group.samples, inverse: group.inverseGram, at: time, state: y.readOnly,
                       residual: y.view.slice(0, n))
        pattern.commit(group)
        sliding.setGroup(neuron: r, samples: group.samples, inverseGram: group.inverseGram)
        switchedNeurons.append(r)
    }

    /// Sliding pair (k, r) leaves its surface to `mode`: the virtual neuron is moved onto w_r
    /// (no jump), the set shrinks (H_P regains the surface's rank-one term), and a pair
    /// released to the active side enters f_k (z_k = 0 up to rounding).
    private func release(_ pair: Int, to mode: SwitchingPattern.Mode, at time: Double) {
        let k = pair / m, r = pair % m
        guard let group = pattern.group(ofNeuron: r) else { return }
        let y = switchState
        sliding.rebase(neuron: r, onto: group.samples, inverse: group.inverseGram, at: time, state: y.readOnly,
                       residual: nil)
        pattern.release(sample: k, neuron: r, to: mode, gram: { self.kernel.gramEntry($0, $1) })
        let rest = pattern.group(ofNeuron: r)
        sliding.setGroup(neuron: r, samples: rest?.samples ?? [], inverseGram: rest?.inverseGram ?? [])
        sliding.updateKernel(surface: k, neuron: r, joining: false, series: series)
        kernelChange += couplings[r] * bound.gramRoot * bound.gramRoot
        if mode == .active {
            let z = sliding.isSliding(r) ? sliding.value(sample: k, neuron: r, at: time, state: y.readOnly, generation: -1).z
                : pairs.evaluate(sample: k, neuron: r, at: time, state: y.readOnly).z
            changeMask(pair, to: 1, z: z, zRate: 0, at: time)
        }
        switchedNeurons.append(r)
    }

    /// Releases, one at a time, the members of neuron r's set whose equivalent control left
    /// [0, 1] (the most violated first, `SwitchingTransitions`). Returns the number released.
    private func revalidate(neuron r: Int, at time: Double) -> Int {
        var released = 0
        let delta = switchState.readOnly.slice(0, n)
        while let group = pattern.group(ofNeuron: r) {
            guard let worst = transitions.values(group, residual: delta).min(by: { $0.margin < $1.margin }),
                  let exit = worst.exit else { break }
            release(exit.pair, to: exit.mode, at: time)
            released += 1
        }
        return released
    }

    /// W and the Filippov velocity of the sliding neurons: the pair kernel's columns (the
    /// virtual ŵ_r and −c_r Xᵀ(d_r ∘ Δ)) projected by P_r^⊥.
    func projectSlidingNeurons(weights: MutableVectorView, velocities: MutableVectorView) {
        for group in pattern.groups {
            kernel.projectColumn(neuron: group.neuron, samples: group.samples, inverseGram: group.inverseGram, of: weights)
            kernel.projectColumn(neuron: group.neuron, samples: group.samples, inverseGram: group.inverseGram,
                                 of: velocities)
        }
    }

    /// A sliding pair's exit safe time from the cached state (`SafeTimeBound.exitTime`), and
    /// its kernel-change threshold registered.
    func exitSafeTime(_ pair: Int) -> Double {
        if residualNormCache.generation != stateGeneration {
            residualNormCache = (stateGeneration, values.readOnly.slice(0, n).norm)
        }
        // Each sliding value with its own rate and norm (a value that cannot move, such as
        // lower ≡ 0 on a neuron without active pairs, never exits).
        let e = sliding.exit(sample: pair / m, neuron: pair % m)
        let low = bound.exitTime(margin: e.lower, rate: e.lowerRate, norm: e.lowerNorm,
                                 residualNorm: residualNormCache.value, rateNorm: sliding.rateNorm)
        let up = bound.exitTime(margin: e.upper, rate: e.upperRate, norm: e.upperNorm,
                                residualNorm: residualNormCache.value, rateNorm: sliding.rateNorm)
        let tau = min(low.time, up.time), budget = min(low.budget, up.budget)
        let threshold = kernelChange + budget
        if budgetThresholds.isEmpty { budgetThresholds = [Double](repeating: .infinity, count: n * m) }
        budgetThresholds[pair] = threshold
        if threshold.isFinite { budgetHeap.push(threshold, pair: pair) }
        // Re-bounded pairs leave stale entries behind: keep the heap within a few entries per
        // sliding pair (amortized O(1) per push).
        if budgetHeap.count > 4 * max(sliding.slidingPairs, 256) {
            budgetHeap.compact { threshold, pair in budgetThresholds[pair] == threshold && pattern.mode(pair) == .sliding }
        }
        return tau
    }

    /// After the switches at `time`: every sliding pair whose kernel-change threshold Ψ has
    /// passed is due now (its safe time held up to this instant).
    func expireBudgets(at time: Double) {
        while let (threshold, pair) = budgetHeap.minimum, threshold < kernelChange {
            budgetHeap.pop()
            guard budgetThresholds[pair] == threshold else { continue }
            budgetThresholds[pair] = .infinity
            if pattern.mode(pair) == .sliding { setKey(pair, time) }
        }
    }

    /// Adds the sliding pairs' time since the last count (`SwitchingStatistics.slidingPairTime`).
    func accountSliding(until time: Double) {
        statistics.accountSliding(pairs: pattern.slidingPairCount, over: time - slidingCountedUntil)
        slidingCountedUntil = time
    }
}
