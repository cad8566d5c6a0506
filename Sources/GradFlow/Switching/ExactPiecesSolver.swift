/// Piecewise-exact propagation of a weight flow of the ReLU network: constant-coefficient
/// flows (gradient flow with Filippov sliding, heavy ball, higher-order momentum,
/// DESIGN §7) and Nesterov's ODE.
///
/// A piece starts at a state with its pattern; `PieceModes` (constant coefficients) or
/// `NesterovPieceModes` (Bessel functions, for a flow whose `modalForm` is `.bessel`) gives
/// Δ(τ), φ(τ) and the free motion in closed form, from which every pre-activation is an
/// explicit function
///
///     z_ri(τ) = Σ_l F_0l(τ) z_ri^{(l)}(0) + (a_r/√m) Σ_k G̃^{(r)}_ik mask_kr φ_k(τ),
///
/// (G̃^{(r)} = G, or for a sliding neuron the Gram matrix of the projected inputs Π_r x_i),
/// with ż_ri(τ) the same with dF/dτ and φ'. The piece is scanned on a grid of step
/// `stepFactor / rate(τ)` (rate bounds the piece's modal rates near τ, so the cubic Hermite
/// interpolant of z between grid points is accurate to about (stepFactor)⁴/384 of z's
/// variation): a sign change at a grid point, a sliding value turning negative, or a cubic
/// that dips through 0 between grid points makes a pair a candidate; the earliest switch
/// among the candidates is then found by bracketing root-finding on their explicit z(τ)
/// (only the candidates are evaluated, O(n) each), to `eventTolerance`. The weights are
/// recovered at the switch, the pattern changes (`SwitchingTransitions`), and a new piece
/// starts. Pieces also end at every sample time.
final class ExactPiecesSolver {
    let kernel: ReLUSwitchingKernel
    let pattern: SwitchingPattern
    let transitions: SwitchingTransitions
    let flow: any ContinuousFlow
    let order: Int
    /// How each piece is solved.
    private enum PieceKind {
        case constant(damping: [Double])
        case nesterov(gamma: Double)
    }
    private let pieceKind: PieceKind
    let blockSize: Int
    let eventTolerance: Double
    /// Grid step times the piece's rate bound.
    var stepFactor = 0.4
    /// How a scan forms the pre-activation response T = X J_Pᵀ φ of all n·m pairs.
    enum ResponseRoute {
        /// T = (G diag φ) Â: one GEMM of 2n²m flops per φ (G = XXᵀ).
        case gram
        /// T = X (Xᵀ diag φ Â): two GEMMs of 2ndm flops each per φ, through the d×m weight
        /// response; fewer flops when 2d < n (the medium problem: 2× fewer).
        case weights
        /// `weights` when 2d < n, else `gram`.
        case automatic
    }
    /// The route of this solver's scans (resolved from `automatic` at init).
    let responseRoute: ResponseRoute
    var statistics = SwitchingStatistics()
    var observer: ((Double, [Double]) -> Void)?
    /// The run's work limits, checked once per step.
    var budget: WorkBudget?

    private(set) var t: Double = 0
    /// W^{(l)} at the piece start (after `recover`, at the current time).
    private var weights: [DoubleBuffer]
    private var spare: [DoubleBuffer]
    /// Z^{(l)} = X W^{(l)} at the piece start.
    private let pre: [DoubleBuffer]
    private let scaled: DoubleBuffer
    private let response: DoubleBuffer
    private var zA: DoubleBuffer, dzA: DoubleBuffer, zB: DoubleBuffer, dzB: DoubleBuffer
    private let work: DoubleBuffer
    private let block: DoubleBuffer
    private let residual: DoubleBuffer
    private var modes: (any PieceSolution)?
    private var pieceStart = 0.0
    private var tau = 0.0
    private var step = 0.0
    private var slidingA: [Int: (SlidingValue, SlidingValue)] = [:]
    /// The dsyevd workspace of the piece kernels (n×n), allocated once.
    private let eigen: LAPACKSymmetricEigen

    /// `startTime` is the time of `initialState` (Nesterov: its series start t0 > 0).
    init(kernel: ReLUSwitchingKernel, pattern: SwitchingPattern, flow: any ContinuousFlow,
         eventTolerance: Double, initialState: [Double], startTime: Double = 0,
         responseRoute: ResponseRoute = .automatic) throws {
        if case .bessel(let gamma) = flow.modalForm {
            pieceKind = .nesterov(gamma: gamma)
        } else {
            guard flow.isAutonomous else {
                throw InputError(.flow, value: flow.name, allowed: "exact pieces need constant coefficients or Nesterov's γ/t")
            }
            pieceKind = .constant(damping: (1..<max(flow.order, 1)).map { flow.damping($0, at: 0) })
        }
        t = startTime
        self.kernel = kernel
        self.pattern = pattern
        self.flow = flow
        order = flow.order
        blockSize = kernel.weightCount
        self.eventTolerance = eventTolerance
        transitions = SwitchingTransitions(kernel: kernel, pattern: pattern, order: flow.order)
        let nb = kernel.weightCount, pairs = kernel.pairCount
        weights = (0..<order).map { l in DoubleBuffer(Array(initialState[(l * nb)..<((l + 1) * nb)])) }
        spare = (0..<order).map { _ in DoubleBuffer(count: nb) }
        pre = (0..<order).map { _ in DoubleBuffer(count: pairs) }
        scaled = DoubleBuffer(count: pairs)
        response = DoubleBuffer(count: 2 * pairs)
        zA = DoubleBuffer(count: pairs)
        dzA = DoubleBuffer(count: pairs)
        zB = DoubleBuffer(count: pairs)
        dzB = DoubleBuffer(count: pairs)
        work = DoubleBuffer(count: pairs)
        block = DoubleBuffer(count: nb)
        residual = DoubleBuffer(count: kernel.n)
        eigen = LAPACKSymmetricEigen(size: max(kernel.n, 1))
        switch responseRoute {
        case .automatic: self.responseRoute = 2 * kernel.d < kernel.n ? .weights : .gram
        case let route: self.responseRoute = route
        }
        statistics.method = SwitchingMethod.exactPieces.name
        statistics.errorNorm = "none (exact pieces)"
        statistics.eventTolerance = eventTolerance
    }

    /// W and its velocity at the current time (the Filippov velocity for gradient flow).
    func currentPositionAndVelocity() -> ([Double], [Double]) {
        let w = weights[0].array
        if order >= 2 { return (w, weights[1].array) }
        let g = DoubleBuffer(count: blockSize)
        kernel.filippovGradient(at: weights[0].readOnly, pattern: pattern, into: g.view)
        return (w, g.array.map { -$0 })
    }

    // MARK: - Driving

    func advance(to target: Double) throws {
        while t < target {
            if modes == nil { try setup() }
            guard let pieceModes = modes else { return }
            let end = target - pieceStart
            step = stepFactor / max(pieceModes.rate(at: tau), 1e-300)
            // The scan needs about this many more steps to reach the target.
            try budget?.check(evaluations: statistics.steps + statistics.rejectedSteps + statistics.locationSteps,
                              projected: pieceModes.projectedSteps(from: tau, to: end, stepFactor: stepFactor), time: t)
            var tb = min(tau + step, end)
            if end - tb < 0.25 * step { tb = end }
            let ms = try pieceModes.state(at: tb)
            evaluateAll(ms, z: zB, dz: dzB)
            statistics.steps += 1
            let crossings = kernel.violations(preactivations: zB.readOnly, orientation: pattern.orientation.readOnly)
            let slidingB = slidingValues(ms)
            var exits: [SlidingExit] = []
            var dips: [(Int, Bool, Double)] = []
            // Sorted pairs: the order of exits and dips must not depend on hashing, so that
            // the same run gives the same bits in every process.
            for pair in slidingB.keys.sorted() {
                let (v, rate) = slidingB[pair]!
                if let e = v.exit { exits.append(e); continue }
                guard let (a, ra) = slidingA[pair] else { continue }
                let w = tb - tau
                for lower in [true, false] {
                    let c = EventHermiteCubic(v0: lower ? a.lower : a.upper, d0: (lower ? ra.lower : ra.upper) * w,
                                         v1: lower ? v.lower : v.upper, d1: (lower ? rate.lower : rate.upper) * w)
                    if c.c0 >= 0, let s = c.firstNegative() { dips.append((pair, lower, s)) }
                }
            }
            let grazes = kernel.grazes(z0: zA.readOnly, dz0: dzA.readOnly, z1: zB.readOnly, dz1: dzB.readOnly,
                                       orientation: pattern.orientation.readOnly, length: tb - tau)
            if crossings.isEmpty && exits.isEmpty && grazes.isEmpty && dips.isEmpty {
                statistics.accountSliding(pairs: pattern.slidingPairCount, over: tb - tau)
                tau = tb
                swap(&zA, &zB)
                swap(&dzA, &dzB)
                slidingA = slidingB
                t = tb == end ? target : pieceStart + tau
                let back = pattern.updateReleased(preactivations: zA.readOnly)
                if tb == end || !back.isEmpty {
                    recover(ms)
                    if !back.isEmpty {
                        kernel.preactivations(weights[0].readOnly, into: zA.view)
                        apply(crossings: back, exits: [], preactivations: zA)
                    }
                    modes = nil
                    observer?(t, weights[0].array)
                }
                continue
            }
            try locate(end: end, target: target, tb: tb, crossings: crossings, exits: exits,
                       grazes: grazes, dips: dips, slidingB: slidingB)
        }
    }

    // MARK: - Pieces

    /// K = Â Âᵀ and the mask it was built from, updated pair by pair from the pattern's mask
    /// log and rebuilt every `outerRebuild` pieces (against drift).
    private var outer: [Double] = []
    private var outerMask: [Double] = []
    private var piecesSinceRebuild = 0
    private let outerRebuild = 256
    /// Set when zA holds X W^{(0)} of the current weights (after an event without projection).
    private var freshPreactivations = false

    /// Brings Â and K = Â Âᵀ up to date with the pattern's mask.
    private func updateMaskProducts() {
        let n = kernel.n, m = kernel.m
        let log = pattern.drainMaskLog()
        if outer.isEmpty || piecesSinceRebuild >= outerRebuild {
            kernel.scaledMask(pattern.mask.readOnly, into: scaled.view)
            outer = kernel.maskOuterProduct(scaled.readOnly)
            outerMask = pattern.mask.array
            piecesSinceRebuild = 0
            return
        }
        piecesSinceRebuild += 1
        for pair in log {
            let old = outerMask[pair], new = pattern.mask[pair]
            if old == new { continue }
            let i = pair / m, r = pair % m
            let a = kernel.scaledOutput[r]
            let s2 = a * a
            for k in 0..<n where k != i {
                let delta = s2 * (new - old) * outerMask[k * m + r]
                outer[i * n + k] += delta
                outer[k * n + i] += delta
            }
            outer[i * n + i] += s2 * (new * new - old * old)
            outerMask[pair] = new
            scaled[pair] = a * new
        }
    }

    private func setup() throws {
        for l in 0..<order where !weights[l].readOnly.isFinite { throw EarlyStop.diverged(time: t) }
        for l in 0..<order {
            if l == 0 && freshPreactivations {
                pre[0].copyContents(from: zA)
            } else {
                kernel.preactivations(weights[l].readOnly, into: pre[l].view)
            }
        }
        freshPreactivations = false
        // The pattern must match Z(0): pairs within rounding of their surface on the wrong
        // side (just crossed) are released; others are events at this instant.
        for _ in 0..<8 {
            var crossings = pattern.updateReleased(preactivations: pre[0].readOnly)
            for pair in kernel.violations(preactivations: pre[0].readOnly, orientation: pattern.orientation.readOnly)
            where !crossings.contains(pair) {
                if abs(pre[0][pair]) <= pattern.releaseBand { pattern.markReleased(pair) } else { crossings.append(pair) }
            }
            let exits = transitions.slidingValues(preactivations: pre[0].readOnly, residual: residual.view).compactMap(\.exit)
            if crossings.isEmpty && exits.isEmpty { break }
            apply(crossings: crossings, exits: exits, preactivations: pre[0])
            kernel.preactivations(weights[0].readOnly, into: pre[0].view)
        }
        let n = kernel.n, m = kernel.m
        let mask = pattern.mask.readOnly
        updateMaskProducts()
        var residuals: [[Double]] = []
        for l in 0..<order {
            var r = [Double](repeating: 0, count: n)
            r.withMutableView { kernel.residual(preactivations: pre[l].readOnly, mask: mask, into: $0) }
            if l > 0 { for i in 0..<n { r[i] += kernel.targets[i] } }
            residuals.append(r)
        }
        // H = G ∘ (Â Âᵀ), minus the sliding neurons' components along their surfaces.
        var h = outer
        for i in 0..<n { for k in 0..<n { h[i * n + k] *= kernel.gramEntry(i, k) } }
        for group in pattern.groups {
            let r = group.neuron, ks = group.samples, c = ks.count
            // P_ik = G_{iK} G_KK⁻¹ G_{Kk}.
            var left = [Double](repeating: 0, count: n * c)
            for i in 0..<n {
                for a in 0..<c {
                    var s = 0.0
                    for b in 0..<c { s += kernel.gramEntry(i, ks[b]) * group.inverseGram[b * c + a] }
                    left[i * c + a] = s
                }
            }
            for i in 0..<n where scaled[i * m + r] != 0 {
                for k in 0..<n where scaled[k * m + r] != 0 {
                    var s = 0.0
                    for a in 0..<c { s += left[i * c + a] * kernel.gramEntry(ks[a], k) }
                    h[i * n + k] -= scaled[i * m + r] * scaled[k * m + r] * s
                }
            }
        }
        let modes: any PieceSolution
        switch pieceKind {
        case .constant(let damping):
            modes = try PieceModes(kernel: h, residuals: residuals, damping: damping, eigen: eigen)
        case .nesterov(let gamma):
            modes = try NesterovPieceModes(kernel: h, residuals: residuals, gamma: gamma, start: t, eigen: eigen)
        }
        self.modes = modes
        pieceStart = t
        tau = 0
        step = stepFactor / max(modes.rate(at: 0), 1e-300)
        let ms = try modes.state(at: 0)
        if order >= 2 {
            // φ(0) = φ'(0) = 0, F(0) = I and dF/dτ(0) row 0 = e_1: z(0) = Z(0), ż(0) = Z'(0).
            zA.copyContents(from: pre[0])
            dzA.copyContents(from: pre[1])
        } else {
            evaluateAll(ms, z: zA, dz: dzA)
        }
        slidingA = slidingValues(ms)
        statistics.pieces += 1
        statistics.maxSlidingPairs = max(statistics.maxSlidingPairs, pattern.slidingPairCount)
    }

    /// Z and Ż of all pairs at a modal state.
    private func evaluateAll(_ ms: PieceModes.State, z: DoubleBuffer, dz: DoubleBuffer) {
        let pairs = kernel.pairCount, m = kernel.m
        if responseRoute == .weights {
            // v = J_Pᵀφ (d×m), projected off each sliding neuron's surfaces (x_iᵀΠ_r v_r is
            // the corrected T_ir below), then T = X v.
            for (b, phi) in [ms.phi[0], ms.phiRate].enumerated() {
                kernel.weightResponse(phi, scaledMask: scaled.readOnly, into: block.view, workspace: work.view)
                for group in pattern.groups {
                    kernel.projectColumn(neuron: group.neuron, samples: group.samples, inverseGram: group.inverseGram,
                                         of: block.view)
                }
                kernel.preactivations(block.readOnly, into: response.view.slice(b * pairs, pairs))
            }
        } else {
            kernel.preactivationResponse([ms.phi[0], ms.phiRate], scaledMask: scaled.readOnly, into: response.view)
        }
        // Sliding neurons: T_ir −= Σ_a G_ia (G_KK⁻¹ T_K r)_a.
        for group in pattern.groups where responseRoute == .gram {
            let r = group.neuron, ks = group.samples, c = ks.count
            for block in 0..<2 {
                let offset = block * pairs
                var tk = [Double](repeating: 0, count: c)
                for (a, k) in ks.enumerated() { tk[a] = response[offset + k * m + r] }
                var coefficient = [Double](repeating: 0, count: c)
                for a in 0..<c { for b in 0..<c { coefficient[a] += group.inverseGram[a * c + b] * tk[b] } }
                for i in 0..<kernel.n {
                    var s = 0.0
                    for a in 0..<c { s += kernel.gramEntry(i, ks[a]) * coefficient[a] }
                    response[offset + i * m + r] -= s
                }
            }
        }
        let bases = pre.map { $0.readOnly }
        let row0 = (0..<order).map { ms.free[$0] }
        let tView = response.readOnly.slice(0, pairs), dtView = response.readOnly.slice(pairs, pairs)
        kernel.combine(row0, bases, plus: tView, into: z.view)
        kernel.combine(ms.freeRate, bases, plus: dtView, into: dz.view)
    }

    /// z and ż of one pair at a modal state.
    private func evaluatePair(_ pair: Int, _ ms: PieceModes.State) -> (Double, Double) {
        let m = kernel.m
        let i = pair / m, r = pair % m
        func response(_ sample: Int, _ phi: [Double]) -> Double {
            kernel.preactivationResponse(sample: sample, neuron: r, phi: phi, scaledMask: scaled.readOnly)
        }
        var t0 = response(i, ms.phi[0]), t1 = response(i, ms.phiRate)
        if let group = pattern.group(ofNeuron: r) {
            let ks = group.samples, c = ks.count
            let a0 = ks.map { response($0, ms.phi[0]) }, a1 = ks.map { response($0, ms.phiRate) }
            for a in 0..<c {
                var c0 = 0.0, c1 = 0.0
                for b in 0..<c {
                    c0 += group.inverseGram[a * c + b] * a0[b]
                    c1 += group.inverseGram[a * c + b] * a1[b]
                }
                t0 -= kernel.gramEntry(i, ks[a]) * c0
                t1 -= kernel.gramEntry(i, ks[a]) * c1
            }
        }
        var z = t0, dz = t1
        for l in 0..<order {
            z += ms.free[l] * pre[l][pair]
            dz += ms.freeRate[l] * pre[l][pair]
        }
        return (z, dz)
    }

    /// The sliding values and their rates of every sliding pair at a modal state.
    private func slidingValues(_ ms: PieceModes.State) -> [Int: (SlidingValue, SlidingValue)] {
        var out: [Int: (SlidingValue, SlidingValue)] = [:]
        if pattern.groups.isEmpty { return out }
        let mask = pattern.mask.readOnly
        ms.delta.withView { delta in
            ms.deltaRate.withView { rate in
                for group in pattern.groups {
                    let r = group.neuron, a = kernel.outputWeights[r]
                    let u = kernel.equivalentControl(neuron: r, samples: group.samples, inverseGram: group.inverseGram,
                                                     residual: delta, mask: mask)
                    let du = kernel.equivalentControl(neuron: r, samples: group.samples, inverseGram: group.inverseGram,
                                                      residual: rate, mask: mask)
                    for (q, k) in group.samples.enumerated() {
                        let pair = k * kernel.m + r
                        out[pair] = (SlidingValue(pair: pair, lower: a * u[q], upper: a * (delta[k] - u[q])),
                                     SlidingValue(pair: pair, lower: a * du[q], upper: a * (rate[k] - du[q])))
                    }
                }
            }
        }
        return out
    }

    /// W^{(j)}(τ) = Σ_l F_jl W^{(l)}(0) + Π Jᵀ φ^{(j)}(τ): the state at τ becomes the current one.
    private func recover(_ ms: PieceModes.State) {
        for j in 0..<order {
            kernel.weightResponse(ms.phi[j], scaledMask: scaled.readOnly, into: block.view, workspace: work.view)
            for group in pattern.groups {
                kernel.projectColumn(neuron: group.neuron, samples: group.samples, inverseGram: group.inverseGram,
                                     of: block.view)
            }
            let row = (0..<order).map { ms.free[j * order + $0] }
            kernel.combine(row, weights.map { $0.readOnly }, plus: block.readOnly, into: spare[j].view)
        }
        swap(&weights, &spare)
    }

    /// Pattern changes at the current (recovered) state with pre-activations z.
    private func apply(crossings: [Int], exits: [SlidingExit], preactivations z: DoubleBuffer) {
        pattern.clock = t
        let counts = transitions.apply(crossings: crossings, exits: exits, weights: weights[0].view,
                                       preactivations: z.readOnly, residual: residual.view)
        statistics.add(counts)
        statistics.eventTimes += 1
        statistics.maxSlidingPairs = max(statistics.maxSlidingPairs, pattern.slidingPairCount)
    }

    // MARK: - Root-finding

    private func violates(_ pair: Int, _ z: Double) -> Bool {
        let o = pattern.orientation[pair]
        return (o > 0 && z < 0) || (o < 0 && z >= 0)
    }

    private func locate(end: Double, target: Double, tb: Double, crossings: [Int], exits: [SlidingExit],
                        grazes: [(Int, Double)], dips: [(Int, Bool, Double)],
                        slidingB: [Int: (SlidingValue, SlidingValue)]) throws {
        guard let pieceModes = modes else { return }
        let o = pattern.orientation
        var candidates: [EventCandidate] = []
        for pair in crossings {
            candidates.append(EventCandidate(pair: pair, kind: .crossing, orientation: o, zLo: zA, dzLo: dzA,
                                             zHi: zB, dzHi: dzB))
        }
        func slidingCandidate(_ pair: Int, lower: Bool, kind: EventKind, dip: Double) -> EventCandidate? {
            guard let (a, ra) = slidingA[pair], let (b, rb) = slidingB[pair] else { return nil }
            return EventCandidate(pair: pair, kind: kind, vLo: lower ? a.lower : a.upper, dLo: lower ? ra.lower : ra.upper,
                                  vHi: lower ? b.lower : b.upper, dHi: lower ? rb.lower : rb.upper, dip: dip, lower: lower)
        }
        for exit in exits {
            if let c = slidingCandidate(exit.pair, lower: exit.mode == .inactive, kind: .exit, dip: 0) { candidates.append(c) }
        }
        for (pair, s) in grazes {
            candidates.append(EventCandidate(pair: pair, kind: .graze, orientation: o, zLo: zA, dzLo: dzA,
                                             zHi: zB, dzHi: dzB, dip: s))
        }
        for (pair, lower, s) in dips {
            if let c = slidingCandidate(pair, lower: lower, kind: .graze, dip: s) { candidates.append(c) }
        }
        var hiState = try pieceModes.state(at: tb)
        var search = EventBracketSearch(lo: tau, hi: tb, hiViolating: !crossings.isEmpty || !exits.isEmpty,
                                        candidates: candidates, tolerance: eventTolerance, grazesAtDip: false)
        try search.run { next, candidates in
            let ms = try pieceModes.state(at: next)
            statistics.locationSteps += 1
            let sliding = candidates.contains { $0.kind != .crossing && pattern.mode($0.pair) == .sliding }
                ? slidingValues(ms) : [:]
            // Each candidate's value, slope and z at the trial.
            var evaluated: [(candidate: EventCandidate, bad: Bool, v: Double, dv: Double, z: Double)] = []
            for c in candidates {
                if pattern.mode(c.pair) == .sliding {
                    guard let (v, rv) = sliding[c.pair] else { continue }
                    let value = c.lower ? v.lower : v.upper
                    evaluated.append((c, value < 0, value, c.lower ? rv.lower : rv.upper, 0))
                } else {
                    let (z, dz) = evaluatePair(c.pair, ms)
                    evaluated.append((c, violates(c.pair, z), o[c.pair] * z, o[c.pair] * dz, z))
                }
            }
            if evaluated.contains(where: { $0.bad }) {
                hiState = ms
                return .violating(evaluated.filter { $0.bad }.map { e in
                    var c = e.candidate
                    c.vHi = e.v
                    c.dHi = e.dv
                    c.zHi = e.z
                    c.kind = pattern.mode(c.pair) == .sliding ? .exit : .crossing
                    return c
                })
            }
            return .valid(evaluated.compactMap { e in
                if e.candidate.kind == .graze { return nil }
                var c = e.candidate
                c.vLo = e.v
                c.dLo = e.dv
                return c
            })
        }
        let hi = search.hi, hiViolating = search.hiViolating
        candidates = search.candidates
        let reachedEnd = hi == end
        if !hiViolating {
            // Every dip was a false alarm: the grid interval stands.
            statistics.accountSliding(pairs: pattern.slidingPairCount, over: tb - tau)
            tau = tb
            swap(&zA, &zB)
            swap(&dzA, &dzB)
            slidingA = slidingB
            t = reachedEnd ? target : pieceStart + tau
            if reachedEnd {
                recover(hiState)
                modes = nil
                observer?(t, weights[0].array)
            }
            return
        }
        statistics.accountSliding(pairs: pattern.slidingPairCount, over: hi - tau)
        recover(hiState)
        t = reachedEnd ? target : pieceStart + hi
        kernel.preactivations(weights[0].readOnly, into: zA.view)
        var crossingsAtHi: [Int] = [], exitsAtHi: [SlidingExit] = []
        for c in candidates {
            if c.kind == .crossing {
                zA[c.pair] = c.zHi   // the sign the root-finding established
                crossingsAtHi.append(c.pair)
            } else {
                exitsAtHi.append(SlidingExit(pair: c.pair, mode: c.lower ? .inactive : .active))
            }
        }
        let entries = statistics.slidingEntries
        apply(crossings: crossingsAtHi, exits: exitsAtHi, preactivations: zA)
        // Without a projection onto a surface the weights did not change: zA is X W^{(0)}
        // (with the event pairs at the values the root-finding established).
        freshPreactivations = statistics.slidingEntries == entries
        modes = nil
        observer?(t, weights[0].array)
    }
}
