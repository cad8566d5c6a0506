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
}
