import Foundation

/// The exact solution of Nesterov's ODE W'' + (γ/s)W' = −∇L(W) (002 eq. 4.3) inside one
/// piece of constant activation pattern that starts at the time s0 > 0, in the form
/// `ExactPiecesSolver` uses for every flow (see `PieceModes`):
///
///     Δ'' + (γ/s)Δ' + HΔ = 0,   W^{(j)}(s) = Σ_l F_jl W^{(l)}(s0) + Jᵀφ^{(j)}(s),
///     φ'' + (γ/s)φ' = −Δ,  φ(s0) = φ'(s0) = 0.
///
/// The free motion x'' + (γ/s)x' = 0 has the solutions 1 and s^{1−γ} (ln s for γ = 1):
/// with ρ = s/s0, F = [[1, s0 E_{1−γ}(ρ)], [0, ρ^{−γ}]], E_a(ρ) = (ρ^a − 1)/a (ln ρ for a = 0).
/// In H's eigenbasis (H = Q diag(λ) Qᵀ, y = QᵀΔ, ψ = Qᵀφ) a mode with λ > 0 is
/// y = s^{−ν}(A J_ν(√λ s) + B Y_ν(√λ s)), ν = (γ−1)/2 (002 §4; Su, Boyd & Candès), so
/// with x = √λ s, x0 = √λ s0 and the Wronskian J_νY_{ν+1} − J_{ν+1}Y_ν = −2/(πx) its
/// transition matrix from s0 to s is
///
///     Φ00 = −(π/2) x0 ρ^{−ν} (J_ν(x)Y_{ν+1}(x0) − Y_ν(x)J_{ν+1}(x0))
///     Φ01 =  (π/2) s0 ρ^{−ν} (Y_ν(x)J_ν(x0) − J_ν(x)Y_ν(x0))
///     Φ10 =  (π/2) λ s0 ρ^{−ν} (J_{ν+1}(x)Y_{ν+1}(x0) − Y_{ν+1}(x)J_{ν+1}(x0))
///     Φ11 =  (π/2) x0 ρ^{−ν} (J_{ν+1}(x)Y_ν(x0) − Y_{ν+1}(x)J_ν(x0)),
///
/// (from (s^{−ν}C_ν(√λ s))' = −√λ s^{−ν}C_{ν+1}(√λ s)), and ψ = (y − F·(y0, y0'))/λ, since
/// y/λ solves the forced equation and the free motion removes its initial data.
///
/// That division loses about u/λ of |y| (u ≈ 1e-15, the Bessel values' accuracy). A mode
/// whose λ is that small is a free motion to within λ(s² − s0²)/(2(1+γ)) of |y|: y = y0 +
/// s0E_{1−γ}(ρ) y0' (the brief's A + B s^{1−γ}), and ψ, ψ' are its closed-form double
/// integrals below. Each evaluation takes whichever of the two errors is smaller, so the
/// worst mode, at λ² s² = 2(1+γ)u, is off by about √(u/(2(1+γ)))·s·|y| ≈ 1e-8·s·|y| for
/// γ = 3; the modes of a network's positive-definite H are far from it.
///
/// The Bessel functions are GSL's `gsl_sf_bessel_Jnu`/`Ynu` through
/// `SpecialFunctions.besselPair`, which need ν ≥ 0: γ ≥ 1.
struct NesterovPieceModes: PieceSolution {
    let gamma: Double
    let nu: Double
    /// s0 > 0.
    let start: Double
    let sampleCount: Int
    /// Q, n×n row-major.
    let vectors: [Double]
    let lambdas: [Double]
    /// Modal y(s0) and y'(s0).
    let positions: [Double]
    let velocities: [Double]
    /// J_ν, Y_ν, J_{ν+1}, Y_{ν+1} at x0 = √λ s0 for modes with λ > 0.
    let startBessel: [(j: Double, y: Double, jNext: Double, yNext: Double)?]
    let lambdaMax: Double
    /// The relative accuracy u of the Bessel combinations.
    static let besselAccuracy = 1e-15

    var order: Int { 2 }

    /// `kernel` is H (n×n), `residuals` = [Δ(s0), Δ'(s0)]; H is decomposed with `eigen`.
    init(kernel: [Double], residuals: [[Double]], gamma: Double, start: Double, eigen: LAPACKSymmetricEigen) throws {
        guard gamma >= 1, start > 0 else {
            throw InputError(.gamma, value: "\(gamma)", allowed: "exact Nesterov pieces need γ ≥ 1 (Bessel order ν = (γ−1)/2 ≥ 0) and a start s0 > 0")
        }
        let n = residuals[0].count
        self.gamma = gamma
        nu = (gamma - 1) / 2
        self.start = start
        sampleCount = n
        let (values, q) = try eigen.decompose(symmetrizing: kernel)
        vectors = q
        lambdas = values
        func coordinates(_ r: [Double]) -> [Double] {
            (0..<n).map { k in (0..<n).reduce(0) { $0 + q[$1 * n + k] * r[$1] } }
        }
        positions = coordinates(residuals[0])
        velocities = coordinates(residuals[1])
        let nu = self.nu
        do {
            startBessel = try values.map { lambda in
                lambda > 0 ? try SpecialFunctions.besselPair(order: nu, lambda.squareRoot() * start) : nil
            }
        } catch let error as GSLError {
            // Y_ν(x0) ~ (2/x0)^ν overflows for a large γ at a tiny start.
            throw InputError(.solver, value: "exact-pieces",
                             allowed: "Nesterov's Bessel functions of order \(nu) fail at the piece start t = \(start) (\(error)); use --solver events or a larger --t0")
        }
        lambdaMax = values.last ?? 0
    }

    /// The ∞-norm of the mode systems at s = s0 + τ, as `PieceModes.rate` for constant
    /// damping: max(1, λ_max + γ/s).
    func rate(at tau: Double) -> Double { max(1, lambdaMax + gamma / (start + tau)) }

    /// ∫ rate/stepFactor over [τ, end], with rate ≤ max(1, λ_max) + γ/s: the steps grow with s.
    func projectedSteps(from tau: Double, to end: Double, stepFactor: Double) -> Double {
        (max(1, lambdaMax) * (end - tau) + gamma * log((start + end) / (start + tau))) / stepFactor
    }

    /// E_a(ρ) = ∫_1^ρ v^{a−1} dv from ln ρ.
    private static func e(_ a: Double, _ logRho: Double) -> Double {
        a == 0 ? logRho : expm1(a * logRho) / a
    }

    func state(at tau: Double) throws -> PieceModes.State {
        let n = sampleCount, s0 = start, s = s0 + tau, g = gamma
        let logRho = log1p(tau / s0)
        let decay = exp(-g * logRho)                       // ρ^{−γ}
        let f01 = s0 * Self.e(1 - g, logRho)
        var y = [Double](repeating: 0, count: n), dy = y, psi = y, dpsi = y
        // The free motion's integrals for zero modes (see the type's comment).
        let e2 = Self.e(2, logRho), eUp = Self.e(g + 1, logRho), eDown = Self.e(1 - g, logRho)
        let k1 = (e2 - eDown) / (g + 1)
        let i1: Double, k2: Double
        if g == 1 {
            let rho2 = exp(2 * logRho)
            i1 = rho2 * logRho / 2 - (rho2 - 1) / 4
            k2 = (rho2 + 1) * logRho / 4 - (rho2 - 1) / 4
        } else {
            i1 = (e2 - eUp) / (1 - g)
            k2 = ((Self.e(3 - g, logRho) - eDown) / 2 - k1) / (1 - g)
        }
        let shrink = exp(-nu * logRho)                     // ρ^{−ν}
        let halfPi = Double.pi / 2
        for q in 0..<n {
            let lambda = lambdas[q], a = positions[q], b = velocities[q]
            let free = lambda <= 0 || lambda * s * s / (2 * (1 + g)) < Self.besselAccuracy / lambda
            if free || startBessel[q] == nil {
                y[q] = a + f01 * b
                dy[q] = decay * b
                psi[q] = -s0 * s0 * (a * k1 + b * s0 * k2)
                dpsi[q] = -decay * s0 * (a * eUp + b * s0 * i1)
                continue
            }
            let root = lambda.squareRoot()
            let c0 = startBessel[q]!
            let c = try SpecialFunctions.besselPair(order: nu, root * s)
            let x0 = root * s0
            let p00 = -halfPi * x0 * shrink * (c.j * c0.yNext - c.y * c0.jNext)
            let p01 = halfPi * s0 * shrink * (c.y * c0.j - c.j * c0.y)
            let p10 = halfPi * lambda * s0 * shrink * (c.jNext * c0.yNext - c.yNext * c0.jNext)
            let p11 = halfPi * x0 * shrink * (c.jNext * c0.y - c.yNext * c0.j)
            y[q] = p00 * a + p01 * b
            dy[q] = p10 * a + p11 * b
            psi[q] = (y[q] - a - f01 * b) / lambda
            dpsi[q] = (dy[q] - decay * b) / lambda
        }
        let rotatedRate = rotate(dpsi)
        return PieceModes.State(tau: tau, phi: [rotate(psi), rotatedRate], phiRate: rotatedRate, delta: rotate(y),
                                deltaRate: rotate(dy), free: [1, f01, 0, decay], freeRate: [0, decay])
    }

    /// Q c.
    private func rotate(_ c: [Double]) -> [Double] {
        let n = sampleCount
        return (0..<n).map { i in (0..<n).reduce(0) { $0 + vectors[i * n + $1] * c[$1] } }
    }
}
