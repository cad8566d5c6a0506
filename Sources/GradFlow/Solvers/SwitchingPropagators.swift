/// A propagator that locates every activation switch (or kink) of a network's weights: the
/// weights and (Filippov) velocity at the last sample, what it did, and the pairs sliding now.
protocol LocatedSwitchesPropagator: Propagator {
    var sample: (position: [Double], velocity: [Double]) { get }
    var switchingStatistics: SwitchingStatistics { get }
    /// The pairs held on their kinks now (Filippov sliding).
    var slidingPairCount: Int { get }
}

extension LocatedSwitchesPropagator {
    /// The weights and velocity, with the switches so far and the sliding pairs as extras.
    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        sample.position.withView { w in
            sample.velocity.withView { v in
                body(PropagatorState(position: w, velocity: v, derivatives: nil,
                                     extras: [Double(switchingStatistics.events), Double(slidingPairCount)]))
            }
        }
    }

    var statistics: IntegrationStatistics {
        let s = switchingStatistics
        var out = IntegrationStatistics()
        out.evaluations = s.evaluations
        out.steps = s.steps
        out.rejectedSteps = s.rejectedSteps
        return out
    }

    var switching: SwitchingStatistics? { switchingStatistics }
}

/// A solver of the ReLU network's weights that locates every activation switch through a
/// `SwitchingPattern` (events, exact pieces, kinetic).
protocol SwitchingPropagator: LocatedSwitchesPropagator {
    var pattern: SwitchingPattern { get }
}

extension SwitchingPropagator {
    var slidingPairCount: Int { pattern.slidingPairCount }
    var switchLog: [SwitchEvent]? { pattern.eventLog }
}

/// GSL stepping with every activation switch of the ReLU network located (`SwitchingGSLSolver`).
final class SwitchingEventsPropagator: SwitchingPropagator {
    private let solver: SwitchingGSLSolver
    let pattern: SwitchingPattern
    private let blockSize: Int
    private(set) var sample: (position: [Double], velocity: [Double]) = ([], [])

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

    /// The solver's statistics, with the stepper's right-hand-side evaluations.
    var switchingStatistics: SwitchingStatistics { solver.statistics.counting(evaluations: solver.stepper.evaluations) }
}

/// Piecewise-exact propagation between activation switches (`ExactPiecesSolver`).
final class ExactPiecesPropagator: SwitchingPropagator {
    private let solver: ExactPiecesSolver
    let pattern: SwitchingPattern
    private(set) var sample: (position: [Double], velocity: [Double]) = ([], [])

    init(network: ReLUNetwork, flow: any ContinuousFlow, initialState: [Double], startTime: Double = 0, eventTolerance: Double,
         logSwitches: Bool, observer: ((Double, [Double]) -> Void)?, budget: WorkBudget? = nil) throws {
        let kernel = ReLUSwitchingKernel(network: network)
        pattern = SwitchingPattern.initial(kernel: kernel, state: initialState)
        if logSwitches { pattern.eventLog = [] }
        solver = try ExactPiecesSolver(kernel: kernel, pattern: pattern, flow: flow,
                                       eventTolerance: eventTolerance, initialState: initialState, startTime: startTime)
        solver.budget = budget
        if let observer { solver.observer = { t, w in observer(t, w) } }
    }

    func advance(to point: SamplePoint) throws {
        try solver.advance(to: point.time)
        sample = solver.currentPositionAndVelocity()
    }

    var switchingStatistics: SwitchingStatistics { solver.statistics }
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
