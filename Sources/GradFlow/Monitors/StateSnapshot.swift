/// One sampled state of a run with the quantities every monitor reads, computed once.
public struct StateSnapshot {
    public let time: Double
    /// x (weights or errors).
    public let position: VectorView
    /// ẋ (for gradient flow, −∇Φ(x)).
    public let velocity: VectorView
    public let field: any Model
    public let flow: any ContinuousFlow
    /// Δ and Δ̇ = (∂Δ/∂x)ẋ.
    public let residual: [Double]
    public let residualRate: [Double]
    /// L = ½‖Δ‖², L̂ = ½ΔᵀHΔ, Φ.
    public let loss: Double
    public let pseudoLoss: Double
    public let potential: Double
    /// ‖ẋ‖².
    public let velocityNormSquared: Double
    /// x, ẋ, …, x^{(p−1)} when the run has them all (continuous runs), else [x, ẋ].
    public let derivatives: [VectorView]

    public init(time: Double, position: VectorView, velocity: VectorView,
                field: any Model, flow: any ContinuousFlow, derivatives: [VectorView]? = nil) {
        self.derivatives = derivatives ?? [position, velocity]
        self.time = time
        self.position = position
        self.velocity = velocity
        self.field = field
        self.flow = flow
        residual = field.residual(at: position)
        residualRate = field.residualRate(at: position, velocity: velocity)
        loss = 0.5 * residual.reduce(0) { $0 + $1 * $1 }
        pseudoLoss = field.pseudoLoss(at: position)
        potential = field.potential(at: position)
        let v = velocity.norm
        velocityNormSquared = v * v
    }

    /// The inputs of the flows' energies.
    public var energyInputs: EnergyInputs {
        EnergyInputs(time: time, loss: loss, pseudoLoss: pseudoLoss, potential: potential,
                     velocityNormSquared: velocityNormSquared, residual: residual, residualRate: residualRate)
    }
}

/// Something measured at every sample: a few named columns of the output.
public protocol Monitor {
    /// The observables it records, in output order.
    var columns: [Observable] { get }
    /// The values of `columns` at a sample.
    func measure(_ snapshot: StateSnapshot) -> [Double]
}
