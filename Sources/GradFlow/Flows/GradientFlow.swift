/// Gradient flow ẋ = −∇Φ(x) (002 eq. 2.3 on weights; Δ̇ = −HΔ on errors, 002 eq. 2.4).
/// Its Lyapunov function is the loss itself: L(t) ≤ e^{−λ0 t} L(0) (002 Theorem 1).
public struct GradientFlow: LyapunovFlow {
    public init() {}
    public var name: String { "gradient-flow" }
    public var order: Int { 1 }
    public func damping(_ j: Int, at t: Double) -> Double { 0 }
    public var parameters: [(String, Double)] { [] }
    /// The energy of gradient flow is the loss L = ½‖Δ‖².
    public func energy(_ s: EnergyInputs) -> Double { s.loss }
}
