import Foundation

/// Nesterov's ODE ẍ + (γ/t) ẋ + ∇Φ(x) = 0 with ẋ(0) = 0 (002 eq. 4.3 on weights, 4.4 on
/// errors; Su, Boyd & Candès' limit of NAG with β_k = (k−1)/(k+γ−1), 002 eq. 4.1).
///
/// The damping γ/t is singular at t = 0. Runs start at a small t0 > 0 from the series
/// solution x(t0) = x0 − t0²/(2(1+γ)) ∇Φ(x0), ẋ(t0) = −t0/(1+γ) ∇Φ(x0), whose error is
/// O(t0⁴); results converge as t0 → 0 (tested against the Bessel solution).
public struct NesterovFlow: ContinuousFlow {
    /// The default γ = 3, the classical value (002 §4).
    public static let defaultGamma = 3.0
    /// The default start time t0.
    public static let defaultStartTime = 1e-6

    /// γ > 0 (002 uses γ = 3 as the classical value, γ > 6 in Theorem 3).
    public let gamma: Double
    /// The α of V(t; α, γ), 2 ≤ α ≤ 2γ/3 in 002 Lemma 4.1.
    public let energyExponent: Double
    /// The start time t0 > 0 of the integration.
    public let startTime: Double

    public init(gamma: Double = NesterovFlow.defaultGamma, energyExponent: Double? = nil,
                startTime: Double = NesterovFlow.defaultStartTime) {
        self.gamma = gamma
        self.energyExponent = energyExponent ?? max(2, min(2 * gamma / 3, 2))
        self.startTime = startTime
    }

    public var name: String { "nesterov" }
    public var order: Int { 2 }
    public func damping(_ j: Int, at t: Double) -> Double { gamma / t }
    public func dampingRate(_ j: Int, at t: Double) -> Double { -gamma / (t * t) }
    public var isAutonomous: Bool { false }
    public var parameters: [(String, Double)] {
        [("gamma", gamma), ("alpha", energyExponent), ("t0", startTime)]
    }

    /// V(t; α, γ) = t^α L̂ + ((2γ−α)² t^{α−2}/8) ‖Δ + (2t/(2γ−α)) Δ̇‖² (002 proof of Lemma 4.1).
    public func energy(_ s: EnergyInputs) -> Double? {
        let a = energyExponent, t = s.time
        let k = 2 * gamma - a
        var sq = 0.0
        for i in 0..<s.residual.count {
            let v = s.residual[i] + (2 * t / k) * s.residualRate[i]
            sq += v * v
        }
        return pow(t, a) * s.pseudoLoss + (k * k * pow(t, a - 2) / 8) * sq
    }

    /// ℰ(t) = Φ + ½‖ẋ‖², non-increasing: ℰ̇ = −(γ/t)‖ẋ‖² (002 §4, from Polyak & Shcherbakov).
    public func mechanicalEnergy(_ s: EnergyInputs) -> Double {
        s.potential + 0.5 * s.velocityNormSquared
    }

    public var extraObservables: [Observable] { [.mechanicalEnergy] }
    public func extraValues(_ s: EnergyInputs) -> [Double] { [mechanicalEnergy(s)] }

    /// The series start of the weights/errors at t0 for zero initial velocity: the factors
    /// (position, velocity) that multiply −∇Φ(x0).
    public var seriesStartFactors: (position: Double, velocity: Double) {
        let t0 = startTime
        return (t0 * t0 / (2 * (1 + gamma)), t0 / (1 + gamma))
    }

    public var start: FlowStart {
        let (p, v) = seriesStartFactors
        return .series(time: startTime, position: p, velocity: v)
    }

    public var lossLaw: RateFit.Law { .power }

    /// 002 Theorem 3: L = O(t^{−α}) for α ≤ 2γ/3.
    public func theoremRate(lambda0: Double) -> TheoremRate? {
        TheoremRate(rate: min(energyExponent, 2 * gamma / 3), law: .power, source: "002 Thm 3: L = O(t^{-α}), α ≤ 2γ/3")
    }

    /// On the frozen kernel each mode is x^{−ν}J_ν(x) ~ x^{−ν−1/2}, ν = (γ−1)/2, so the loss
    /// envelope falls as t^{−γ}.
    public func linearizedLossRate(eigenvalues: [Double]) throws -> Double? { gamma }

    /// ℰ(t) ≤ ℰ(0), and ℰ non-increasing from sample to sample (002 §4).
    public func theoremChecks(constants c: CheckConstants, initialEnergy: Double) -> [any SolutionCheck] {
        let initial = mechanicalEnergy(EnergyInputs(time: 0, loss: c.initialLoss, pseudoLoss: c.initialPseudoLoss,
                                                    potential: c.width == nil ? c.initialPseudoLoss : c.initialLoss,
                                                    velocityNormSquared: 0, residual: [], residualRate: []))
        return [BoundCheck(name: "ℰ(t) ≤ ℰ(0) (mechanical energy non-increasing)", source: "002 §4 (Polyak & Shcherbakov)",
                           column: .mechanicalEnergy, fromTime: .leastNonzeroMagnitude) { _ in initial },
                MonotonicityCheck(name: "ℰ(t) non-increasing", source: "002 §4: ℰ̇ = −(γ/t)‖ẋ‖²", column: .mechanicalEnergy),
                // Lemma 4.1 uses V̇ ≤ 0 at every t. On a quadratic L̂ = ½ΔᵀHΔ with k = 2γ − α,
                // V̇ = (α − k) t^{α−1} L̂ + (α − 2) t^{α−3} [(k²/8)‖Δ‖² + (k t/4) ΔᵀΔ̇]: for α = 2
                // (and γ ≥ 2) V̇ = (2 − k) t L̂ ≤ 0, but for α > 2 the second term is positive at
                // small t (it does not vanish with t, the first does), so V rises first. The
                // check reports where.
                MonotonicityCheck(name: "V(t; α, γ) non-increasing", source: "002 Lemma 4.1 (holds for α = 2, γ ≥ 2; not for α > 2)",
                                  column: .energy, fromTime: .leastNonzeroMagnitude)]
    }

    /// Theorem 3 states that some A gives L(t) ≤ A t^{−α} L(0); the run measures the smallest.
    public func measuredVerdicts(_ solution: Solution) -> [CheckVerdict] {
        guard let positive = solution[.time]?.first(where: { $0 > 0 }),
              let a = TheoremChecks.theorem3Constant(solution: solution, alpha: energyExponent, fromTime: positive) else { return [] }
        return [CheckVerdict(name: "Thm 3: L(t) ≤ A t^-α L(0), α = \(NumberFormat.short(energyExponent, digits: 4))",
                             source: "002 Theorem 3", held: true, worstRatio: a.constant, worstTime: a.atTime,
                             firstFailureTime: nil, firstFailureRatio: nil, sampleCount: solution.rows.count,
                             note: "smallest A along the run: \(NumberFormat.short(a.constant, digits: 4)) (attained at t = \(NumberFormat.short(a.atTime, digits: 4)))")]
    }

    /// The loss falls as t^{−α} (002 Theorem 3); V(t; α, γ) has no decay bound.
    public func energyDecay(lambda0: Double, frozenKernel: SymmetricEigensystem?,
                            initialEigenvalues: [Double]) throws -> EnergyDecay {
        EnergyDecay(law: .power, fitted: .loss, bound: nil, theory: (energyExponent, "002 Thm 3: L = O(t^-α)"))
    }

    public var modalForm: ModalForm { .bessel(gamma: gamma) }
}
