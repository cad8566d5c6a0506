import Foundation

/// The decay rates a flow's loss has on the linearized (frozen-kernel) error model, per
/// eigenvalue λ of H, and the bound rates the theorems of 002 state.
public enum LinearizedRate {
    /// The asymptotic exponential rate of L = ½‖Δ‖² for a constant-coefficient flow: twice
    /// the smallest −Re(s) over the characteristic roots s of s^p + Σ c_j s^j + λ, over
    /// the spectrum. Nil for the Nesterov ODE, whose decay is a power law.
    public static func exponentialLossRate(flow: any ContinuousFlow, eigenvalues: [Double]) throws -> Double? {
        guard flow.isAutonomous else { return nil }
        var slowest = Double.infinity
        for lambda in eigenvalues where lambda > 0 {
            var c = [lambda]
            for j in 1..<max(flow.order, 1) { c.append(flow.damping(j, at: 0)) }
            c.append(1)
            let roots = try SpecialFunctions.polynomialRoots(coefficients: c)
            for s in roots { slowest = min(slowest, -s.re) }
        }
        return slowest.isFinite ? 2 * slowest : nil
    }

    /// The power of the envelope of L for the Nesterov ODE on the frozen kernel:
    /// Δ_k ∝ x^{−ν}J_ν(x) ~ x^{−ν−1/2}, ν = (γ−1)/2, so L ~ t^{−γ}.
    public static func nesterovLossPower(gamma: Double) -> Double { gamma }

    /// The rate the theorem of 002 guarantees for the loss, with its source.
    public static func theoremRate(flow: any ContinuousFlow, lambda0: Double) -> (rate: Double, law: RateFit.Law, source: String)? {
        switch flow {
        case is GradientFlow:
            return (lambda0, .exponential, "002 Thm 1: L ≤ e^{-λ0 t} L(0)")
        case let hb as HeavyBallFlow where abs(hb.friction - (2 * lambda0).squareRoot()) <= 1e-12 * hb.friction:
            return ((lambda0 / 2).squareRoot(), .exponential, "002 Thm 2: L ≤ (4/λ0) e^{-√(λ0/2) t} L̂(0)")
        case let nag as NesterovFlow:
            return (min(nag.energyExponent, 2 * nag.gamma / 3), .power, "002 Thm 3: L = O(t^{-α}), α ≤ 2γ/3")
        default:
            return nil
        }
    }
}

extension LinearizedRate {
    /// The spectral radius of a constant-coefficient discrete method's iteration on a frozen
    /// kernel with the given eigenvalues: max |1 − ηλ| for GD, ρ of the HB/NAG transition
    /// matrix (001 Thm 5, 003 eq. 22–23) otherwise. Nil for methods with varying momentum.
    public static func spectralRadius(method: any DiscreteMethod, eigenvalues: [Double]) throws -> Double? {
        switch method {
        case let gd as GradientDescent:
            return eigenvalues.map { abs(1 - gd.stepSize * $0) }.max()
        case let hb as PolyakHeavyBall:
            return try LinearRegime(eigenvalues: eigenvalues, stepSize: hb.stepSize, momentum: hb.momentum, method: .heavyBall).spectralRadius
        case let nag as NesterovConstantMomentum:
            return try LinearRegime(eigenvalues: eigenvalues, stepSize: nag.stepSize, momentum: nag.momentum, method: .nesterov).spectralRadius
        case let sc as NesterovStronglyConvex:
            return try LinearRegime(eigenvalues: eigenvalues, stepSize: sc.stepSize, momentum: sc.momentum, method: .nesterov).spectralRadius
        case let ema as EMAMomentum:
            let hb = ema.equivalentHeavyBall
            return try LinearRegime(eigenvalues: eigenvalues, stepSize: hb.stepSize, momentum: hb.momentum, method: .heavyBall).spectralRadius
        default:
            return nil
        }
    }
}
