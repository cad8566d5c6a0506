/// A solver's state machine as `solve` drives it: advance to the next sample point, then
/// expose the state there. Each solver is one conforming type; the sampling loop, the
/// divergence stop and the recording are `solve`'s.
protocol Propagator: AnyObject {
    /// Moves to `point`; throws `EarlyStop` when the run cannot continue.
    func advance(to point: SamplePoint) throws
    /// Calls `body` with the state at the last point reached.
    func withState<R>(_ body: (PropagatorState) -> R) -> R
    /// What the run cost.
    var statistics: IntegrationStatistics { get }
    /// Switching solvers: what they did.
    var switching: SwitchingStatistics? { get }
    /// Switching solvers asked to log: every activation switch.
    var switchLog: [SwitchEvent]? { get }
    /// Discrete runs: the losses of every iterate (see `IterateLosses`).
    var iterateLosses: IterateLosses? { get }
    /// Discrete runs: whether `iterateLosses` will cover every iterate.
    var knowsEveryIterateLoss: Bool { get }
}

extension Propagator {
    var switching: SwitchingStatistics? { nil }
    var switchLog: [SwitchEvent]? { nil }
    var iterateLosses: IterateLosses? { nil }
    var knowsEveryIterateLoss: Bool { false }
}

/// A sample point: a time, and for discrete runs the iteration.
struct SamplePoint {
    var time: Double
    var iteration: Int?
}

/// The state at a sample, as views valid during `withState`.
struct PropagatorState {
    /// x.
    var position: VectorView
    /// ẋ; nil when it is −g(x), the force of a first-order flow integrated on x alone.
    var velocity: VectorView?
    /// x, ẋ, …, x^{(p−1)} when the solver has them all.
    var derivatives: [VectorView]?
    /// Values of the solver's `extraObservables`.
    var extras: [Double] = []
}
