import Foundation

/// Up-front estimates of a run's memory, compared with what the machine has, so that a size
/// whose allocation would fail (or whose size overflows an `Int`) is refused with a message
/// naming the input instead of trapping in the allocator. Estimates are computed in `Double`,
/// which cannot overflow for any `Int` input.
public enum MemoryEstimate {
    /// What one sample point of a run costs: its row of observables (up to ~16 doubles) in
    /// the `Solution`, the same values as CSV text (~25 bytes each) and the JSON record, with
    /// room for array overhead.
    public static let bytesPerSample = 1024.0

    /// Bytes this machine can give a new process: `MemAvailable` of /proc/meminfo, else the
    /// physical memory.
    public static let availableBytes: Double = {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kb = Double(fields[1]) { return kb * 1024 }
            }
        }
        return Double(ProcessInfo.processInfo.physicalMemory)
    }()

    /// Throws when `bytes` (finite or not) exceeds the available memory; `what` says what
    /// needs it.
    public static func check(bytes: Double, _ parameter: Parameter, value: String, what: String) throws {
        guard bytes.isFinite, bytes <= availableBytes else {
            throw InputError(parameter, value: value,
                             allowed: "\(what) needs about \(format(bytes)) of memory; this machine has \(format(availableBytes)) available")
        }
    }

    /// A byte count for messages: "3.2 GB".
    public static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "more than any machine has" }
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == units.count - 1 && value >= 1000 { return String(format: "%.3g EB", value) }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.3g %@", value, units[unit])
    }

    /// A network problem with n samples of dimension d and width m: the data (n·d), the two
    /// n×n kernels H^∞ and H(0) with their eigen-decompositions (8n²), the pre-activations,
    /// patterns and products of the switching solvers (6nm), and W with the state, velocity
    /// and solver workspaces (12dm) — 8 bytes each. `width` nil: no network.
    static func networkBytes(samples n: Double, dimension d: Double, width m: Double?, kernels: Bool = true) -> Double {
        8 * (n * d + (kernels ? 8 * n * n : 0) + (m.map { 6 * n * $0 + 12 * d * $0 } ?? 0))
    }

    /// Refuses a network problem that does not fit, naming the input whose growth costs the
    /// most (samples, dimension or width).
    /// (`kernels` false: no n×n kernel is formed, as in the throughput benchmark.)
    public static func checkNetwork(samples: Int, dimension: Int, width: Int?, kernels: Bool = true) throws {
        let n = Double(samples), d = Double(dimension), m = width.map(Double.init)
        let bytes = networkBytes(samples: n, dimension: d, width: m, kernels: kernels)
        guard !(bytes.isFinite && bytes <= availableBytes) else { return }
        let growth: [(Parameter, Int, Double)] = [
            (.samples, samples, networkBytes(samples: 2 * n, dimension: d, width: m, kernels: kernels)),
            (.dimension, dimension, networkBytes(samples: n, dimension: 2 * d, width: m, kernels: kernels)),
        ] + (width.map { [(.width, $0, networkBytes(samples: n, dimension: d, width: 2 * m!, kernels: kernels))] } ?? [])
        let (parameter, value, _) = growth.max { $0.2 < $1.2 }!
        try check(bytes: bytes, parameter, value: "\(value)",
                  what: "a network with n = \(samples), d = \(dimension)" + (width.map { ", m = \($0)" } ?? ""))
    }
}
