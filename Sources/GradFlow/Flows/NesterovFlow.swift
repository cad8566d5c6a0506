import Foundation

/// Nesterov's ODE ẍ + (γ/t) ẋ + ∇Φ(x) = 0 with ẋ(0) = 0 (002 eq. 4.3 on weights, 4.4 on
/// errors; Su, Boyd & Candès' limit of NAG with β_k = (k−1)/(k+γ−1), 002 eq. 4.1).
///
/// The damping γ/t is singular at t = 0. Runs start at a small t0 > 0 from the series
/// solution x(t0) = x0 − t0²/(2(1+γ)) ∇Φ(x0), ẋ(t0) = −t0/(1+γ) ∇Φ(x0), whose error is
/// O(t0⁴); results converge as t0 → 0 (tested against the Bessel solution).
public struct NesterovFlow: LyapunovFlow {
    /// γ > 0 (002 uses γ = 3 as the classical value, γ > 6 in Theorem 3).
    public let gamma: Double
    /// The α of V(t; α, γ), 2 ≤ α ≤ 2γ/3 in 002 Lemma 4.1.
    public let energyExponent: Double
    /// The start time t0 > 0 of the integration.
    public let startTime: Double

    public init(gamma: Double, energyExponent: Double? = nil, startTime: Double = 1e-6) {
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
    public func energy(_ s: EnergyInputs) -> Double {
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

    /// The series start of the weights/errors at t0 for zero initial velocity: returns the
    /// factors (position, velocity) that multiply −∇Φ(x0).
    public var seriesStartFactors: (position: Double, velocity: Double) {
        let t0 = startTime
        return (t0 * t0 / (2 * (1 + gamma)), t0 / (1 + gamma))
    }
}
