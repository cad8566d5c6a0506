/// GSL stepping with every kink of a two-layer network's activation located
/// (`PieceEventSolver`): piecewise-linear activations and the trained output layer.
final class PieceEventsPropagator: Propagator {
    private let solver: PieceEventSolver
    private let products: TwoLayerProducts
    private let blockSize: Int
    private var sample: (position: [Double], velocity: [Double]) = ([], [])

    init(model: any Model, products: TwoLayerProducts, flow: any ContinuousFlow, initialState: [Double], startTime: Double,
         stepper: Stepper, tolerances: Tolerances, eventTolerance: Double, logSwitches: Bool, budget: WorkBudget?) throws {
        self.products = products
        blockSize = model.dimension
        solver = try PieceEventSolver(model: model, products: products, flow: flow, stepper: stepper, tolerances: tolerances,
                                      eventTolerance: eventTolerance, startTime: startTime, initialState: initialState,
                                      initialStep: min(1e-3, max(startTime, 1e-6)))
        solver.budget = budget
        if logSwitches { solver.eventLog = [] }
        products.releasePieces()
    }

    func advance(to point: SamplePoint) throws {
        products.resumeHoldingPieces()
        defer { products.releasePieces() }
        try solver.advance(to: point.time)
        sample = (Array(solver.y.array[0..<blockSize]), solver.currentVelocity())
    }

    /// The state with σ itself (the monitors see the model, not the held pieces), the switches
    /// so far, and no sliding pairs (this solver does not slide).
    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        sample.position.withView { w in
            sample.velocity.withView { v in
                body(PropagatorState(position: w, velocity: v, derivatives: nil,
                                     extras: [Double(solver.statistics.events), 0]))
            }
        }
    }

    var statistics: IntegrationStatistics {
        var out = IntegrationStatistics()
        out.evaluations = solver.stepper.evaluations
        out.steps = solver.statistics.steps
        out.rejectedSteps = solver.statistics.rejectedSteps
        return out
    }

    var switching: SwitchingStatistics? {
        var s = solver.statistics
        s.evaluations = solver.stepper.evaluations
        return s
    }

    var switchLog: [SwitchEvent]? { solver.eventLog }
}
