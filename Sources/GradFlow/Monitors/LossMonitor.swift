/// The columns every run has: `loss` (L = ½‖Δ‖²), `pseudo_loss` (L̂ = ½ΔᵀHΔ),
/// `velocity_norm` (‖ẋ‖), `energy` (the flow's own Lyapunov function; NaN for a flow that has
/// none) and, for the Nesterov ODE, `mechanical_energy` (ℰ = Φ + ½‖ẋ‖², 002 §4).
/// A flow without its own Lyapunov function (higher-order momentum) can be given the
/// constructed `ModalLyapunovEnergy` of the frozen kernel.
public struct LossMonitor: Monitor {
    public let flow: any ContinuousFlow
    public let modalEnergy: ModalLyapunovEnergy?

    public init(flow: any ContinuousFlow, modalEnergy: ModalLyapunovEnergy? = nil) {
        self.flow = flow
        self.modalEnergy = modalEnergy
    }

    public var columns: [Observable] {
        [.loss, .pseudoLoss, .velocityNorm, .energy] + flow.extraObservables
    }

    public func measure(_ s: StateSnapshot) -> [Double] {
        let inputs = s.energyInputs
        var energy = flow.energy(inputs)
        if energy == nil, let modalEnergy, s.derivatives.count == modalEnergy.order {
            // The modal energy is a function of Δ and its derivatives (Δ^{(j)} = x^{(j)}, j ≥ 1).
            energy = modalEnergy.energy(derivatives: [s.residual] + s.derivatives.dropFirst().map(\.array))
        }
        return [s.loss, s.pseudoLoss, s.velocityNormSquared.squareRoot(), energy ?? .nan] + flow.extraValues(inputs)
    }
}
