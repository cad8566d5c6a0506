import Foundation

/// The process's peak resident memory, for the run summaries of wide networks
/// (m = 10⁵ reports its peak memory).
public enum PeakMemory {
    /// Bytes of the largest resident set this program has had so far: the kernel's high-water
    /// mark VmHWM from /proc/self/status. (getrusage's ru_maxrss is not used: Linux keeps it
    /// across execve, so it can report the peak of the process image that started this one.)
    /// 0 where /proc is unavailable.
    public static var bytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kib * 1024
    }

    /// `bytes` in MiB, one decimal, for a summary line.
    public static var description: String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
