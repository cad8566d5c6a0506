import Foundation

/// Heavy ball and constant-β Nesterov on a frozen kernel H: the residual recursion
/// [ξ_{k+1}; ξ_k] = M [ξ_k; ξ_{k−1}] with
///
///     heavy ball  M = [[(1+β)I − ηH, −βI], [I, 0]]            (001 Thm 5; 000 eq. (16))
///     Nesterov    M = [[(1+β)(I − ηH), −β(I − ηH)], [I, 0]]    (003 eq. (22))
///
/// (003 eq. (23) prints the heavy-ball top-right block as −βH0; it is −βI.)
///
/// In H's eigenbasis M is, after pairing coordinate i of ξ_k with coordinate i of ξ_{k−1},
/// block diagonal with one 2×2 block B(λ) per eigenvalue (001 Lemma 6, (46)–(47)). Everything
/// here is computed from those blocks: the spectral radius ρ(M) = max_λ ρ(B(λ)), which is the
/// asymptotic rate per iteration of ‖ξ_k‖ (ρ² for the loss); ‖M^k‖₂ = max_λ ‖B(λ)^k‖₂, exactly
/// through the closed-form singular values of a 2×2 matrix; and the transient constant
/// max_k ‖M^k‖/ρ^k, which 001 Thm 5 bounds by C0 when ρ = √β (see `theorem5C0`).
///
/// 000 Lemma 3 claims ‖M‖₂ ≤ √β for heavy ball; `spectralNorm` shows it is ≥ 1 (the row [I, 0]
/// alone has norm 1). The bound meant is the spectral radius, ρ(M) ≤ √β (000 Lemma 5).
public struct LinearRegime: Sendable {
    public let method: Method
    /// η.
    public let stepSize: Double
    /// β.
    public let momentum: Double
    /// The eigenvalues of H, in the order given (or ascending when built from a kernel).
    public let eigenvalues: [Double]
    /// H's eigenvectors as columns when built from a kernel; nil means H = diag(eigenvalues),
    /// i.e. vectors are already given in eigen-coordinates.
    public let eigenvectors: DenseMatrix?
    /// B(λ_i) for each eigenvalue, in the order of `eigenvalues`.
    public let blocks: [Block]

    /// The regime for H = diag(eigenvalues) (or any H with these eigenvalues, with vectors in
    /// its eigen-coordinates). Needs finite eigenvalues, η > 0 and finite β.
    public init(eigenvalues: [Double], stepSize: Double, momentum: Double, method: Method) throws {
        try self.init(eigenvalues: eigenvalues, eigenvectors: nil, stepSize: stepSize, momentum: momentum, method: method)
    }

    /// The regime for a symmetric kernel H, diagonalized with `SymmetricEigensystem`.
    public init(kernel: DenseMatrix, stepSize: Double, momentum: Double, method: Method) throws {
        let system = try SymmetricEigensystem(kernel)
        try self.init(eigenvalues: system.values, eigenvectors: system.vectors,
                      stepSize: stepSize, momentum: momentum, method: method)
    }

    private init(eigenvalues: [Double], eigenvectors: DenseMatrix?, stepSize: Double, momentum: Double,
                 method: Method) throws {
        guard !eigenvalues.isEmpty, eigenvalues.allSatisfy(\.isFinite) else {
            throw InputError("kernel eigenvalues", value: "\(eigenvalues.count) values", allowed: "at least one, all finite")
        }
        guard stepSize.isFinite, stepSize > 0 else {
            throw InputError("step size η", value: "\(stepSize)", allowed: "a finite number > 0")
        }
        guard momentum.isFinite else {
            throw InputError("momentum β", value: "\(momentum)", allowed: "a finite number (usually in [0, 1))")
        }
        self.method = method
        self.stepSize = stepSize
        self.momentum = momentum
        self.eigenvalues = eigenvalues
        self.eigenvectors = eigenvectors
        self.blocks = eigenvalues.map {
            Block.transition(method: method, scaledEigenvalue: stepSize * $0, momentum: momentum)
        }
    }

    public var dimension: Int { eigenvalues.count }

    // MARK: - Rates

    /// ρ(M) = max_λ ρ(B(λ)): the asymptotic rate per iteration of ‖[ξ_k; ξ_{k−1}]‖.
    public var spectralRadius: Double { blocks.reduce(0) { max($0, $1.spectralRadius) } }

    /// ρ(M)²: the asymptotic rate per iteration of the loss ½‖ξ_k‖².
    public var lossRatePerIteration: Double { spectralRadius * spectralRadius }

    /// ‖M‖₂ = max_λ ‖B(λ)‖₂. Always ≥ 1 because of the [I, 0] row, whatever η and β: this is
    /// the quantity 000 Lemma 3 bounds by √β, which cannot hold (the spectral radius was meant).
    public var spectralNorm: Double { blocks.reduce(0) { max($0, $1.spectralNorm) } }

    /// Whether every block has a complex-conjugate pair of eigenvalues (for heavy ball:
    /// β > (1 − √(ηλ))² for all λ, and then every |z| = √β, 001 Lemma 6).
    public var allBlocksComplex: Bool { blocks.allSatisfy { $0.rootKind == .complexConjugate } }

    /// The eigenvalues of M: both roots of each block, block by block.
    public var transitionEigenvalues: [Complex] { blocks.flatMap { b -> [Complex] in let z = b.eigenvalues; return [z.0, z.1] } }

    // MARK: - Matrix powers

    /// ‖M^k‖₂ / r^k, from (B/r)^k by repeated squaring so that nothing over- or underflows
    /// while ρ ≈ r. `rate` defaults to ρ(M) and must be > 0.
    public func scaledPowerNorm(_ k: Int, rate: Double? = nil) -> Double {
        let r = resolvedRate(rate)
        return blocks.reduce(0) { max($0, ((1 / r) * $1).power(k).spectralNorm) }
    }

    /// ‖M^k‖₂ (may over- or underflow for large k; prefer `scaledPowerNorm`).
    public func powerNorm(_ k: Int) -> Double {
        let r = spectralRadius
        if r == 0 { return blocks.reduce(0) { max($0, $1.power(k).spectralNorm) } }
        return scaledPowerNorm(k, rate: r) * pow(r, Double(k))
    }

    /// max over k = 0…K of ‖M^k‖₂ / r^k and the first k where it is attained (r = ρ(M) unless
    /// given; pass r = √β for 001 Thm 5's normalization). Each block's power is built by direct
    /// multiplication with B/r, so the entries stay of the size of the ratio itself; the
    /// rounding error after k steps is about k·ε times that ratio.
    ///
    /// Bounded in K when every block of largest ρ is diagonalizable; for a repeated root
    /// (Jordan block) it grows like K.
    public func transientConstant(maxIterations: Int, rate: Double? = nil) -> (value: Double, atIteration: Int) {
        precondition(maxIterations >= 0, "transientConstant: maxIterations = \(maxIterations)")
        let r = resolvedRate(rate)
        var best = (value: 1.0, atIteration: 0)             // k = 0: ‖I‖ = 1
        var powers = [Block](repeating: .identity, count: blocks.count)
        let scaled = blocks.map { (1 / r) * $0 }
        if maxIterations == 0 { return best }
        for k in 1...maxIterations {
            var normK = 0.0
            for i in powers.indices {
                powers[i] = scaled[i] * powers[i]
                normK = max(normK, powers[i].spectralNorm)
            }
            if normK > best.value { best = (normK, k) }
        }
        return best
    }

    /// [ξ_k; ξ_{k−1}] = v (length 2n, in the basis H was given in) split into per-eigenvalue
    /// pairs (x_i, y_i) = ((Qᵀξ_k)_i, (Qᵀξ_{k−1})_i). The map is orthogonal, so norms agree.
    public func modalPairs(of v: [Double]) -> [(Double, Double)] {
        let n = dimension
        precondition(v.count == 2 * n, "modalPairs: vector of length \(v.count), expected \(2 * n)")
        var top = Array(v[0..<n]), bottom = Array(v[n..<(2 * n)])
        if let q = eigenvectors {
            let qt = q.transposed
            top = qt * top
            bottom = qt * bottom
        }
        return (0..<n).map { (top[$0], bottom[$0]) }
    }

    /// ‖M^k v‖ / r^k for k = 0…K (r = ρ(M) unless given), by stepping each modal pair with B/r.
    public func scaledIterateNorms(of v: [Double], maxIterations: Int, rate: Double? = nil) -> [Double] {
        precondition(maxIterations >= 0, "scaledIterateNorms: maxIterations = \(maxIterations)")
        let r = resolvedRate(rate)
        var pairs = modalPairs(of: v)
        let scaled = blocks.map { (1 / r) * $0 }
        var norms: [Double] = []
        norms.reserveCapacity(maxIterations + 1)
        for k in 0...maxIterations {
            if k > 0 { for i in pairs.indices { pairs[i] = scaled[i].apply(pairs[i]) } }
            norms.append(pairs.reduce(0) { hypot($0, hypot($1.0, $1.1)) })
        }
        return norms
    }

    /// max over k = 0…K of ‖M^k v‖ / (r^k ‖v‖) and the first k where it is attained: the
    /// constant of 001 Thm 5's (9) for this particular v (≤ `transientConstant`). v ≠ 0.
    public func transientConstant(for v: [Double], maxIterations: Int, rate: Double? = nil) -> (value: Double, atIteration: Int) {
        let norms = scaledIterateNorms(of: v, maxIterations: maxIterations, rate: rate)
        let v0 = norms[0]
        precondition(v0 > 0, "transientConstant(for:): zero vector")
        var best = (value: 1.0, atIteration: 0)
        for (k, nk) in norms.enumerated() where nk / v0 > best.value { best = (nk / v0, k) }
        return best
    }

    /// The full 2n×2n M in the basis H was given in (H = Q diag(λ) Qᵀ, or diag(λ)).
    public var transitionMatrix: DenseMatrix {
        var h = DenseMatrix.diagonal(eigenvalues)
        if let q = eigenvectors { h = q * h * q.transposed }
        return LinearRegime.transitionMatrix(kernel: h, stepSize: stepSize, momentum: momentum, method: method)
    }

    // MARK: - 001 Theorem 5

    /// [ηλmin, ηλmax].
    public var scaledEigenvalueRange: ClosedRange<Double> {
        let lo = eigenvalues.min()!, hi = eigenvalues.max()!
        return (stepSize * lo)...(stepSize * hi)
    }

    /// Whether 001 Thm 5's hypothesis holds (heavy ball only):
    /// 1 ≥ β > max{(1 − √(ηλmin))², (1 − √(ηλmax))²}, λmin > 0.
    public var theorem5Applies: Bool {
        method == .heavyBall && LinearRegime.theorem5HypothesisHolds(momentum: momentum, scaledEigenvalueRange: scaledEigenvalueRange)
    }

    /// 001 Thm 5's C0 for this spectrum (see `C0Variant`); nil for Nesterov or when the
    /// hypothesis fails.
    public func theorem5C0(_ variant: C0Variant) -> Double? {
        guard theorem5Applies else { return nil }
        return LinearRegime.theorem5C0(variant, momentum: momentum, scaledEigenvalueRange: scaledEigenvalueRange)
    }

    /// 001 Thm 5's bound (9): ‖M^k v‖ ≤ C0 β^{k/2} ‖v‖, with the chosen C0. Nil where C0 is.
    public func theorem5Bound(iteration k: Int, initialNorm: Double, variant: C0Variant = .corrected) -> Double? {
        guard let c0 = theorem5C0(variant) else { return nil }
        return c0 * pow(momentum, 0.5 * Double(k)) * initialNorm
    }

    /// The rate r that `transientConstant` and the scaled norms divide by: ρ(M) unless given.
    /// Throws when it is 0 (M nilpotent: the iteration reaches its limit in finitely many
    /// steps, so ‖M^k‖/ρ^k is undefined) or not finite (η or β so large that ρ(M) overflows).
    public func normalizingRate(_ rate: Double? = nil) throws -> Double {
        let r = rate ?? spectralRadius
        guard r.isFinite, r > 0 else {
            throw InputError("spectral radius ρ(M)", value: "\(r)",
                             allowed: r == 0 ? "max ‖M^k‖/ρ^k is undefined for ρ(M) = 0 (M is nilpotent: the iteration converges in finitely many steps)"
                                             : "ρ(M) must be finite to normalize ‖M^k‖ by ρ^k (η or β overflows it)")
        }
        return r
    }

    private func resolvedRate(_ rate: Double?) -> Double {
        let r = rate ?? spectralRadius
        precondition(r.isFinite && r > 0, "LinearRegime: normalizing rate must be finite and > 0 (got \(r)); pass one explicitly when ρ(M) = 0")
        return r
    }
}
