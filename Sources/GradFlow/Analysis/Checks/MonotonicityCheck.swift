/// value(t_k) ≤ value(t_{k−1}) at consecutive samples with t ≥ `fromTime`: the observable is
/// non-increasing along the run. The ratio is value(t_k)/value(t_{k−1}) (≤ 1 when it held);
/// a rise beyond the relative `slack` fails, and the verdict says where the first rise is and
/// how many samples rose.
public struct MonotonicityCheck: SolutionCheck {
    public let name: String
    public let source: String
    public let column: Observable
    public let fromTime: Double
    /// Relative slack for rounding and integration error.
    public let slack: Double
    /// Samples whose previous value is at most `floor` times the first checked value are not
    /// compared: there the value is integration noise (0: compare every sample).
    public let floor: Double

    public init(name: String, source: String, column: Observable, fromTime: Double = 0, slack: Double = 1e-9,
                floor: Double = 0) {
        self.name = name
        self.source = source
        self.column = column
        self.fromTime = fromTime
        self.slack = slack
        self.floor = floor
    }

    public func evaluate(_ solution: Solution) -> CheckVerdict? {
        guard let values = solution[column], let times = solution[.time] else { return nil }
        let samples = zip(times, values).filter { $0.0 >= fromTime && $0.1.isFinite }
        var worst = -Double.infinity, worstTime = Double.nan
        var firstRise: (time: Double, ratio: Double)?
        var rises = 0
        let threshold = floor * abs(samples.first?.1 ?? 0)
        for (previous, current) in zip(samples, samples.dropFirst()) {
            let (a, b) = (previous.1, current.1)
            if floor > 0 && abs(a) <= threshold { continue }
            let ratio = a > 0 ? b / a : (b <= a ? 0 : .infinity)
            if ratio > worst { worst = ratio; worstTime = current.0 }
            if b > a + slack * max(abs(a), abs(b)) {
                rises += 1
                if firstRise == nil { firstRise = (current.0, ratio) }
            }
        }
        let note = firstRise.map {
            "FAILED: rises first at t = \(NumberFormat.short($0.time, digits: 4)) (×\(NumberFormat.short($0.ratio, digits: 4)) over the previous sample); \(rises) of \(max(samples.count - 1, 0)) steps rise"
        } ?? ""
        return CheckVerdict(name: name, source: source, held: firstRise == nil && samples.count > 1, worstRatio: worst,
                            worstTime: worstTime, firstFailureTime: firstRise?.time, firstFailureRatio: firstRise?.ratio,
                            sampleCount: samples.count, note: note)
    }
}
