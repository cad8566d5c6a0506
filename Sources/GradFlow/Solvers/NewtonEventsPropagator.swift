/// Newton flow on the network's weights through its kinks, with Filippov sliding
/// (`NewtonEventSolver`, 002 §5.2).
final class NewtonEventsPropagator: LocatedSwitchesPropagator {
    private let solver: NewtonEventSolver
    private(set) var sample: (position: [Double], velocity: [Double]) = ([], [])

    init(network: ReLUNetwork, flow: NewtonFlow, initialState: [Double], startTime: Double, stepper: Stepper,
         tolerances: Tolerances, eventTolerance: Double, logSwitches: Bool, budget: WorkBudget?) throws {
        solver = try NewtonEventSolver(network: network, flow: flow, stepper: stepper, tolerances: tolerances,
                                       eventTolerance: eventTolerance, startTime: startTime, initialState: initialState,
                                       initialStep: min(1e-3, max(startTime, 1e-6)))
        solver.budget = budget
        if logSwitches { solver.eventLog = [] }
    }

    func advance(to point: SamplePoint) throws {
        try solver.advance(to: point.time)
        sample = (solver.y.array, solver.currentVelocity())
    }

    /// The pairs pinned on their kinks.
    var slidingPairCount: Int { solver.field.pinnedCount }
    var switchingStatistics: SwitchingStatistics { solver.statistics.counting(evaluations: solver.stepper.evaluations) }
    var switchLog: [SwitchEvent]? { solver.eventLog }
}
