import Foundation

// The constant C0 of 001 Theorem 5 (A Modular Analysis of Provable Acceleration via Polyak's
// Momentum, ICML 2021): for heavy ball with 1 ≥ β > max{(1 − √(ηλmin))², (1 − √(ηλmax))²},
//     ‖A^k v0‖ ≤ (√β)^k C0 ‖v0‖,   A = [[(1+β)I − ηH, −βI], [I, 0]]        (9) = (43)
// where the paper prints
//     C0 := √(2(β+1)) / √(min{h(β, ηλmin), h(β, ηλmax)}) ≥ 1                 (10) = (44)
//     h(β, z) := −(β − (1 − √z)²)(β − (1 + √z)²) = 4β − (1 + β − z)²          (45) = (53)
//
// The proof (Appendix C) writes A = P D P⁻¹ with D = diag(z_i, z̄_i), |z_i| = √β, and bounds
// ‖A^k v0‖ ≤ √β^k · √(λmax(PP*)/λmin(PP*)) ‖v0‖ (52). Per eigenvalue, Q_i Q_i* = 2[[β, Re z_i],
// [Re z_i, 1]] (56) has eigenvalues θ1 + θ2 = 2(1+β) (57), θ1θ2 = h(β, ηλ_i) (58). Two slips:
//  • (60): min θ = θ1θ2 / max θ needs an UPPER bound on max θ, which is 2(1+β) by (59), so
//    min θ ≥ h/(2(1+β)); the paper divides by the lower bound (1+β) instead (Lemma 7 and (61)).
//  • (52) with Lemma 7 as printed gives √(2(1+β)·(1+β)/h) = √2 (1+β)/√h, not √(2(1+β))/√h.
// Together the valid constant is
//     C0_corrected = √(2(1+β) · 2(1+β)/min h) = 2(1+β)/√(min h) = √(2(1+β)) · C0_printed,
// i.e. the printed C0 is too small by √(2(1+β)) ∈ (√2, 2] (DESIGN.md §5). The exact value of
// the proof's quantity, cond(Q_i) = √(θmax/θmin) = ((1+β) + √((1+β)² − h_i))/√h_i, is
// offered too; it lies between the printed and the corrected C0, and sup_k ‖A^k‖/β^{k/2}
// reaches it when the blocks' rotation angles are irrational multiples of π.
//
// Corollary 1 (η = 1/λmax, β = (1 − 1/(2√κ))²) claims C0 ≤ 4√κ (proof: ≤ max{4, 2√κ}). With
// h(β, ηλmin) = 3(1/√κ − 3/(4κ))(1/√κ + 1/(4κ)) (62) the corrected C0 ≈ (4/√3)√κ for large κ,
// so Corollary 1's 4√κ, and the end rates built on it, still hold.

extension LinearRegime {
    /// Which version of 001 Thm 5's constant C0.
    public enum C0Variant: String, Sendable, CaseIterable {
        /// As printed in 001 eq. (10) / (44): √(2(1+β)) / √(min h). Too small (not a valid bound).
        case printed
        /// The proof of 001 Lemma 7 with (60) fixed: 2(1+β) / √(min h) = √(2(1+β))·printed.
        case corrected
        /// The exact condition number of 001's eigenvector matrix P in (52),
        /// max_i ((1+β) + √((1+β)² − h_i)) / √h_i, the smallest constant that proof can give.
        case eigenvectorCondition
    }

    /// 001 eq. (45): h(β, z) = −(β − (1 − √z)²)(β − (1 + √z)²), which equals 4β − (1 + β − z)²
    /// = 4(β − (Re z_i)²) and is the product θ1θ2 of (58). Positive exactly when the heavy-ball
    /// block for z = ηλ has complex eigenvalues.
    public static func theorem5H(momentum beta: Double, scaledEigenvalue z: Double) -> Double {
        let s = z.squareRoot()
        return -(beta - (1 - s) * (1 - s)) * (beta - (1 + s) * (1 + s))
    }

    /// 001 Thm 5's hypothesis 1 ≥ β > max{(1 − √(ηλmin))², (1 − √(ηλmax))²}, with
    /// ηλmin > 0 (a zero eigenvalue makes h ≤ 0 and the hypothesis impossible for β ≤ 1).
    public static func theorem5HypothesisHolds(momentum beta: Double, scaledEigenvalueRange z: ClosedRange<Double>) -> Bool {
        guard z.lowerBound > 0, beta <= 1, beta.isFinite, z.upperBound.isFinite else { return false }
        let lo = 1 - z.lowerBound.squareRoot(), hi = 1 - z.upperBound.squareRoot()
        return beta > max(lo * lo, hi * hi)
    }

    /// 001 Thm 5's C0 for heavy ball with momentum β and ηH's spectrum in [ηλmin, ηλmax]
    /// (h is concave in z, so its minimum over the spectrum sits at an end, as 001 (61) notes).
    /// Returns nil when Thm 5's hypothesis fails (then min h ≤ 0 or β > 1).
    public static func theorem5C0(_ variant: C0Variant, momentum beta: Double,
                                  scaledEigenvalueRange z: ClosedRange<Double>) -> Double? {
        guard theorem5HypothesisHolds(momentum: beta, scaledEigenvalueRange: z) else { return nil }
        let hMin = min(theorem5H(momentum: beta, scaledEigenvalue: z.lowerBound),
                       theorem5H(momentum: beta, scaledEigenvalue: z.upperBound))
        guard hMin > 0 else { return nil }
        switch variant {
        case .printed:
            return (2 * (1 + beta)).squareRoot() / hMin.squareRoot()
        case .corrected:
            return 2 * (1 + beta) / hMin.squareRoot()
        case .eigenvectorCondition:
            // cond(Q_i) is decreasing in h_i, so the worst block is the one with the smallest h.
            let s = 1 + beta
            return (s + max(s * s - hMin, 0).squareRoot()) / hMin.squareRoot()
        }
    }

    /// 001 eq. (10) as printed: C0 = √(2(β+1)) / √(min{h(β, ηλmin), h(β, ηλmax)}). Not a valid
    /// bound: it is too small by √(2(1+β)). Nil when Thm 5's hypothesis fails.
    public static func printedC0(momentum beta: Double, scaledEigenvalueRange z: ClosedRange<Double>) -> Double? {
        theorem5C0(.printed, momentum: beta, scaledEigenvalueRange: z)
    }

    /// 001 Thm 5's C0 with Lemma 7's step (60) fixed: 2(1+β) / √(min h). Nil when the hypothesis fails.
    public static func correctedC0(momentum beta: Double, scaledEigenvalueRange z: ClosedRange<Double>) -> Double? {
        theorem5C0(.corrected, momentum: beta, scaledEigenvalueRange: z)
    }

    /// 001 Corollary 1's claimed bound C0 ≤ 4√κ (for η = 1/λmax, β = (1 − 1/(2√κ))²).
    public static func corollary1Bound(conditionNumber kappa: Double) -> Double { 4 * kappa.squareRoot() }

    /// 001 Corollary 1's parameters for a spectrum with condition number κ = λmax/λmin:
    /// η = 1/λmax, β = (1 − 1/(2√κ))².
    public static func corollary1Parameters(lambdaMin: Double, lambdaMax: Double) -> (stepSize: Double, momentum: Double) {
        let kappa = lambdaMax / lambdaMin
        let r = 1 - 1 / (2 * kappa.squareRoot())
        return (1 / lambdaMax, r * r)
    }
}
