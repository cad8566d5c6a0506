/// A discrete method's iterations (`DiscreteIterator`) on the method's time axis. Between
/// samples it only steps: no monitor runs and nothing is allocated per iteration. An iterate
/// that is not finite stops the run at its time (`DiscreteIterator.isFinite`: O(n) from the
/// errors for the kinetic iterator).
final class IterationPropagator: Propagator {
    private let method: any DiscreteMethod
    private let iterator: any DiscreteIterator
    private let budget: WorkBudget?

    /// Every iterate's loss the iterator reports (`DiscreteIterator.lastKnownLoss`).
    private(set) var iterateLosses: IterateLosses?
    private let lossLevel: Double?
    var knowsEveryIterateLoss: Bool { iterator.knowsEveryLoss }

    init(model: any Model, method: any DiscreteMethod, initialPosition: [Double], budget: WorkBudget? = nil,
         lossLevel: Double? = nil) throws {
        self.method = method
        self.budget = budget
        self.lossLevel = lossLevel
        iterator = try method.makeIterator(field: model, initialPosition: initialPosition)
        observeLoss()
    }

    /// O(1): the iterator's loss of its latest known iterate, into the running record.
    @inline(__always)
    private func observeLoss() {
        guard let (loss, k) = iterator.lastKnownLoss, !loss.isNaN else { return }
        let t = method.time(ofIteration: k)
        if iterateLosses == nil {
            iterateLosses = IterateLosses(minimumLoss: loss, minimumIteration: k, minimumTime: t, level: lossLevel)
        }
        iterateLosses!.observe(loss, iteration: k, time: t)
    }

    func advance(to point: SamplePoint) throws {
        let target = point.iteration ?? 0
        while iterator.iteration < target {
            try budget?.check(evaluations: iterator.gradientEvaluations, time: method.time(ofIteration: iterator.iteration))
            iterator.step()
            observeLoss()
            if !iterator.isFinite {
                throw EarlyStop.diverged(time: method.time(ofIteration: iterator.iteration))
            }
        }
    }

    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        body(PropagatorState(position: iterator.position, velocity: iterator.velocity, derivatives: nil))
    }

    /// Iterators that track activation flips (the kinetic one) report them as switches.
    var switching: SwitchingStatistics? {
        iterator.activationFlips.map {
            var s = SwitchingStatistics()
            s.method = "kinetic-iterations"
            s.errorNorm = "none"
            s.events = $0
            return s
        }
    }

    var statistics: IntegrationStatistics {
        var s = IntegrationStatistics()
        s.evaluations = iterator.gradientEvaluations
        s.steps = iterator.iteration
        return s
    }
}
