/// The result of `solve`: the samples of one run with typed keys, what it cost, why it
/// ended, and on request the states themselves and the log of activation switches.
///
/// Continuous runs have the column `t` first; discrete runs `k`, then `t` (the method's
/// time axis). The remaining columns are the monitors' observables, in monitor order.
public struct Solution: Sendable, Codable {
    /// Why the run ended.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        /// Every sample time was reached.
        case finished
        /// The state or a monitored value became NaN or Inf at this time.
        case diverged(time: Double)
        /// The solver or a limit stopped the run at this time.
        case stopped(time: Double, message: String)

        public var description: String {
            switch self {
            case .finished: return "finished"
            case .diverged(let t): return EarlyStop.diverged(time: t).description
            case .stopped(let t, let message): return "the run stopped at t = \(t): \(message); samples up to then are kept"
            }
        }
    }

    /// The observables, in column order.
    public let columns: [Observable]
    /// One row per sample, aligned with `columns`.
    public var rows: [[Double]]
    public var statistics: IntegrationStatistics
    /// Set when the run stopped before its last sample time.
    public var earlyStop: EarlyStop?
    /// The states x(t) at the samples (W or Δ, or the model's parameters), when requested.
    public var states: [[Double]]?
    /// Every activation switch of a switching solver, when requested.
    public var switchLog: [SwitchEvent]?
    /// What a switching solver did and cost.
    public var switching: SwitchingStatistics?
    /// Discrete runs whose iterator knows every iterate's loss: its minimum and first
    /// crossing of ε over all iterations, sampled or not.
    public var iterateLosses: IterateLosses?

    public init(columns: [Observable], rows: [[Double]] = [], statistics: IntegrationStatistics = IntegrationStatistics(),
                earlyStop: EarlyStop? = nil) {
        self.columns = columns
        self.rows = rows
        self.statistics = statistics
        self.earlyStop = earlyStop
    }

    /// The return code of the run.
    public var status: Status {
        switch earlyStop {
        case nil: return .finished
        case .diverged(let t): return .diverged(time: t)
        case .gslFailure(let t, let message), .limitReached(let t, let message): return .stopped(time: t, message: message)
        }
    }

    /// The values of one observable at every sample, or nil when the run did not record it.
    public subscript(_ key: Observable) -> [Double]? {
        guard let k = columns.firstIndex(of: key) else { return nil }
        return rows.map { $0[k] }
    }

    /// The sample times.
    public var times: [Double] { self[.time] ?? [] }
    /// The column names, for writers.
    public var columnNames: [String] { columns.map(\.rawValue) }
}

/// One activation switch of pair (i, r): a transversal crossing of w_rᵀx_i = 0, or an entry
/// into or exit from Filippov sliding on it.
public struct SwitchEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case crossing, slidingEntry = "sliding-entry", slidingExit = "sliding-exit"
    }

    public var time: Double
    /// Sample i and neuron r.
    public var sample: Int
    public var neuron: Int
    public var kind: Kind

    public init(time: Double, sample: Int, neuron: Int, kind: Kind) {
        self.time = time
        self.sample = sample
        self.neuron = neuron
        self.kind = kind
    }
}
