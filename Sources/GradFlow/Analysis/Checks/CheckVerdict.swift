/// The outcome of checking an inequality value(t) ≤ bound(t) along a run.
public struct CheckVerdict: Sendable, Equatable {
    /// Short name, e.g. "Thm 2: V(t) ≤ e^{-αt} V(0)".
    public let name: String
    /// Where the inequality comes from.
    public let source: String
    /// True when the inequality held at every checked sample.
    public let held: Bool
    /// The worst ratio value/bound over the run (≤ 1 when it held) and where it occurred.
    public let worstRatio: Double
    public let worstTime: Double
    /// The first time the inequality failed and value/bound there.
    public let firstFailureTime: Double?
    public let firstFailureRatio: Double?
    /// Number of samples checked.
    public let sampleCount: Int
    /// A free-form note (e.g. the fitted constant of Theorem 3).
    public let note: String
    /// False when the check does not apply to the run (`note` says why); such a verdict
    /// counts neither as held nor as failed.
    public var isApplicable = true

    public var summary: String {
        if !note.isEmpty { return note }
        if held {
            return "held (worst value/bound = \(NumberFormat.short(worstRatio, digits: 4)) at t = \(NumberFormat.short(worstTime, digits: 4)))"
        }
        return "FAILED first at t = \(NumberFormat.short(firstFailureTime ?? .nan, digits: 4)) by a factor \(NumberFormat.short(firstFailureRatio ?? .nan, digits: 4)); worst \(NumberFormat.short(worstRatio, digits: 4)) at t = \(NumberFormat.short(worstTime, digits: 4))"
    }
}
