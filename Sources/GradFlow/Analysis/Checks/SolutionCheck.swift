/// An inequality checked along a run's samples (a bound, or monotonicity).
public protocol SolutionCheck: Sendable {
    var name: String { get }
    /// The verdict, or nil when the run lacks the observable.
    func evaluate(_ solution: Solution) -> CheckVerdict?
}

extension BoundCheck: SolutionCheck {}
