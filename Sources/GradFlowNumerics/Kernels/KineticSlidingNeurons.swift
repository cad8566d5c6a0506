import Foundation

/// A sliding pair's two sliding values (`SlidingValue`: it exits when one turns negative),
/// their rates and their norms as linear functionals of the errors Δ.
public struct KineticExitValue: Sendable {
    public var lower: Double, upper: Double
    public var lowerRate: Double, upperRate: Double
    public var lowerNorm: Double, upperNorm: Double
}

/// Filippov sliding in the kinetic solver's gradient flow (002 eq. 4.3 with the sliding of
/// 002 §4; DESIGN §7): the per-neuron corrections that turn `KineticPairKernel`'s closed forms
/// into those of the equivalent-control field.
///
/// Neuron r slides on the surfaces z_rs = 0, s ∈ S_r (mask d_sr = 0). Its Filippov velocity
/// is ẇ_r = −c_r P_r^⊥ Xᵀ(d_r ∘ Δ), P_r^⊥ = I − X_Sᵀ G_S⁻¹ X_S the projector orthogonal to
/// span{x_s : s ∈ S_r} (G_S = X_S X_Sᵀ), which is −∇_r of `ReLUSwitchingKernel` with the
/// equivalent control u = −G_S⁻¹ X_S Xᵀ(d_r ∘ Δ). So between events
///
///     w_r(t) = P_r^⊥ ŵ_r(t),   ŵ_r(t) = α_r − c_r Xᵀ(d_r ∘ R(t)),   R' = Δ,
///
/// ŵ_r being the pair kernel's (unprojected) neuron, since P^⊥ w_r = w_r on the surfaces. With
/// the virtual values z̃_ri = x_iᵀŵ_r and f̃_ri = −c_r (K_i ∘ d_r)·Δ of `KineticPairKernel`
/// (K = XXᵀ), every pair follows from its neuron's sliding samples in O(n|S| + |S|²):
///
///     z_ri = z̃_ri − K_{iS} G_S⁻¹ z̃_S,   ż_ri = f̃_ri − K_{iS} G_S⁻¹ f̃_S,
///
/// and the sliding values (`SlidingValue`, θ_s ∈ [0, 1] ⟺ both ≥ 0) are
/// lower_s = a_r u_s = (a_r/c_r)(G_S⁻¹ f̃_S)_s and upper_s = a_r Δ_s − lower_s.
///
/// The error kernel is H_P = Σ_r c_r² D_r (K − Q_r) D_r, Q_r = K_{·S} G_S⁻¹ K_{S·}
/// (Δ' = −H_P Δ). When s joins S (or leaves it), Q_r changes by the rank-one term q qᵀ/γ,
/// q = K_{·s} − K_{·S'} G_{S'}⁻¹ K_{S's} (S' the set without s), γ = q_s = ‖P_{S'}^⊥ x_s‖²:
/// O(n²). A mask change of a sliding neuron's pair changes row and column i by δc_r²(K − Q_r)_i
/// (O(n|S|) on top of the pair kernel's O(n)). At a change of S_r the virtual neuron is moved
/// onto the true one, ŵ_r ← P_U^⊥ ŵ_r (U = S_r ∪ S_r', `rebase`): an exit leaves w_r as it is,
/// an entry projects it onto the new surface, as `ReLUSwitchingKernel.project` does.
public final class KineticSlidingNeurons {
    public let n: Int, d: Int, m: Int
    private let inputs: DoubleBuffer
    private let gram: DoubleBuffer
    private let scaledOutput: DoubleBuffer
    private let outputWeights: [Double]
    private let pairs: KineticPairKernel
    /// The error series, whose kernel H_P gives Δ̇ = −H_P Δ for the sliding values' rates.
    private let series: KineticErrorSeries
    /// Δ̇ of the state generation `rateGeneration`, and its norm.
    private let residualRate: DoubleBuffer
    private var rateGeneration = -1
    public private(set) var rateNorm = 0.0
    /// The sliding values' norm bounds (`exitNorm`), m×n by (neuron, sample), valid for the
    /// neurons whose mask and sliding set have not changed since they were computed.
    private let exitNorms: DoubleBuffer
    private var exitNormsValid: [Bool]
    /// ρ_r = min(√λmax(K), ‖D_r X‖_F) (`projectedRowBound`), valid with the exit norms.
    private var activeRoots: [Double]
    /// The sliding values of the last `value` of a sliding pair, and of the last `correctNeuron`.
    private var lastExit = KineticExitValue(lower: 0, upper: 0, lowerRate: 0, upperRate: 0, lowerNorm: 0, upperNorm: 0)
    private var lastExitPair = (-1, -1)
    private var neuronExits: [KineticExitValue]
    private var neuronExitsOf = -1
    /// √λmax(K) (with its margin), for the bounds of the projected rows.
    private let gramRoot: Double
    /// S_r (ascending) and G_S⁻¹ (|S|×|S| row-major) of every neuron; empty when it does not slide.
    public private(set) var samples: [[Int]]
    public private(set) var inverses: [[Double]]
    /// Σ_r |S_r|.
    public private(set) var slidingPairs = 0
    /// One neuron's corrected values (`correctNeuron`), by sample.
    private let outZ: DoubleBuffer, outRate: DoubleBuffer, outNorm: DoubleBuffer
    /// Scratch of length n: coefficient vectors and a projected column.
    private let coefficientA: DoubleBuffer, coefficientB: DoubleBuffer, valuesA: DoubleBuffer, valuesB: DoubleBuffer
    private let column: DoubleBuffer

    public init(kernel: ReLUSwitchingKernel, pairs: KineticPairKernel, series: KineticErrorSeries, gramRoot: Double) {
        n = kernel.n
        d = kernel.d
        m = kernel.m
        inputs = kernel.inputs
        gram = kernel.gram
        scaledOutput = kernel.scaledOutput
        outputWeights = kernel.outputWeights
        self.pairs = pairs
        self.series = series
        residualRate = DoubleBuffer(count: n)
        exitNorms = DoubleBuffer(count: n * m)
        exitNormsValid = [Bool](repeating: false, count: m)
        activeRoots = [Double](repeating: 0, count: m)
        neuronExits = [KineticExitValue](repeating: KineticExitValue(lower: 0, upper: 0, lowerRate: 0, upperRate: 0,
                                                                     lowerNorm: 0, upperNorm: 0), count: n)
        self.gramRoot = gramRoot
        samples = [[Int]](repeating: [], count: m)
        inverses = [[Double]](repeating: [], count: m)
        outZ = DoubleBuffer(count: n)
        outRate = DoubleBuffer(count: n)
        outNorm = DoubleBuffer(count: n)
        coefficientA = DoubleBuffer(count: max(n, 1))
        coefficientB = DoubleBuffer(count: max(n, 1))
        valuesA = DoubleBuffer(count: max(n, 1))
        valuesB = DoubleBuffer(count: max(n, 1))
        column = DoubleBuffer(count: n)
    }

    @inline(__always) public func isSliding(_ r: Int) -> Bool { !samples[r].isEmpty }

    /// Mirrors neuron r's sliding group (from `SwitchingPattern`): S_r and G_S⁻¹.
    public func setGroup(neuron r: Int, samples s: [Int], inverseGram: [Double]) {
        slidingPairs += s.count - samples[r].count
        exitNormsValid[r] = false
        samples[r] = s
        inverses[r] = inverseGram
    }

    /// out ← G⁻¹ v for a k×k inverse.
    @inline(__always)
    private func solve(_ inverse: [Double], _ k: Int, _ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        inverse.withUnsafeBufferPointer { g in
            for a in 0..<k {
                var s = 0.0
                for b in 0..<k { s += g[a * k + b] * v[b] }
                out[a] = s
            }
        }
    }

    /// ‖P_S x_i‖² = K_{iS} G_S⁻¹ K_{Si}.
    private func projectedSquare(_ i: Int, _ r: Int) -> Double {
        let s = samples[r], k = s.count, g = gram.base
        var total = 0.0
        inverses[r].withUnsafeBufferPointer { inv in
            for a in 0..<k {
                var row = 0.0
                for b in 0..<k { row += inv[a * k + b] * g[s[b] * n + i] }
                total += g[i * n + s[a]] * row
            }
        }
        return total
    }

    /// A bound of ‖D_r X P^⊥ x_i‖ (the projected row's norm for the safe times):
    /// min(ρ_r ‖P^⊥x_i‖, ‖K_i ∘ d_r‖ + ρ_r ‖P_S x_i‖), since ‖D_r X v‖ ≤ ρ_r ‖v‖ with
    /// ρ_r = min(√λmax(K), ‖D_r X‖_F) (0 for a neuron without active pairs, which does not move).
    private func projectedRowBound(_ i: Int, _ r: Int, plain: Double) -> Double {
        let p = max(projectedSquare(i, r), 0), total = gram.base[i * n + i]
        let perp = max(total - p, 0).squareRoot(), root = activeRoots[r]
        return min(root * perp, plain + root * p.squareRoot())
    }

    /// Neuron r's cached quantities, recomputed after its mask or set changed: ρ_r (above) and
    /// the norms of the sliding values as linear functionals of Δ. With
    /// ℓ = d_r ∘ (K_{S·}ᵀ G_S⁻¹ e_a), lower = −a_r ℓ·Δ and upper = a_r Δ_s + a_r ℓ·Δ, and ℓ_s = 0
    /// (d_sr = 0): ‖lower‖ = |a_r| ‖ℓ‖, ‖upper‖ = |a_r| √(1 + ‖ℓ‖²). O(n|S|²).
    private func refresh(neuron r: Int) {
        if exitNormsValid[r] { return }
        exitNormsValid[r] = true
        let s = samples[r], k = s.count, g = gram.base, mask = pairs
        var active = 0.0
        for l in 0..<n where mask.mask(sample: l, neuron: r) != 0 { active += g[l * n + l] }
        activeRoots[r] = min(gramRoot, active.squareRoot())
        inverses[r].withUnsafeBufferPointer { inv in
            for p in 0..<k {
                var total = 0.0
                for l in 0..<n where mask.mask(sample: l, neuron: r) != 0 {
                    var v = 0.0
                    for b in 0..<k { v += inv[p * k + b] * g[s[b] * n + l] }
                    total += v * v
                }
                exitNorms[r * n + s[p]] = abs(outputWeights[r]) * total.squareRoot()
            }
        }
    }

    /// Δ̇(t) = −H_P Δ(t) from the series (`evaluateRate`) for the state of generation
    /// `generation`, and ‖Δ̇‖.
    private func prepareRate(generation: Int, at t: Double) {
        if generation == rateGeneration { return }
        rateGeneration = generation
        series.evaluateRate(at: t, into: residualRate.view)
        rateNorm = residualRate.readOnly.norm
    }

    /// G_S⁻¹ f̃'_S of neuron r into `out`, f̃'_k = −c_r (K_k ∘ d_r)·Δ̇ (the forcings' rates).
    private func forcingRates(neuron r: Int, into out: UnsafeMutablePointer<Double>) {
        let s = samples[r], k = s.count, g = gram.base, rate = residualRate.base
        let c = scaledOutput.base[r], raw = valuesB.base
        for a in 0..<k {
            var v = 0.0
            let row = g + s[a] * n
            for l in 0..<n where pairs.mask(sample: l, neuron: r) != 0 { v += row[l] * rate[l] }
            raw[a] = -c * v
        }
        solve(inverses[r], k, UnsafePointer(raw), into: out)
    }

    /// A sliding pair's value for the queue: z = min(lower, upper) (≥ 0 while it slides; the
    /// solver reads the two values, their rates and norms with `exit(sample:neuron:)`). `b` is
    /// G_S⁻¹ f̃_S, `bRate` G_S⁻¹ f̃'_S, `residual`, `residualRate` Δ_s and Δ̇_s.
    private func exitValue(position a: Int, neuron r: Int, forcings b: UnsafePointer<Double>,
                           forcingRates bRate: UnsafePointer<Double>, residual: Double, residualRate: Double) -> KineticExitValue {
        let ratio = outputWeights[r] / scaledOutput.base[r]
        let lower = ratio * b[a], lowerRate = ratio * bRate[a]
        let upper = outputWeights[r] * residual - lower, upperRate = outputWeights[r] * residualRate - lowerRate
        let norm = exitNorms[r * n + samples[r][a]], weight = outputWeights[r]
        return KineticExitValue(lower: lower, upper: upper, lowerRate: lowerRate, upperRate: upperRate, lowerNorm: norm,
                                upperNorm: (weight * weight + norm * norm).squareRoot())
    }

    /// The last sliding values computed for sliding pair (s, r): by `value` for that pair, or
    /// by `correctNeuron(r, …)`, whichever came last.
    public func exit(sample s: Int, neuron r: Int) -> KineticExitValue {
        if lastExitPair == (s, r) { return lastExit }
        precondition(neuronExitsOf == r, "no sliding values of pair (\(s), \(r))")
        return neuronExits[s]
    }

    /// Pair (i, r) of a sliding neuron at time t from the series state y = (Δ, R): its true z,
    /// ż and row bound, or for a sliding sample its exit value (see `exitValue`). O(n(|S| + 1)).
    /// `generation` names the state y (Δ̇ is recomputed when it changes).
    public func value(sample i: Int, neuron r: Int, at t: Double, state y: VectorView, generation: Int) -> KineticPairValue {
        refresh(neuron: r)
        let s = samples[r], k = s.count
        if let position = s.firstIndex(of: i) {
            // f̃_S and f̃'_S in one pass over each masked Gram row.
            prepareRate(generation: generation, at: t)
            let fs = valuesB.base, fr = valuesA.base
            let c = scaledOutput.base[r], delta = y.base, rate = residualRate.base
            for a in 0..<k {
                let row = gram.base + s[a] * n
                var sd = 0.0, sr = 0.0
                for l in 0..<n {
                    let w = row[l] * pairs.mask(sample: l, neuron: r)
                    sd += w * delta[l]
                    sr += w * rate[l]
                }
                fs[a] = -c * sd
                fr[a] = -c * sr
            }
            let ca = coefficientA.base, cb = coefficientB.base
            solve(inverses[r], k, UnsafePointer(fs), into: cb)
            solve(inverses[r], k, UnsafePointer(fr), into: ca)
            let e = exitValue(position: position, neuron: r, forcings: UnsafePointer(cb), forcingRates: UnsafePointer(ca),
                              residual: y[i], residualRate: rate[i])
            lastExit = e
            lastExitPair = (i, r)
            return KineticPairValue(z: min(e.lower, e.upper), rate: min(e.lowerRate, e.upperRate), forcing: 0, gramNorm: 0)
        }
        let zs = valuesA.base, fs = valuesB.base
        for (a, sample) in s.enumerated() {
            let v = pairs.evaluate(sample: sample, neuron: r, at: t, state: y)
            zs[a] = v.z
            fs[a] = v.rate
        }
        let ca = coefficientA.base, cb = coefficientB.base
        solve(inverses[r], k, UnsafePointer(fs), into: cb)
        solve(inverses[r], k, UnsafePointer(zs), into: ca)
        let v = pairs.evaluate(sample: i, neuron: r, at: t, state: y)
        var z = v.z, rate = v.rate
        let g = gram.base + i * n
        for a in 0..<k {
            z -= g[s[a]] * ca[a]
            rate -= g[s[a]] * cb[a]
        }
        return KineticPairValue(z: z, rate: rate, forcing: rate, gramNorm: projectedRowBound(i, r, plain: v.gramNorm))
    }

    /// Corrects the values of `KineticPairKernel.evaluateNeuron(r, …)` (just called) for the
    /// neuron's sliding samples; read them with `neuronValue(_:)`. `residual` is Δ of the state
    /// of generation `generation`. O(n|S|² + n²) (Δ̇ once per state).
    public func correctNeuron(_ r: Int, at t: Double, residual: VectorView, generation: Int) {
        refresh(neuron: r)
        let s = samples[r], k = s.count
        let zs = valuesA.base, fs = valuesB.base
        for (a, sample) in s.enumerated() {
            let v = pairs.neuronValue(sample)
            zs[a] = v.z
            fs[a] = v.rate
        }
        let ca = coefficientA.base, cb = coefficientB.base
        solve(inverses[r], k, UnsafePointer(zs), into: ca)
        solve(inverses[r], k, UnsafePointer(fs), into: cb)
        let g = gram.base
        for i in 0..<n {
            let v = pairs.neuronValue(i)
            var z = v.z, rate = v.rate
            for a in 0..<k {
                let gi = g[i * n + s[a]]
                z -= gi * ca[a]
                rate -= gi * cb[a]
            }
            outZ[i] = z
            outRate[i] = rate
            outNorm[i] = projectedRowBound(i, r, plain: v.gramNorm)
        }
        prepareRate(generation: generation, at: t)
        forcingRates(neuron: r, into: ca)
        for a in 0..<k {
            let e = exitValue(position: a, neuron: r, forcings: UnsafePointer(cb), forcingRates: UnsafePointer(ca),
                              residual: residual[s[a]], residualRate: residualRate[s[a]])
            neuronExits[s[a]] = e
            outZ[s[a]] = min(e.lower, e.upper)
            outRate[s[a]] = min(e.lowerRate, e.upperRate)
            outNorm[s[a]] = 0
        }
        neuronExitsOf = r
        lastExitPair = (-1, -1)
    }

    /// Pair (i, r)'s corrected value from the last `correctNeuron(r, …)`.
    @inline(__always) public func neuronValue(_ i: Int) -> KineticPairValue {
        KineticPairValue(z: outZ[i], rate: outRate[i], forcing: outRate[i], gramNorm: outNorm[i])
    }

    // MARK: - Events

    /// Moves neuron r's virtual weights onto P_U^⊥ ŵ_r at time t (U ascending, G_U⁻¹ given):
    /// b = G_U⁻¹ z̃_U, α_r −= X_Uᵀ b, A_r −= K_{·U} b, so that afterwards ŵ_r = w_r and
    /// z̃_U = 0. For an entry (U = S_r ∪ {s}) the true weights move by −(P_U − P_S)ŵ_r, the
    /// projection onto the new surface: the errors jump by c_r d_kr (K_{kS}G_S⁻¹z̃_S − K_{kU}b),
    /// added to Δ (`residual`, n values) when given. The neuron's current S_r is the old set.
    public func rebase(neuron r: Int, onto union: [Int], inverse: [Double], at t: Double, state y: VectorView,
                       residual: MutableVectorView?) {
        let k = union.count
        if k == 0 { return }
        let zu = valuesA.base, b = coefficientB.base
        for (a, sample) in union.enumerated() { zu[a] = pairs.evaluate(sample: sample, neuron: r, at: t, state: y).z }
        solve(inverse, k, UnsafePointer(zu), into: b)
        let x = inputs.base, g = gram.base, c = scaledOutput.base[r]
        let alpha = pairs.alpha.base, pa = pairs.pairA.base + r * n
        for a in 0..<k {
            let ba = b[a], u = union[a]
            if ba == 0 { continue }
            for j in 0..<d { alpha[j * m + r] -= ba * x[u * d + j] }
            for l in 0..<n { pa[l] -= ba * g[u * n + l] }
        }
        guard let delta = residual else { return }
        // The old set's coefficients a = G_S⁻¹ z̃_S (S ⊂ U: its values are among zu).
        let old = samples[r], ko = old.count
        let zo = valuesB.base, ca = coefficientA.base
        var q = 0
        for (a, sample) in union.enumerated() where q < ko && old[q] == sample {
            zo[q] = zu[a]
            q += 1
        }
        solve(inverses[r], ko, UnsafePointer(zo), into: ca)
        for l in 0..<n where pairs.mask(sample: l, neuron: r) != 0 {
            var jump = 0.0
            for a in 0..<ko { jump += g[l * n + old[a]] * ca[a] }
            for a in 0..<k { jump -= g[l * n + union[a]] * b[a] }
            delta[l] += c * jump
        }
    }

    /// The projection part of a mask change of pair (i, r) by δ on a sliding neuron (the pair
    /// kernel's mask already changed): H_ik −= δc_r² Q_r[i, k] for d_kr ≠ 0, k ≠ i, and
    /// H_ii −= δc_r² Q_r[i, i] (the plain part δc_r² K is the solver's). O(n|S|).
    public func correctKernelRow(sample i: Int, neuron r: Int, delta: Double, series: KineticErrorSeries) {
        let s = samples[r], k = s.count
        exitNormsValid[r] = false
        if k == 0 || delta == 0 { return }
        let g = gram.base, kv = valuesA.base, coef = coefficientA.base
        for a in 0..<k { kv[a] = g[s[a] * n + i] }
        solve(inverses[r], k, UnsafePointer(kv), into: coef)
        let c = scaledOutput.base[r], factor = delta * c * c
        for l in 0..<n where l == i || pairs.mask(sample: l, neuron: r) != 0 {
            var q = 0.0
            for a in 0..<k { q += coef[a] * g[s[a] * n + l] }
            series.addToKernel(i, l, -factor * q)
        }
    }

    /// Sample j joins (`joining`, before `setGroup`) or has left (after `setGroup`) neuron r's
    /// sliding set: H_P += ∓ c_r²/γ (d_r ∘ q)(d_r ∘ q)ᵀ with q = P_S^⊥-projected column
    /// K_{·j} − K_{·S} G_S⁻¹ K_{Sj} of the current set S ∌ j, γ = q_j. O(n|S| + n²).
    public func updateKernel(surface j: Int, neuron r: Int, joining: Bool, series: KineticErrorSeries) {
        let s = samples[r], k = s.count
        let g = gram.base, kv = valuesA.base, coef = coefficientA.base, q = column.base
        for a in 0..<k { kv[a] = g[s[a] * n + j] }
        solve(inverses[r], k, UnsafePointer(kv), into: coef)
        for l in 0..<n {
            var v = g[l * n + j]
            for a in 0..<k { v -= g[l * n + s[a]] * coef[a] }
            q[l] = v
        }
        let gamma = q[j]
        guard gamma > 0 else { return }
        let c = scaledOutput.base[r]
        let factor = (joining ? -1.0 : 1.0) * c * c / gamma
        for l in 0..<n { q[l] *= pairs.mask(sample: l, neuron: r) }
        let h = series.kernel.base
        for l in 0..<n where q[l] != 0 {
            let fl = factor * q[l]
            let row = h + l * n
            for p in 0..<n { row[p] += fl * q[p] }
        }
    }
}
