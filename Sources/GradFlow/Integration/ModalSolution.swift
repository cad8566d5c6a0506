import Foundation

/// A failure of the exact modal solution that is not a bad input value as such: the
/// characteristic polynomial of a higher-order mode has (nearly) repeated roots, or the
/// Bessel profile of a Nesterov mode cannot be evaluated in double precision.
public struct ModalSolutionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "modal solution: \(message)" }
}

/// The exact solution of the linear (frozen-kernel) error model of Bu, Xu & Chen (002)
///
///     Δ^{(p)} + Σ_{j=1}^{p−1} c_j(t) Δ^{(j)} + H Δ = 0,   Δ(0) = Δ0,  Δ^{(j)}(0) = 0 (j ≥ 1),
///
/// for a constant symmetric positive semidefinite kernel H = Q diag(λ) Qᵀ (the linearized
/// model with H = H(0) or H^∞). In the eigenbasis every mode y_k = (QᵀΔ)_k obeys a scalar
/// equation with y_k(0) = (QᵀΔ0)_k and zero initial derivatives, solved in closed form:
///
/// - gradient flow, Δ̇ = −HΔ (002 eq. 2.4): y = y0 e^{−λt};
/// - heavy ball, Δ̈ + bΔ̇ + HΔ = 0 (002 eq. 3.7): with ω² = b²/4 − λ,
///   y = y0 e^{−bt/2}[cosh(ωt) + (b/2) sinh(ωt)/ω] and ẏ = −λ y0 e^{−bt/2} sinh(ωt)/ω,
///   ω real (overdamped), imaginary (underdamped) or zero (critical); cosh(ωt) and
///   sinh(ωt)/ω are summed as power series in ω²t² when |ω²t²| ≤ 1, so that the solution is
///   continuous through critical damping without cancellation, and the overdamped form is
///   written with the two real roots' exponentials so that cosh never overflows;
/// - Nesterov, Δ̈ + (γ/t)Δ̇ + HΔ = 0 (002 eq. 4.4), exact from t = 0 for γ ≥ 1: with
///   ν = (γ−1)/2 and x = √λ t, y = y0 Γ(ν+1)(2/x)^ν J_ν(x) and
///   ẏ = −y0 λ t Γ(ν+2)(2/x)^{ν+1} J_{ν+1}(x) / (γ+1) (from d/dx[x^{−ν}J_ν] = −x^{−ν}J_{ν+1});
/// - higher-order momentum, Δ^{(J+1)} + Σ_{j=1}^{J} b_j Δ^{(j)} + HΔ = 0 (002 eq. 5.1):
///   y = Re Σ_q C_q e^{s_q t} over the roots s_q of s^{J+1} + Σ_j b_j s^j + λ
///   (`gsl_poly_complex_solve`), with Σ_q C_q s_q^j = y0·[j = 0] for j = 0 … J solved by
///   complex Gaussian elimination. The roots must be distinct (see `ModalSolutionError`).
///
/// Any other autonomous flow is solved like higher-order momentum with the constant
/// coefficients c_j = `damping(j, at: 0)`; non-autonomous flows other than Nesterov are
/// rejected. Eigenvalues in [−1e-12·max(1, λ_max), 0) are rounding and are clamped to 0; a
/// mode with λ = 0 stays at y0. Per-mode constants are computed in `init`, so evaluating
/// at a time costs O(p n²) (the rotation back by Q) plus O(p n) special-function calls.
public struct ModalSolution: Sendable {
    /// The order p of the flow: `derivatives(at:)` returns Δ, Δ̇, …, Δ^{(p−1)}.
    let order: Int
    /// The kernel's eigen-decomposition; its eigenvalues are used clamped (see `lambdas`).
    let kernel: SymmetricEigensystem
    /// The eigenvalues, with rounding negatives clamped to 0.
    let lambdas: [Double]
    /// The initial modal coordinates y_k(0) = (QᵀΔ0)_k.
    let initialModes: [Double]
    let solver: Solver

    /// The per-flow precomputed constants.
    enum Solver {
        case gradient
        case heavyBall(friction: Double, modes: [HeavyBallMode])
        case nesterov(NesterovConstants)
        /// One entry per mode; nil for a constant mode (λ = 0 or y0 = 0).
        case characteristic([CharacteristicMode?])
    }

    /// Constants of one heavy-ball mode y'' + b y' + λ y = 0 (002 eq. 3.7).
    struct HeavyBallMode {
        /// w = ω² = b²/4 − λ: negative underdamped, zero critical, positive overdamped.
        let omegaSquared: Double
        /// ω = √|w|.
        let omega: Double
        /// Overdamped roots −b/2 ± ω, the slow one written as −λ/(b/2 + ω) (no cancellation).
        let slowRoot: Double
        let fastRoot: Double
    }

    /// Constants shared by all Nesterov modes (002 eq. 4.4).
    struct NesterovConstants {
        let gamma: Double
        /// ν = (γ−1)/2 ≥ 0.
        let nu: Double
        /// ln Γ(ν+1) and ln Γ(ν+2).
        let logGammaNu1: Double
        let logGammaNu2: Double
    }

    /// Constants of one constant-coefficient mode: y^{(j)}(t) = Re Σ_q K[j][q] e^{s_q t}.
    struct CharacteristicMode {
        let roots: [Complex]
        /// K[j][q] = C_q s_q^j.
        let terms: [[Complex]]
    }

    /// Prepares the exact solution for the kernel H = Q diag(λ) Qᵀ, the initial residual
    /// Δ(0) = Δ0 and zero initial derivatives.
    ///
    /// Throws `InputError` for a negative eigenvalue below −1e-12·max(1, λ_max), a residual
    /// of the wrong length, non-finite values, a negative or non-finite heavy-ball friction,
    /// a Nesterov γ < 1, or a flow without an exact solution; throws `ModalSolutionError`
    /// when a higher-order mode's characteristic roots are (nearly) repeated.
    public init(kernel: SymmetricEigensystem, initialResidual: [Double], flow: any ContinuousFlow) throws {
        let n = kernel.values.count
        guard initialResidual.count == n else {
            throw InputError("initial residual", value: "\(initialResidual.count) entries",
                             allowed: "must have one entry per kernel eigenvalue (\(n))")
        }
        if let bad = initialResidual.first(where: { !$0.isFinite }) {
            throw InputError("initial residual", value: "\(bad)", allowed: "entries must be finite")
        }
        if let bad = kernel.values.first(where: { !$0.isFinite }) {
            throw InputError("kernel eigenvalue", value: "\(bad)", allowed: "eigenvalues must be finite")
        }
        if let bad = kernel.vectors.elements.first(where: { !$0.isFinite }) {
            throw InputError("kernel eigenvector entry", value: "\(bad)", allowed: "eigenvectors must be finite")
        }
        let lambdaMax = kernel.values.max() ?? 0
        let tolerance = 1e-12 * max(1, lambdaMax)
        if let bad = kernel.values.first(where: { $0 < -tolerance }) {
            throw InputError("kernel eigenvalue", value: "\(bad)",
                             allowed: "the kernel must be positive semidefinite (eigenvalues ≥ −\(tolerance))")
        }
        let lambdas = kernel.values.map { max($0, 0) }
        let modes = kernel.coordinates(of: initialResidual)

        self.order = flow.order
        self.kernel = kernel
        self.lambdas = lambdas
        self.initialModes = modes

        switch flow.modalForm {
        case .exponential:
            solver = .gradient
        case .dampedOscillator(let b):
            guard b.isFinite, b >= 0 else {
                throw InputError("heavy-ball friction b", value: "\(b)", allowed: "must be finite and ≥ 0")
            }
            solver = .heavyBall(friction: b, modes: lambdas.map { ModalSolution.heavyBallMode(friction: b, lambda: $0) })
        case .bessel(let gamma):
            guard gamma.isFinite, gamma >= 1 else {
                throw InputError("Nesterov γ", value: "\(gamma)",
                                 allowed: "the exact Nesterov solution needs a finite γ ≥ 1 (ν = (γ−1)/2 ≥ 0 for GSL's J_ν)")
            }
            let nu = (gamma - 1) / 2
            solver = .nesterov(NesterovConstants(gamma: gamma, nu: nu,
                                                 logGammaNu1: try SpecialFunctions.logGamma(nu + 1),
                                                 logGammaNu2: try SpecialFunctions.logGamma(nu + 2)))
        case .constantCoefficients, .none:
            guard flow.modalForm == .constantCoefficients, flow.isAutonomous else {
                throw InputError("flow", value: flow.name,
                                 allowed: "an exact modal solution exists only for gradient flow, heavy ball, Nesterov and constant-coefficient flows")
            }
            let p = flow.order
            guard p >= 1 else {
                throw InputError("flow order", value: "\(p)", allowed: "must be ≥ 1")
            }
            // c_1 … c_{p−1}; for HigherOrderMomentumFlow these are b_1 … b_J (002 eq. 5.1).
            let damping = (1..<p).map { flow.damping($0, at: 0) }
            if let bad = damping.first(where: { !$0.isFinite }) {
                throw InputError("\(flow.name) damping coefficient", value: "\(bad)", allowed: "must be finite")
            }
            var result: [CharacteristicMode?] = []
            result.reserveCapacity(n)
            for k in 0..<n {
                if lambdas[k] == 0 || modes[k] == 0 {
                    result.append(nil)
                } else {
                    result.append(try ModalSolution.characteristicMode(damping: damping, lambda: lambdas[k], y0: modes[k]))
                }
            }
            solver = .characteristic(result)
        }
    }

    /// Δ^{(j)}(t) for j = 0 ..< flow.order, each an n-vector (index 0 = Δ(t), 1 = Δ̇(t), ...).
    /// Throws `InputError` for a negative or non-finite t.
    public func derivatives(at t: Double) throws -> [[Double]] {
        let modal = try modalDerivatives(at: t)
        return modal.map { kernel.vector(fromCoordinates: $0) }
    }

    /// Convenience: derivatives(at:)[0].
    public func residual(at t: Double) throws -> [Double] {
        try derivatives(at: t)[0]
    }

    /// The eigenbasis coordinates y^{(j)}(t) = Qᵀ Δ^{(j)}(t) for j = 0 ..< order.
    func modalDerivatives(at t: Double) throws -> [[Double]] {
        guard t.isFinite, t >= 0 else {
            throw InputError("time", value: "\(t)", allowed: "the modal solution is defined for finite t ≥ 0")
        }
        let n = lambdas.count
        var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: order)
        switch solver {
        case .gradient:
            // y = y0 e^{−λt} (002 eq. 2.4).
            for k in 0..<n { out[0][k] = initialModes[k] * exp(-lambdas[k] * t) }
        case let .heavyBall(b, modes):
            for k in 0..<n {
                let (y, v) = ModalSolution.heavyBall(friction: b, lambda: lambdas[k], mode: modes[k],
                                                     y0: initialModes[k], t: t)
                out[0][k] = y
                out[1][k] = v
            }
        case let .nesterov(c):
            for k in 0..<n {
                let y0 = initialModes[k], lambda = lambdas[k]
                if lambda == 0 || y0 == 0 {
                    out[0][k] = y0
                    continue
                }
                let x = lambda.squareRoot() * t
                out[0][k] = y0 * (try ModalSolution.besselProfile(nu: c.nu, logGammaNuPlus1: c.logGammaNu1, x: x))
                out[1][k] = -y0 * lambda * t
                    * (try ModalSolution.besselProfile(nu: c.nu + 1, logGammaNuPlus1: c.logGammaNu2, x: x))
                    / (c.gamma + 1)
            }
        case let .characteristic(modes):
            for k in 0..<n {
                guard let mode = modes[k] else {
                    out[0][k] = initialModes[k]
                    continue
                }
                let e = mode.roots.map { Complex.exp(Complex($0.re * t, $0.im * t)) }
                for j in 0..<order {
                    var s = 0.0
                    for q in 0..<e.count {
                        let term = mode.terms[j][q]
                        s += term.re * e[q].re - term.im * e[q].im
                    }
                    out[j][k] = s
                }
            }
        }
        return out
    }

    // MARK: - Heavy ball (002 eq. 3.7)

    static func heavyBallMode(friction b: Double, lambda: Double) -> HeavyBallMode {
        let half = b / 2
        let w = half * half - lambda
        let omega = abs(w).squareRoot()
        if w > 0 {
            let fast = -(half + omega)
            // −b/2 + ω = (ω² − b²/4)/(ω + b/2) = −λ/(b/2 + ω); b/2 + ω > 0 because w > 0.
            return HeavyBallMode(omegaSquared: w, omega: omega, slowRoot: -lambda / (half + omega), fastRoot: fast)
        }
        return HeavyBallMode(omegaSquared: w, omega: omega, slowRoot: -half, fastRoot: -half)
    }

    /// (y, ẏ) of y'' + b y' + λ y = 0, y(0) = y0, ẏ(0) = 0:
    /// y = y0 e^{−bt/2}[cosh(ωt) + (b/2) S], ẏ = −λ y0 e^{−bt/2} S, S = sinh(ωt)/ω, ω² = b²/4 − λ.
    static func heavyBall(friction b: Double, lambda: Double, mode: HeavyBallMode, y0: Double, t: Double) -> (Double, Double) {
        if lambda == 0 || y0 == 0 { return (y0, 0) }
        let half = b / 2
        let z = mode.omegaSquared * t * t
        if abs(z) <= 1 {
            // Near-critical (or early) regime: cosh(ωt) = Σ z^k/(2k)!, sinh(ωt)/ω = t Σ z^k/(2k+1)!,
            // z = ω²t², entire in ω² and so exact through ω = 0.
            let (c, sr) = coshSinhSeries(z)
            let s = t * sr
            let decay = exp(-half * t)
            return (y0 * decay * (c + half * s), -lambda * y0 * decay * s)
        }
        if mode.omegaSquared < 0 {
            // Underdamped: ω = iΩ, cosh → cos(Ωt), sinh(ωt)/ω → sin(Ωt)/Ω.
            let bigOmega = mode.omega
            let decay = exp(-half * t)
            let s = sin(bigOmega * t) / bigOmega
            return (y0 * decay * (cos(bigOmega * t) + half * s), -lambda * y0 * decay * s)
        }
        // Overdamped, ωt > 1: e^{−bt/2}cosh(ωt) = (E1 + E2)/2, e^{−bt/2}sinh(ωt) = (E1 − E2)/2 with
        // E1 = e^{s1 t}, E2 = e^{s2 t}, so nothing overflows:
        // y = y0[(ω + b/2) E1 + s1 E2]/(2ω), ẏ = −λ y0 (E1 − E2)/(2ω).
        let omega = mode.omega
        let e1 = exp(mode.slowRoot * t), e2 = exp(mode.fastRoot * t)
        let y = y0 * ((omega + half) * e1 + mode.slowRoot * e2) / (2 * omega)
        return (y, -lambda * y0 * (e1 - e2) / (2 * omega))
    }

    /// (Σ z^k/(2k)!, Σ z^k/(2k+1)!) for |z| ≤ 1, i.e. (cosh √z, sinh √z/√z); the terms fall
    /// below 1e-17 of the first by k = 10.
    static func coshSinhSeries(_ z: Double) -> (Double, Double) {
        var c = 1.0, s = 1.0
        var tc = 1.0, ts = 1.0
        var k = 0.0
        while k < 30 {
            tc *= z / ((2 * k + 1) * (2 * k + 2))
            ts *= z / ((2 * k + 2) * (2 * k + 3))
            c += tc
            s += ts
            if abs(tc) <= 1e-18 * abs(c) && abs(ts) <= 1e-18 * abs(s) { break }
            k += 1
        }
        return (c, s)
    }

    // MARK: - Nesterov (002 eq. 4.4)

    /// Largest x² for which f_ν(x) is summed as a series: x² ≤ 4(ν+1) keeps the ratio of
    /// successive terms below 1 from the start, and the alternating sum loses at most about
    /// one digit (Σ|terms| / |sum| ≈ I_ν(x)/J_ν(x) ≤ ~10 there).
    static func besselSeriesLimit(nu: Double) -> Double { 4 * (nu + 1) }

    /// f_ν(x) = Γ(ν+1)(2/x)^ν J_ν(x), with f_ν(0) = 1, for ν ≥ 0 and x ≥ 0: the series for
    /// small x, GSL's J_ν with the prefactor applied in logarithms otherwise.
    static func besselProfile(nu: Double, logGammaNuPlus1: Double, x: Double) throws -> Double {
        if x * x <= besselSeriesLimit(nu: nu) {
            return besselProfileSeries(nu: nu, x: x)
        }
        return try besselProfileBessel(nu: nu, logGammaNuPlus1: logGammaNuPlus1, x: x)
    }

    /// f_ν(x) = Σ_k (−x²/4)^k Γ(ν+1)/(k! Γ(ν+k+1)); term ratio −(x²/4)/((k+1)(ν+k+1)).
    static func besselProfileSeries(nu: Double, x: Double) -> Double {
        let q = -x * x / 4
        var sum = 1.0, term = 1.0
        var k = 0.0
        while k < 500 {
            term *= q / ((k + 1) * (nu + k + 1))
            sum += term
            if abs(term) <= 1e-17 * abs(sum) { break }
            k += 1
        }
        return sum
    }

    /// f_ν(x) = sign(J_ν) exp(ln Γ(ν+1) + ν ln(2/x) + ln|J_ν(x)|), so that neither (2/x)^ν nor
    /// Γ(ν+1) overflows on its own.
    static func besselProfileBessel(nu: Double, logGammaNuPlus1: Double, x: Double) throws -> Double {
        let j: Double
        do {
            j = try SpecialFunctions.besselJ(order: nu, x)
        } catch {
            throw ModalSolutionError("J_\(nu)(\(x)) failed (\(error)); the exact Nesterov solution needs a moderate γ (ν = (γ−1)/2)")
        }
        if j == 0 { return 0 }
        if abs(j) < 1e-280 && x < nu {
            // Below the turning point J_ν(x) decays monotonically; a value this small has lost
            // its digits to underflow, which happens only for very large ν.
            throw ModalSolutionError("J_\(nu)(\(x)) underflows in double precision; the exact Nesterov solution needs a smaller γ")
        }
        let logValue = logGammaNuPlus1 + nu * log(2 / x) + log(abs(j))
        return (j < 0 ? -1 : 1) * exp(logValue)
    }

    // MARK: - Constant coefficients (002 eq. 5.1)

    /// Largest Σ_q |C_q|/|y0| accepted: the sum Σ C_q e^{s_q t} then loses at most about six
    /// digits to cancellation (this catches triple roots, which the root finder returns split
    /// by ~ε^{1/3} ≈ 6e-6, above the pairwise threshold).
    static let maximumAmplification = 1e6
    /// Two roots closer than this, relative to the larger, count as repeated.
    static let minimumRootSeparation = 1e-6

    static func characteristicMode(damping: [Double], lambda: Double, y0: Double) throws -> CharacteristicMode {
        let p = damping.count + 1
        // s^p + Σ_{j=1}^{p−1} c_j s^j + λ, lowest degree first.
        let coefficients = [lambda] + damping + [1]
        let roots = try SpecialFunctions.polynomialRoots(coefficients: coefficients)
        for a in 0..<p {
            for c in (a + 1)..<p {
                let gap = (roots[a] - roots[c]).magnitude
                let scale = max(roots[a].magnitude, roots[c].magnitude)
                if gap <= minimumRootSeparation * scale {
                    throw ModalSolutionError("the characteristic polynomial for λ = \(lambda) has nearly repeated roots \(roots[a]) and \(roots[c]); the exact higher-order solver needs distinct characteristic roots")
                }
            }
        }
        // Vandermonde system Σ_q C_q s_q^j = y0·[j = 0], j = 0 … p−1.
        var matrix = [[Complex]](repeating: [Complex](repeating: .zero, count: p), count: p)
        for q in 0..<p {
            var power = Complex.one
            for j in 0..<p {
                matrix[j][q] = power
                power = power * roots[q]
            }
        }
        var rhs = [Complex](repeating: .zero, count: p)
        rhs[0] = Complex(y0)
        guard let c = solveComplex(matrix, rhs) else {
            throw ModalSolutionError("the Vandermonde system for λ = \(lambda) is singular (repeated characteristic roots); the exact higher-order solver needs distinct characteristic roots")
        }
        let amplification = c.reduce(0) { $0 + $1.magnitude } / abs(y0)
        guard amplification.isFinite, amplification <= maximumAmplification else {
            throw ModalSolutionError("the characteristic roots \(roots) for λ = \(lambda) are nearly repeated (coefficients amplify y0 by \(amplification)); the exact higher-order solver needs distinct characteristic roots")
        }
        var terms = [[Complex]](repeating: [Complex](repeating: .zero, count: p), count: p)
        for q in 0..<p {
            var term = c[q]
            for j in 0..<p {
                terms[j][q] = term
                term = term * roots[q]
            }
        }
        return CharacteristicMode(roots: roots, terms: terms)
    }

    /// Solves A x = b by Gaussian elimination with partial pivoting; nil when a pivot is 0.
    static func solveComplex(_ a: [[Complex]], _ b: [Complex]) -> [Complex]? {
        var a = a, b = b
        let n = b.count
        for col in 0..<n {
            var pivot = col
            for row in (col + 1)..<n where a[row][col].magnitude > a[pivot][col].magnitude {
                pivot = row
            }
            guard a[pivot][col].magnitude > 0 else { return nil }
            if pivot != col {
                a.swapAt(pivot, col)
                b.swapAt(pivot, col)
            }
            for row in (col + 1)..<n {
                let factor = a[row][col] / a[col][col]
                if factor == .zero { continue }
                for k in col..<n { a[row][k] = a[row][k] - factor * a[col][k] }
                b[row] = b[row] - factor * b[col]
            }
        }
        var x = [Complex](repeating: .zero, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = b[row]
            for k in (row + 1)..<n { s = s - a[row][k] * x[k] }
            x[row] = s / a[row][row]
        }
        return x
    }
}
