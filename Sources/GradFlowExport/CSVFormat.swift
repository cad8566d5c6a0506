import GradFlow
/// CSV text for trajectories: `# key=value` comment lines recording the run's parameters,
/// seed and versions, then a header and one row per sample. Numbers are written in Swift's
/// shortest round-trip form, so the same doubles always give the same text and a reader
/// recovers them exactly; NaN is written as `nan`.
public enum CSVFormat {
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }

    public static func render(columns: [String], rows: [[Double]], metadata: [(String, String)] = []) -> String {
        var out = ""
        out.reserveCapacity(rows.count * columns.count * 20)
        for (key, value) in metadata { out += "# \(key)=\(value)\n" }
        out += columns.joined(separator: ",") + "\n"
        for row in rows {
            out += row.map(number).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    public static func render(_ trajectory: Trajectory, metadata: [(String, String)] = []) -> String {
        render(columns: trajectory.columns, rows: trajectory.rows, metadata: metadata)
    }
}
