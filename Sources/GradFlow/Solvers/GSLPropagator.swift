/// GSL odeiv2 on the first-order system of a flow on a model (`MomentumSystem`), with an
/// adaptive step and GSL's standard control; no event handling.
final class GSLPropagator: Propagator {
    private let driver: GSLDriver
    private let dimension: Int
    private let order: Int

    init(model: any Model, flow: any ContinuousFlow, initialState: [Double], startTime: Double,
         stepper: Stepper, tolerances: Tolerances, budget: WorkBudget? = nil) throws {
        let system = try MomentumSystem(flow: flow, field: model)
        dimension = model.dimension
        order = flow.order
        driver = try GSLDriver(system: system, state: DoubleBuffer(initialState), startTime: startTime,
                               stepper: stepper, tolerances: tolerances, initialStep: min(1e-3, max(startTime, 1e-6)), budget: budget)
    }

    func advance(to point: SamplePoint) throws { try driver.advance(to: point.time) }

    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        let y = driver.state.readOnly, n = dimension
        let blocks = (0..<order).map { y.slice($0 * n, n) }
        return body(PropagatorState(position: blocks[0], velocity: order >= 2 ? blocks[1] : nil,
                                    derivatives: order >= 2 ? blocks : nil))
    }

    var statistics: IntegrationStatistics { driver.statistics }
}
