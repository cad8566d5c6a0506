/// The columns every run has: `loss` (L = ½‖Δ‖²), `pseudo_loss` (L̂ = ½ΔᵀHΔ),
/// `velocity_norm` (‖ẋ‖), `energy` (the flow's own Lyapunov function; NaN for a flow that has
/// none) and, for the Nesterov ODE, `mechanical_energy` (ℰ = Φ + ½‖ẋ‖², 002 §4).
public struct LossMonitor: Monitor {
    public let flow: any ContinuousFlow

    public init(flow: any ContinuousFlow) { self.flow = flow }

    public var columns: [String] {
        var c = ["loss", "pseudo_loss", "velocity_norm", "energy"]
        if flow is NesterovFlow { c.append("mechanical_energy") }
        return c
    }

    public func measure(_ s: StateSnapshot) -> [Double] {
        let inputs = s.energyInputs
        let energy = (flow as? any LyapunovFlow)?.energy(inputs) ?? .nan
        var v = [s.loss, s.pseudoLoss, s.velocityNormSquared.squareRoot(), energy]
        if let nesterov = flow as? NesterovFlow { v.append(nesterov.mechanicalEnergy(inputs)) }
        return v
    }
}
