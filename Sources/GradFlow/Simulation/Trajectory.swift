/// The samples of one run: named columns, one row per sample time, plus what it cost.
public struct Trajectory: Sendable {
    /// Column names: "t" first for continuous runs, "k", "t" for discrete runs.
    public let columns: [String]
    /// One row per sample, aligned with `columns`.
    public var rows: [[Double]]
    public var statistics: IntegrationStatistics
    /// Set when the run stopped before its last sample time.
    public var earlyStop: EarlyStop?

    public init(columns: [String], rows: [[Double]] = [], statistics: IntegrationStatistics = IntegrationStatistics(),
                earlyStop: EarlyStop? = nil) {
        self.columns = columns
        self.rows = rows
        self.statistics = statistics
        self.earlyStop = earlyStop
    }

    /// The values of one column.
    public func column(_ name: String) -> [Double]? {
        guard let k = columns.firstIndex(of: name) else { return nil }
        return rows.map { $0[k] }
    }
}
