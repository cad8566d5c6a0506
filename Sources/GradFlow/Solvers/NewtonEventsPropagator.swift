/// Newton flow on the network's weights through its kinks, with Filippov sliding
/// (`NewtonEventSolver`, 002 §5.2).
final class NewtonEventsPropagator: Propagator {
    private let solver: NewtonEventSolver
    private var sample: (position: [Double], velocity: [Double]) = ([], [])

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

    /// The weights, the Filippov velocity, the switches so far and the sliding pairs.
    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        sample.position.withView { w in
            sample.velocity.withView { v in
                body(PropagatorState(position: w, velocity: v, derivatives: nil,
                                     extras: [Double(solver.statistics.events), Double(solver.field.pinnedCount)]))
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
