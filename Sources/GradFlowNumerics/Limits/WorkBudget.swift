import Foundation

/// Limits on the work of one run: right-hand-side (or gradient, or piece) evaluations and
/// wall-clock seconds. A run that reaches one stops with `EarlyStop.limitReached`, keeping
/// the samples taken, like scipy's `status` of a solver that ran out of evaluations.
public struct WorkLimits: Sendable, Equatable {
    /// At most this many evaluations per run (nil: no limit).
    public var maxEvaluations: Int?
    /// At most this many seconds of wall time per run (nil: no limit).
    public var maxWallSeconds: Double?

    /// The default evaluation limit. A run of the default problem needs about 10^3–10^5
    /// evaluations; 10^7 is far beyond any run that can finish on this tool's problem sizes
    /// in reasonable time, and stops a run whose step size has collapsed (stiff or
    /// degenerate input, tolerances below rounding) instead of letting it run for hours.
    public static let defaultMaxEvaluations = 10_000_000

    public init(maxEvaluations: Int? = WorkLimits.defaultMaxEvaluations, maxWallSeconds: Double? = nil) throws {
        if let e = maxEvaluations, e < 1 {
            throw InputError(.maxEvaluations, value: "\(e)", allowed: "must be an integer ≥ 1")
        }
        if let s = maxWallSeconds, !(s.isFinite && s > 0) {
            throw InputError(.maxWallSeconds, value: "\(s)", allowed: "must be a finite number of seconds > 0")
        }
        self.maxEvaluations = maxEvaluations
        self.maxWallSeconds = maxWallSeconds
    }

    /// No limit at all (library callers that bound their own work).
    public static let none = try! WorkLimits(maxEvaluations: nil, maxWallSeconds: nil)
    /// The default: `defaultMaxEvaluations`, no wall-time limit.
    public static let standard = try! WorkLimits()
}

/// The running account of one run against its `WorkLimits`. Solvers call `check` in their
/// step loops with their evaluation count; it throws `EarlyStop.limitReached` once a limit is
/// passed.
public final class WorkBudget: @unchecked Sendable {
    public let limits: WorkLimits
    private let start = DispatchTime.now().uptimeNanoseconds
    private var calls = 0

    public init(_ limits: WorkLimits) {
        self.limits = limits
    }

    /// The reason to stop, or nil while the run is within its limits.
    public func exceeded(evaluations: Int) -> String? {
        if let e = limits.maxEvaluations, evaluations > e {
            return "the evaluation limit (\(e)) was reached"
        }
        if let s = limits.maxWallSeconds {
            calls += 1
            // Reading the clock costs ~20 ns; every call is cheap enough next to an evaluation.
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if elapsed > s { return "the wall-time limit (\(s) s) was reached" }
        }
        return nil
    }

    /// Throws `EarlyStop.limitReached` at `time` when the evaluations so far plus `projected`
    /// more, which the solver knows it needs at least (a fixed step over a known span), pass
    /// the evaluation limit: the run stops now instead of after spending the whole budget.
    public func check(evaluations: Int, projected: Double, time: Double) throws {
        if let e = limits.maxEvaluations, !(Double(evaluations) + projected <= Double(e)) {
            throw EarlyStop.limitReached(time: time, message: "the evaluation limit (\(e)) would be passed: at least \(String(format: "%.3g", projected)) more are needed to reach the next sample")
        }
        try check(evaluations: evaluations, time: time)
    }

    /// Throws `EarlyStop.limitReached` at `time` when a limit is passed.
    public func check(evaluations: Int, time: Double) throws {
        if let reason = exceeded(evaluations: evaluations) {
            throw EarlyStop.limitReached(time: time, message: reason)
        }
    }
}
