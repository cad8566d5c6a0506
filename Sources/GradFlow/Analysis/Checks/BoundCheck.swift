/// An inequality value(t) ≤ bound(t) (or ≥, for lower bounds) evaluated on the samples of
/// a trajectory. The reported ratio is value/bound for upper bounds and bound/value for
/// lower bounds, so a ratio ≤ 1 always means the inequality held.
///
/// Values and bounds are compared with a relative slack of `slack` (default 1e-12) so that
/// an equality that holds exactly at t = 0 is not reported as failing by rounding.
public struct BoundCheck: Sendable {
    public let name: String
    public let source: String
    /// The observable holding value(t).
    public let column: Observable
    /// bound(t).
    public let bound: @Sendable (Double) -> Double
    /// Only samples with t ≥ this are checked (for bounds singular at 0).
    public let fromTime: Double
    public let slack: Double
    /// True for value(t) ≥ bound(t).
    public let isLowerBound: Bool
    /// The observable the bound is a function of: t, or k for iteration-indexed bounds.
    public let timeColumn: Observable

    public init(name: String, source: String, column: Observable, fromTime: Double = 0, slack: Double = 1e-12,
                isLowerBound: Bool = false, timeColumn: Observable = .time, bound: @escaping @Sendable (Double) -> Double) {
        self.isLowerBound = isLowerBound
        self.timeColumn = timeColumn
        self.name = name
        self.source = source
        self.column = column
        self.bound = bound
        self.fromTime = fromTime
        self.slack = slack
    }

    /// Nil when the trajectory lacks the column.
    public func evaluate(_ trajectory: Solution) -> CheckVerdict? {
        guard let values = trajectory[column], let times = trajectory[timeColumn] else { return nil }
        var worst = -Double.infinity, worstTime = Double.nan
        var failTime: Double?, failRatio: Double?
        var count = 0
        for (t, v) in zip(times, values) where t >= fromTime && v.isFinite {
            let b = bound(t)
            let (num, den) = isLowerBound ? (b, v) : (v, b)
            let ratio = den > 0 ? num / den : (num <= 0 ? 0 : .infinity)
            count += 1
            if ratio > worst { worst = ratio; worstTime = t }
            if ratio > 1 + slack, failTime == nil { failTime = t; failRatio = ratio }
        }
        return CheckVerdict(name: name, source: source, held: failTime == nil && count > 0, worstRatio: worst,
                            worstTime: worstTime, firstFailureTime: failTime, firstFailureRatio: failRatio,
                            sampleCount: count, note: "")
    }
}
