/// Newton flow on the network's weights (002 §5.2) with every pair (i, r) held in a mode: the
/// smooth field between kinks that `NewtonEventSolver` integrates, and the one-sided fields its
/// events are decided with.
///
/// With c_r = a_r/√m, S_r the held-active samples of neuron r and K_r its pinned (sliding)
/// samples, the field is
///
///     ẇ_r = −(1/c_r) (X_{S_r} Q_r)^+ Δ_{S_r},   Q_r = I − X_{K_r}^+ X_{K_r},
///     f_i = Σ_r c_r 1[i ∈ S_r] w_rᵀx_i,   Δ = f − y,
///
/// i.e. neuron r's Gauss–Newton direction −(J_rᵀJ_r)^+J_rᵀΔ (002 §5.2) on the held pattern,
/// restricted to the sliding surfaces {x_kᵀw_r = 0, k ∈ K_r} (the minimum-norm minimizer of
/// ‖J_r v + Δ‖ subject to x_kᵀv = 0; pinned pairs add 0 to f, as σ(0) = 0).
///
/// Filippov motion. Flipping one pair changes A_r = J_rᵀJ_r by a rank-one term, so the two
/// one-sided fields F₊ (i active) and F₋ (inactive) differ by a vector that is not along x_i.
/// Both lie on the line F(β) = −(1/c_r)[X_S; x_iᵀ]^+[Δ_S; β] (F₊ at β = Δ_i, F₋ at
/// β = −c_r x_iᵀF₋), so the unique convex combination θF₊ + (1 − θ)F₋ with x_iᵀẇ_r = 0 is the
/// point of that line on the surface, which is the restricted direction above. With several
/// pinned samples the 2^k one-sided fields lie on the k-dimensional family F(β), β ∈ R^k, so
/// the convex weights are not unique but the velocity is: the restricted direction, whenever
/// the Filippov hull meets the surfaces at all. A pinned pair k stays pinned while both of its
/// one-sided fields (the other pins kept) push into its surface: x_kᵀF_{k+} ≤ 0 ≤ x_kᵀF_{k−}
/// (`slidingValues`), which for one pin is θ ∈ [0, 1].
///
/// Each neuron's d×d matrix −(1/c_r²)G_r^+Q_r (G_r = Q_r X_SᵀX_S Q_r, so that
/// ẇ_r = −(1/c_r)G_r^+Q_r X_SᵀΔ_S) is kept in `NewtonPieceProducts` and rebuilt only when its
/// modes change, so an evaluation costs two GEMMs and m small products, O(nmd + md²).
/// Pseudo-inverses drop eigenvalues of G_r at most `relativeCutoff` times the largest, as
/// `NeuronGaussNewtonBlocks` does.
final class NewtonPieceField: FirstOrderSystem {
    /// How a pair is held: on its active piece (z ≥ 0), its inactive piece, or on the kink.
    enum Mode: UInt8 { case inactive, active, pinned }

    /// The largest m·d² for which the per-neuron matrices are kept (16M doubles, 128 MB).
    static let cacheLimit = 1 << 24

    /// Whether a network of width m and input dimension d fits `cacheLimit`.
    static func fits(width m: Int, dimension d: Int) -> Bool {
        d <= cacheLimit && m <= cacheLimit / max(d * d, 1)
    }
    let n: Int, d: Int, m: Int
    let relativeCutoff: Double
    /// X (n×d row-major), y, c_r = a_r/√m.
    private let inputs: [Double]
    private let targets: [Double]
    let scales: [Double]
    /// Mode of pair k = i·m + r.
    private(set) var modes: [Mode]
    /// Pinned samples per neuron, in pinning order.
    private(set) var pins: [[Int]]
    /// Z, Δ, the held sides and the per-neuron matrices, with the BLAS products.
    let products: NewtonPieceProducts
    /// Per neuron: whether its matrix is up to date, and an orthonormal basis of its pinned
    /// inputs (k×d row-major).
    private var matrixValid: [Bool]
    private var pinBases: [[Double]]
    private let eigen: SymmetricEigenWorkspace
    private var projected: [Double]
    private var scratchDirection: [Double]
    /// Per pinned pair k: rows (u, l) with sliding values (u·Δ, l·Δ), until its neuron changes.
    private var slidingRows: [Int: (upper: [Double], lower: [Double])] = [:]

    init(network: ReLUNetwork, weights: [Double], relativeCutoff: Double) throws {
        n = network.sampleCount
        d = network.dimension
        m = network.width
        guard Self.fits(width: m, dimension: d) else {
            throw InputError(.solver, value: "events",
                             allowed: "Newton events keep a d×d matrix per neuron; m·d² = \(m * d * d) exceeds \(Self.cacheLimit): use --solver gsl")
        }
        self.relativeCutoff = relativeCutoff
        inputs = network.data.inputs.elements
        targets = network.data.targets
        let root = Double(m).squareRoot()
        scales = network.outputWeights.map { $0 / root }
        modes = [Mode](repeating: .inactive, count: n * m)
        pins = [[Int]](repeating: [], count: m)
        products = NewtonPieceProducts(inputs: inputs, targets: targets, scales: scales)
        matrixValid = [Bool](repeating: false, count: m)
        pinBases = [[Double]](repeating: [], count: m)
        eigen = SymmetricEigenWorkspace(size: d)
        projected = [Double](repeating: 0, count: n * d)
        scratchDirection = [Double](repeating: 0, count: d * n)
        weights.withView { products.update(weights: $0) }
        for k in 0..<(n * m) {
            let active = products.preactivations[k] >= 0
            modes[k] = active ? .active : .inactive
            products.setSide(pair: k, active ? 1 : -1)
        }
    }

    var dimension: Int { d * m }
    var hasJacobian: Bool { false }
    func jacobian(t: Double, state: VectorView, dfdy: MutableVectorView, dfdt: MutableVectorView) -> Bool { false }

    /// The input x_i.
    func input(_ i: Int) -> ArraySlice<Double> { inputs[(i * d)..<((i + 1) * d)] }

    /// Z = XW and Δ with the held modes.
    func update(weights w: VectorView) { products.update(weights: w) }

    /// z_k of the last `update`.
    func preactivation(_ k: Int) -> Double { products.preactivations[k] }

    /// Ẇ with the held modes; rebuilds the matrices of neurons whose modes changed.
    func evaluate(t: Double, state w: VectorView, derivative out: MutableVectorView) {
        for r in 0..<m where !matrixValid[r] { rebuild(neuron: r) }
        products.update(weights: w)
        products.velocity(into: out)
    }

    private func rebuild(neuron r: Int) {
        let basis = orthonormalBasis(of: pins[r]) ?? []
        pinBases[r] = basis
        // a_r = 0: J_r = 0, so the pseudo-inverse direction is 0 and the neuron stays put.
        let scale = scales[r] == 0 ? 0 : -1 / (scales[r] * scales[r])
        products.setInverse(neuron: r, block: restrictedPseudoInverse(neuron: r, override: nil, basis: basis).inverse.map { scale * $0 })
        matrixValid[r] = true
    }

    /// Marks neuron r's matrix for rebuilding after its modes changed.
    private func invalidate(_ r: Int) {
        matrixValid[r] = false
        for i in pins[r] { slidingRows[i * m + r] = nil }
    }

    /// G^+Q (d×d row-major) for neuron r with its held modes, except sample `override.sample`
    /// taken active or inactive (and not pinned): G = Q X_SᵀX_S Q, Q = I − UUᵀ with U = `basis`
    /// spanning the inputs kept pinned, eigenvalues at most `relativeCutoff` of the largest
    /// dropped. Also returns S. NaN entries when the eigensolver fails (non-finite input).
    private func restrictedPseudoInverse(neuron r: Int, override: (sample: Int, active: Bool)?,
                                         basis: [Double]) -> (inverse: [Double], included: [Int]) {
        var inverse = [Double](repeating: 0, count: d * d)
        let k = basis.count / d
        var included: [Int] = []
        for i in 0..<n {
            let active = override?.sample == i ? override!.active : modes[i * m + r] == .active
            guard active else { continue }
            included.append(i)
            // Q x_i = x_i − U Uᵀ x_i.
            for p in 0..<d { projected[i * d + p] = inputs[i * d + p] }
            for b in 0..<k {
                var dot = 0.0
                for p in 0..<d { dot += basis[b * d + p] * inputs[i * d + p] }
                for p in 0..<d { projected[i * d + p] -= dot * basis[b * d + p] }
            }
        }
        guard !included.isEmpty else { return (inverse, included) }
        let a = eigen.matrix.view, q = eigen.vectors.view
        for e in 0..<(d * d) { a[e] = 0 }
        for i in included {
            for p in 0..<d {
                let xp = projected[i * d + p]
                for s in p..<d { a[p * d + s] += xp * projected[i * d + s] }
            }
        }
        for p in 0..<d { for s in 0..<p { a[p * d + s] = a[s * d + p] } }
        guard (try? eigen.decompose()) != nil else {
            return ([Double](repeating: .nan, count: d * d), included)
        }
        var largest = 0.0
        for e in 0..<d { largest = max(largest, eigen.eigenvalue(e)) }
        guard largest > 0 else { return (inverse, included) }
        let cutoff = relativeCutoff * largest
        // G^+ = Σ_{μ kept} q qᵀ/μ, then G^+Q = G^+ − (G^+U)Uᵀ (G^+'s range is Q's up to rounding;
        // the product makes x_kᵀẇ_r = 0 hold to rounding for the pinned k).
        for e in 0..<d {
            let mu = eigen.eigenvalue(e)
            guard mu > cutoff else { continue }
            for p in 0..<d {
                let v = q[p * d + e] / mu
                for s in 0..<d { inverse[p * d + s] += v * q[s * d + e] }
            }
        }
        for b in 0..<k {
            for p in 0..<d {
                var gu = 0.0
                for s in 0..<d { gu += inverse[p * d + s] * basis[b * d + s] }
                for s in 0..<d { inverse[p * d + s] -= gu * basis[b * d + s] }
            }
        }
        return (inverse, included)
    }

    /// D (d×n) with ẇ_r = DΔ for neuron r with its held modes, except sample `override.sample`
    /// taken active or inactive: column i = −(1/c_r) G^+Q x_i for i ∈ S, else 0.
    private func buildDirection(neuron r: Int, override: (sample: Int, active: Bool)?, basis: [Double],
                                into out: inout [Double]) {
        for k in 0..<(d * n) { out[k] = 0 }
        let (inverse, included) = restrictedPseudoInverse(neuron: r, override: override, basis: basis)
        guard scales[r] != 0 else { return }
        let minusInverseScale = -1 / scales[r]
        for i in included {
            for p in 0..<d {
                var v = 0.0
                for s in 0..<d { v += inverse[p * d + s] * inputs[i * d + s] }
                out[p * n + i] = minusInverseScale * v
            }
        }
    }

    /// An orthonormal basis (k×d row-major) of the inputs of `samples` by modified
    /// Gram–Schmidt, or nil when they are linearly dependent (a residual below 1e-8 of ‖x‖).
    func orthonormalBasis(of samples: [Int]) -> [Double]? {
        var basis: [Double] = []
        for i in samples {
            var v = Array(input(i))
            let size = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for b in 0..<(basis.count / d) {
                var dot = 0.0
                for p in 0..<d { dot += basis[b * d + p] * v[p] }
                for p in 0..<d { v[p] -= dot * basis[b * d + p] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 1e-8 * size, norm > 0 else { return nil }
            basis += v.map { $0 / norm }
        }
        return basis
    }

    /// The row ρ (n values) with x_iᵀẇ_r = ρ·Δ when sample i of neuron r is taken `active` or
    /// not (the other modes held, its own pin released).
    private func rateRow(sample i: Int, neuron r: Int, active: Bool) -> [Double] {
        let kept = pins[r].filter { $0 != i }
        let basis = orthonormalBasis(of: kept) ?? []
        buildDirection(neuron: r, override: (i, active), basis: basis, into: &scratchDirection)
        var row = [Double](repeating: 0, count: n)
        for p in 0..<d {
            let x = inputs[i * d + p]
            for j in 0..<n { row[j] += x * scratchDirection[p * n + j] }
        }
        return row
    }

    private func dotResidual(_ row: [Double]) -> Double { products.dotResidual(row) }

    /// x_iᵀẇ_r on the one-sided field with sample i of neuron r `active` or not, at the Δ of
    /// the last `update`, and its sensitivity ‖ρ‖₁ to errors in Δ's entries.
    func oneSidedRateAndSensitivity(sample i: Int, neuron r: Int, active: Bool) -> (rate: Double, sensitivity: Double) {
        let row = rateRow(sample: i, neuron: r, active: active)
        return (dotResidual(row), row.reduce(0) { $0 + abs($1) })
    }

    /// The sliding values (−x_iᵀF₊, x_iᵀF₋) of a pinned pair at the last `update`: the pair
    /// slides while both are ≥ 0. They are linear in Δ.
    func slidingValues(sample i: Int, neuron r: Int) -> (upper: Double, lower: Double) {
        let rows = slidingRowPair(sample: i, neuron: r)
        return (dotResidual(rows.upper), dotResidual(rows.lower))
    }

    /// The sliding values' rates at the Δ̇ of the last `updateRates`.
    func slidingRates(sample i: Int, neuron r: Int) -> (upper: Double, lower: Double) {
        let rows = slidingRowPair(sample: i, neuron: r)
        return (products.dotResidualRate(rows.upper), products.dotResidualRate(rows.lower))
    }

    private func slidingRowPair(sample i: Int, neuron r: Int) -> (upper: [Double], lower: [Double]) {
        let k = i * m + r
        if let cached = slidingRows[k] { return cached }
        let rows = (rateRow(sample: i, neuron: r, active: true).map { -$0 }, rateRow(sample: i, neuron: r, active: false))
        slidingRows[k] = rows
        return rows
    }

    /// ‖ρ₊‖₁ and ‖ρ₋‖₁ of the sliding values u = ρ₊·Δ, l = ρ₋·Δ: an error δ in every Δ_j moves
    /// them by at most δ times these.
    func slidingSensitivities(sample i: Int, neuron r: Int) -> (upper: Double, lower: Double) {
        let rows = slidingRowPair(sample: i, neuron: r)
        return (rows.upper.reduce(0) { $0 + abs($1) }, rows.lower.reduce(0) { $0 + abs($1) })
    }

    /// Ż = X V and Δ̇ for a velocity V with the held modes.
    func updateRates(velocity v: VectorView) { products.updateRates(velocity: v) }

    /// ż_k of the last `updateRates`.
    func preactivationRate(_ k: Int) -> Double { products.preactivationRates[k] }

    /// Holds pair (i, r) in `mode`; pinning checks that the neuron's pinned inputs stay
    /// independent (returns false, changing nothing, when not).
    func setMode(sample i: Int, neuron r: Int, to mode: Mode) -> Bool {
        let k = i * m + r
        let wasPinned = modes[k] == .pinned
        if mode == .pinned, !wasPinned {
            guard orthonormalBasis(of: pins[r] + [i]) != nil else { return false }
            pins[r].append(i)
        } else if mode != .pinned, wasPinned {
            pins[r].removeAll { $0 == i }
        }
        modes[k] = mode
        products.setSide(pair: k, mode == .active ? 1 : mode == .inactive ? -1 : 0)
        slidingRows[k] = nil
        invalidate(r)
        return true
    }

    /// Moves w_r onto its sliding surfaces: w_r ← Q_r w_r (x_kᵀw_r = 0 for every pinned k).
    func projectOntoSurfaces(neuron r: Int, weights w: MutableVectorView) {
        guard !pins[r].isEmpty else { return }
        if !matrixValid[r] { rebuild(neuron: r) }
        let basis = pinBases[r]
        for b in 0..<(basis.count / d) {
            var dot = 0.0
            for p in 0..<d { dot += basis[b * d + p] * w[p * m + r] }
            for p in 0..<d { w[p * m + r] -= dot * basis[b * d + p] }
        }
    }

    /// Moves w_r along x_i so that x_iᵀw_r = 0 (a pair placed on its kink at an event).
    func placeOnKink(sample i: Int, neuron r: Int, weights w: MutableVectorView) {
        var z = 0.0, size = 0.0
        for p in 0..<d {
            z += inputs[i * d + p] * w[p * m + r]
            size += inputs[i * d + p] * inputs[i * d + p]
        }
        guard size > 0 else { return }
        for p in 0..<d { w[p * m + r] -= z / size * inputs[i * d + p] }
    }

    /// The number of pinned pairs.
    var pinnedCount: Int { pins.reduce(0) { $0 + $1.count } }
}
