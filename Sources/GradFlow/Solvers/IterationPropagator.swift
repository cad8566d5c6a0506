/// A discrete method's iterations (`DiscreteIterator`) on the method's time axis. Between
/// samples it only steps: no monitor runs and nothing is allocated per iteration. An iterate
/// that is not finite stops the run at its time (`DiscreteIterator.isFinite`: O(n) from the
/// errors for the kinetic iterator).
final class IterationPropagator: Propagator {
    private let method: any DiscreteMethod
    private let iterator: any DiscreteIterator
    private let budget: WorkBudget?

    init(model: any Model, method: any DiscreteMethod, initialPosition: [Double], budget: WorkBudget? = nil) throws {
        self.method = method
        self.budget = budget
        iterator = try method.makeIterator(field: model, initialPosition: initialPosition)
    }

    func advance(to point: SamplePoint) throws {
        let target = point.iteration ?? 0
        while iterator.iteration < target {
            try budget?.check(evaluations: iterator.gradientEvaluations, time: method.time(ofIteration: iterator.iteration))
            iterator.step()
            if !iterator.isFinite {
                throw EarlyStop.diverged(time: method.time(ofIteration: iterator.iteration))
            }
        }
    }

    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        body(PropagatorState(position: iterator.position, velocity: iterator.velocity, derivatives: nil))
    }

    /// The smallest loss of the iterates the iterator has seen (every iterate before the
    /// last one reached, at least), when it knows them.
    var lowestLoss: (loss: Double, iteration: Int)? { iterator.lowestLoss }

    var activationFlips: Int? { iterator.activationFlips }

    var statistics: IntegrationStatistics {
        var s = IntegrationStatistics()
        s.evaluations = iterator.gradientEvaluations
        s.steps = iterator.iteration
        return s
    }
}
