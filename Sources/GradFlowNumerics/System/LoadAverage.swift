import Foundation

/// The system's load average, printed beside benchmark figures: on a shared machine a wall
/// time means little without it.
public enum LoadAverage {
    /// The 1-minute load average (nan where the system does not report one).
    public static var oneMinute: Double {
        var values = [Double](repeating: .nan, count: 3)
        let count = values.withUnsafeMutableBufferPointer { getloadavg($0.baseAddress!, 3) }
        return count >= 1 ? values[0] : .nan
    }
}
