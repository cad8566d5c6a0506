import Foundation

/// Gradient flow ẋ = −∇Φ(x) (002 eq. 2.3 on weights; Δ̇ = −HΔ on errors, 002 eq. 2.4).
/// Its Lyapunov function is the loss itself: L(t) ≤ e^{−λ0 t} L(0) (002 Theorem 1).
public struct GradientFlow: ContinuousFlow {
    public init() {}
    public var name: String { "gradient-flow" }
    public var order: Int { 1 }
    public func damping(_ j: Int, at t: Double) -> Double { 0 }
    public var parameters: [(String, Double)] { [] }

    /// The energy of gradient flow is the loss L = ½‖Δ‖².
    public func energy(_ s: EnergyInputs) -> Double? { s.loss }

    /// 002 Theorem 1: L ≤ e^{−λ0 t} L(0).
    public func theoremRate(lambda0: Double) -> TheoremRate? {
        TheoremRate(rate: lambda0, law: .exponential, source: "002 Thm 1: L ≤ e^{-λ0 t} L(0)")
    }

    /// Theorem 1, and Du et al.'s lazy-training radius R' behind it (weight runs).
    public func theoremChecks(constants c: CheckConstants, initialEnergy: Double) -> [any SolutionCheck] {
        let l0 = c.lambda0, loss0 = c.initialLoss, n = Double(c.sampleCount)
        var checks: [any SolutionCheck] = [BoundCheck(name: "Thm 1: L(t) ≤ e^{-λ0 t} L(0)", source: "002 Theorem 1 (Du et al. 2019 Thm 3.2)",
                                 column: .loss, fromTime: .leastNonzeroMagnitude) { t in exp(-l0 * t) * loss0 }]
        if let m = c.width {
            let r = 2 * n.squareRoot() * (2 * loss0).squareRoot() / (Double(m).squareRoot() * l0)
            checks.append(BoundCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R' = 2√n‖Δ(0)‖/(√m λ0) = \(NumberFormat.short(r, digits: 4))",
                                     source: "Du et al. 2019 Lemma 3.3 (behind 002 Theorem 1)",
                                     column: .maxWeightDistance) { _ in r })
        } else {
            checks.append(NotApplicableCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R' = 2√n‖Δ(0)‖/(√m λ0)",
                                             source: "Du et al. 2019 Lemma 3.3 (behind 002 Theorem 1)",
                                             reason: NotApplicableCheck.withoutNeurons))
        }
        return checks
    }

    /// The loss decays as e^{−λ0 t} (002 Theorem 1).
    public func energyDecay(lambda0: Double, frozenKernel: SymmetricEigensystem?,
                            initialEigenvalues: [Double]) throws -> EnergyDecay {
        EnergyDecay(law: .exponential, fitted: .energy, bound: { t in exp(-lambda0 * t) },
                    theory: (lambda0, "002 Thm 1: λ0"))
    }

    public var modalForm: ModalForm { .exponential }
}
