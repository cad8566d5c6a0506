/// Kinetic exact switching of the ReLU network's weights (`KineticPiecesSolver`).
final class KineticPiecesPropagator: SwitchingPropagator {
    private let solver: KineticPiecesSolver
    let pattern: SwitchingPattern
    private(set) var sample: (position: [Double], velocity: [Double]) = ([], [])

    init(network: ReLUNetwork, flow: any ContinuousFlow, initialState: [Double], startTime: Double = 0, eventTolerance: Double,
         logSwitches: Bool, observer: ((Double, [Double]) -> Void)?, budget: WorkBudget? = nil) throws {
        let kernel = ReLUSwitchingKernel(network: network)
        pattern = SwitchingPattern.initial(kernel: kernel, state: initialState)
        if logSwitches { pattern.eventLog = [] }
        solver = try KineticPiecesSolver(kernel: kernel, pattern: pattern, flow: flow, eventTolerance: eventTolerance,
                                         initialState: initialState, startTime: startTime)
        solver.budget = budget
        if let observer { solver.observer = { t, w in observer(t, w) } }
    }

    func advance(to point: SamplePoint) throws {
        try solver.advance(to: point.time)
        sample = solver.currentPositionAndVelocity()
    }

    var switchingStatistics: SwitchingStatistics { solver.statistics }
}
