/// A flow that follows the ReLU network's activation kinks on the weights with an event solver
/// of its own. The gradient-piece solvers (events, exact pieces, kinetic) build ∇L piece by
/// piece and serve only the flows driven by it (`ContinuousFlow.isDrivenByGradient`); a flow
/// whose force is something else and that knows its kinks conforms here. Newton flow (002 §5.2)
/// does (`NewtonFlow`, through `NewtonEventSolver`).
protocol WeightKinkFollowing: ContinuousFlow {
    /// True when its event solver can run on a network of this width and input dimension (its
    /// memory); `auto` falls back to GSL otherwise.
    func followsKinks(width m: Int, dimension d: Int) -> Bool
    /// The propagator of its event solver from `initialState` at `startTime`.
    func kinkEventsPropagator(network: ReLUNetwork, initialState: [Double], startTime: Double, stepper: Stepper,
                              tolerances: Tolerances, eventTolerance: Double, logSwitches: Bool,
                              budget: WorkBudget?) throws -> any Propagator
}
