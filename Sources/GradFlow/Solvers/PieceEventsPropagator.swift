/// GSL stepping with every kink of a two-layer network's activation located
/// (`PieceEventSolver`): piecewise-linear activations and the trained output layer.
final class PieceEventsPropagator: LocatedSwitchesPropagator {
    private let solver: PieceEventSolver
    private let products: TwoLayerProducts
    private let blockSize: Int
    private(set) var sample: (position: [Double], velocity: [Double]) = ([], [])

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

    /// This solver does not slide. (Samples are taken with the pieces released, so the
    /// monitors see σ itself, not the held pieces.)
    var slidingPairCount: Int { 0 }
    var switchingStatistics: SwitchingStatistics { solver.statistics.counting(evaluations: solver.stepper.evaluations) }
    var switchLog: [SwitchEvent]? { solver.eventLog }
}
