import Foundation

/// Heavy ball with friction ẍ + b ẋ + ∇Φ(x) = 0 (002 eq. 3.3 on weights, 3.7 on errors).
/// Theorem 2 of 002 takes b = √(2λ0).
public struct HeavyBallFlow: ContinuousFlow {
    /// The friction b ≥ 0.
    public let friction: Double
    /// The α of the energy; 002 uses α = b/2.
    public let energyRate: Double

    /// HBF with friction b; the energy uses α = `energyRate`, by default b/2 as in 002.
    public init(friction: Double, energyRate: Double? = nil) {
        self.friction = friction
        self.energyRate = energyRate ?? friction / 2
    }

    /// The damping of 002 Theorem 2, b = √(2λ0).
    public static func theorem2(lambda0: Double) -> HeavyBallFlow {
        HeavyBallFlow(friction: (2 * lambda0).squareRoot())
    }

    public var name: String { "hbf" }
    public var order: Int { 2 }
    public func damping(_ j: Int, at t: Double) -> Double { friction }
    public var parameters: [(String, Double)] { [("b", friction), ("alpha", energyRate)] }

    /// V(t) = L̂ + ½‖αΔ + Δ̇‖² with α = b/2 (002 proof of Lemma 3.3); V̇ ≤ −αV when
    /// λ_min(H) ≥ λ0/2 and b = √(2λ0).
    public func energy(_ s: EnergyInputs) -> Double? {
        var sq = 0.0
        for i in 0..<s.residual.count {
            let v = energyRate * s.residual[i] + s.residualRate[i]
            sq += v * v
        }
        return s.pseudoLoss + 0.5 * sq
    }

    /// Theorem 2's energy uses α = √(λ0/2) whatever b is, so that a b below √(2λ0) shows up.
    public func withTheoremEnergy(lambda0: Double) -> any ContinuousFlow {
        HeavyBallFlow(friction: friction, energyRate: (lambda0 / 2).squareRoot())
    }

    /// 002 Theorem 2, which holds for b = √(2λ0) only.
    public func theoremRate(lambda0: Double) -> TheoremRate? {
        guard abs(friction - (2 * lambda0).squareRoot()) <= 1e-12 * friction else { return nil }
        return TheoremRate(rate: (lambda0 / 2).squareRoot(), law: .exponential,
                           source: "002 Thm 2: L ≤ (4/λ0) e^{-√(λ0/2) t} L̂(0)")
    }

    /// Theorem 2's energy and loss bounds, and Lemma 3.3's radius R' (weight runs).
    public func theoremChecks(constants c: CheckConstants, initialEnergy: Double) -> [any SolutionCheck] {
        let l0 = c.lambda0, pseudo0 = c.initialPseudoLoss, n = Double(c.sampleCount)
        let alpha = energyRate
        var checks: [any SolutionCheck] = [BoundCheck(name: "Thm 2: V(t) ≤ e^{-αt} V(0), α = \(NumberFormat.short(alpha, digits: 4))",
                                 source: "002 Lemma 3.3 proof (V̇ ≤ −αV)", column: .energy,
                                 fromTime: .leastNonzeroMagnitude) { t in exp(-alpha * t) * initialEnergy }]
        let rate = (l0 / 2).squareRoot()
        checks.append(BoundCheck(name: "Thm 2: L(t) ≤ (4/λ0) e^{-√(λ0/2) t} L̂(0)", source: "002 Theorem 2",
                                 column: .loss) { t in 4 / l0 * exp(-rate * t) * pseudo0 })
        if let m = c.width {
            let a = (l0 / 2).squareRoot()
            let r = (32 * n * pseudo0 / (9 * Double(m) * pow(a, 6))).squareRoot()
            checks.append(BoundCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R' = √(32nL̂(0)/(9mα⁶)) = \(NumberFormat.short(r, digits: 4))",
                                     source: "002 Lemma 3.3", column: .maxWeightDistance) { _ in r })
        } else {
            checks.append(NotApplicableCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R' = √(32nL̂(0)/(9mα⁶))", source: "002 Lemma 3.3",
                                             reason: NotApplicableCheck.withoutNeurons))
        }
        return checks
    }

    /// V decays as e^{−αt} (002 Lemma 3.3).
    public func energyDecay(lambda0: Double, frozenKernel: SymmetricEigensystem?,
                            initialEigenvalues: [Double]) throws -> EnergyDecay {
        let a = energyRate
        return EnergyDecay(law: .exponential, fitted: .energy, bound: { t in exp(-a * t) },
                           theory: (a, "002 Lemma 3.3: α = √(λ0/2)"))
    }

    public var modalForm: ModalForm { .dampedOscillator(friction: friction) }
}
