import Foundation

/// The times at which a run is sampled: strictly increasing, finite, ≥ 0.
public struct SampleTimes: Sendable, Equatable {
    public let values: [Double]
    /// How the times were given ("list", "linear", "log"), for summaries.
    public let spacing: String

    /// Times given explicitly.
    public init(list: [Double]) throws {
        guard !list.isEmpty else {
            throw InputError(.sampleTimes, value: "an empty list", allowed: "give at least one sample time")
        }
        for (k, t) in list.enumerated() {
            guard t.isFinite, t >= 0 else {
                throw InputError(.sampleTimes, value: "\(t) at position \(k + 1)", allowed: "times must be finite and ≥ 0")
            }
            if k > 0, t <= list[k - 1] {
                throw InputError(.sampleTimes, value: "\(list[k - 1]) then \(t)", allowed: "times must be strictly increasing")
            }
        }
        values = list
        spacing = "list"
    }

    /// `count` evenly spaced times from `start` to `end` inclusive.
    public static func linear(from start: Double, to end: Double, count: Int) throws -> SampleTimes {
        try check(start: start, end: end, count: count)
        let step = (end - start) / Double(count - 1)
        var v = (0..<count).map { start + Double($0) * step }
        v[count - 1] = end
        return try SampleTimes(list: v, spacing: "linear")
    }

    /// `count` log-spaced times from `start` > 0 to `end` inclusive.
    public static func logarithmic(from start: Double, to end: Double, count: Int) throws -> SampleTimes {
        try check(start: start, end: end, count: count)
        guard start > 0 else {
            throw InputError(.startOfTimes, value: "\(start)", allowed: "log-spaced times need a start > 0")
        }
        let a = log(start), b = log(end)
        var v = (0..<count).map { exp(a + (b - a) * Double($0) / Double(count - 1)) }
        v[0] = start
        v[count - 1] = end
        return try SampleTimes(list: v, spacing: "log")
    }

    private init(list: [Double], spacing: String) throws {
        let s = try SampleTimes(list: list)
        values = s.values
        self.spacing = spacing
    }

    private static func check(start: Double, end: Double, count: Int) throws {
        guard count >= 2 else {
            throw InputError(.points, value: "\(count)", allowed: "evenly or log-spaced times need at least 2 points")
        }
        try MemoryEstimate.check(bytes: Double(count) * MemoryEstimate.bytesPerSample, .points, value: "\(count)",
                                 what: "sampling \(count) points")
        guard start.isFinite, start >= 0 else {
            throw InputError(.startOfTimes, value: "\(start)", allowed: "must be finite and ≥ 0")
        }
        guard end.isFinite, end > start else {
            throw InputError(.endOfTimes, value: "\(end)", allowed: "must be finite and greater than the start time \(start)")
        }
    }
}
