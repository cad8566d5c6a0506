/// Heavy ball with friction ẍ + b ẋ + ∇Φ(x) = 0 (002 eq. 3.3 on weights, 3.7 on errors).
/// Theorem 2 of 002 takes b = √(2λ0).
public struct HeavyBallFlow: LyapunovFlow {
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
    public func energy(_ s: EnergyInputs) -> Double {
        var sq = 0.0
        for i in 0..<s.residual.count {
            let v = energyRate * s.residual[i] + s.residualRate[i]
            sq += v * v
        }
        return s.pseudoLoss + 0.5 * sq
    }
}
