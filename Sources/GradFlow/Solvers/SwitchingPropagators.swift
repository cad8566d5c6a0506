/// GSL stepping with every activation switch of the ReLU network located (`SwitchingGSLSolver`).
final class SwitchingEventsPropagator: Propagator {
    private let solver: SwitchingGSLSolver
    private let pattern: SwitchingPattern
    private let blockSize: Int
    private var sample: (position: [Double], velocity: [Double]) = ([], [])

    init(network: ReLUNetwork, flow: any ContinuousFlow, initialState: [Double], startTime: Double,
         stepper: Stepper, tolerances: Tolerances, eventTolerance: Double, logSwitches: Bool,
         observer: ((Double, [Double]) -> Void)?, budget: WorkBudget? = nil) throws {
        let kernel = ReLUSwitchingKernel(network: network)
        pattern = SwitchingPattern.initial(kernel: kernel, state: initialState)
        if logSwitches { pattern.eventLog = [] }
        blockSize = kernel.weightCount
        solver = try SwitchingGSLSolver(kernel: kernel, pattern: pattern, flow: flow, stepper: stepper,
                                        tolerances: tolerances, eventTolerance: eventTolerance,
                                        startTime: startTime, initialState: initialState,
                                        initialStep: min(1e-3, max(startTime, 1e-6)))
        solver.budget = budget
        if let observer {
            let nb = blockSize
            solver.observer = { t, y in observer(t, Array(y.array[0..<nb])) }
        }
    }

    func advance(to point: SamplePoint) throws {
        try solver.advance(to: point.time)
        sample = (Array(solver.y.array[0..<blockSize]), Array(solver.currentVelocity().prefix(blockSize)))
    }

    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        sample.position.withView { w in
            sample.velocity.withView { v in
                body(PropagatorState(position: w, velocity: v, derivatives: nil,
                                     extras: [Double(solver.statistics.events), Double(solver.slidingPairs)]))
            }
        }
    }

    var statistics: IntegrationStatistics {
        var s = IntegrationStatistics()
        s.evaluations = solver.stepper.evaluations
        s.steps = solver.statistics.steps
        s.rejectedSteps = solver.statistics.rejectedSteps
        return s
    }

    var switching: SwitchingStatistics? {
        var s = solver.statistics
        s.evaluations = solver.stepper.evaluations
        return s
    }

    var switchLog: [SwitchEvent]? { pattern.eventLog }
}

/// Piecewise-exact propagation between activation switches (`ExactPiecesSolver`).
final class ExactPiecesPropagator: Propagator {
    private let solver: ExactPiecesSolver
    private let pattern: SwitchingPattern
    private var sample: (position: [Double], velocity: [Double]) = ([], [])

    init(network: ReLUNetwork, flow: any ContinuousFlow, initialState: [Double], eventTolerance: Double,
         logSwitches: Bool, observer: ((Double, [Double]) -> Void)?, budget: WorkBudget? = nil) throws {
        let kernel = ReLUSwitchingKernel(network: network)
        pattern = SwitchingPattern.initial(kernel: kernel, state: initialState)
        if logSwitches { pattern.eventLog = [] }
        solver = try ExactPiecesSolver(kernel: kernel, pattern: pattern, flow: flow,
                                       eventTolerance: eventTolerance, initialState: initialState)
        solver.budget = budget
        if let observer { solver.observer = { t, w in observer(t, w) } }
    }

    func advance(to point: SamplePoint) throws {
        try solver.advance(to: point.time)
        sample = solver.currentPositionAndVelocity()
    }

    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        sample.position.withView { w in
            sample.velocity.withView { v in
                body(PropagatorState(position: w, velocity: v, derivatives: nil,
                                     extras: [Double(solver.statistics.events), Double(pattern.slidingPairCount)]))
            }
        }
    }

    var statistics: IntegrationStatistics {
        var s = IntegrationStatistics()
        s.evaluations = solver.statistics.evaluations
        s.steps = solver.statistics.steps
        s.rejectedSteps = solver.statistics.rejectedSteps
        return s
    }

    var switching: SwitchingStatistics? { solver.statistics }

    var switchLog: [SwitchEvent]? { pattern.eventLog }
}

extension SwitchingPattern {
    /// The pattern of the initial weights (the first block of `state`), with the release
    /// band 1e-12·(1 + max|z(0)|) (see `SwitchingGSLSolver`).
    static func initial(kernel: ReLUSwitchingKernel, state: [Double]) -> SwitchingPattern {
        var z = [Double](repeating: 0, count: kernel.pairCount)
        state.withView { w in z.withMutableView { kernel.preactivations(w.slice(0, kernel.weightCount), into: $0) } }
        let band = 1e-12 * (1 + (z.map(abs).max() ?? 0))
        return SwitchingPattern(preactivations: z, samples: kernel.n, width: kernel.m, releaseBand: band)
    }
}
