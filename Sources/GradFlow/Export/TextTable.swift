import Foundation

/// A plain-text table for the terminal, columns right-aligned, numbers with a fixed
/// number of significant digits so that the same values always print the same way.
public struct TextTable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// `x` with `digits` significant digits in %g style.
    public static func format(_ x: Double, digits: Int = 6) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(format: "%.\(digits)g", x)
    }

    public func render() -> String {
        var widths = header.map(\.count)
        for row in rows { for (k, cell) in row.enumerated() where k < widths.count { widths[k] = max(widths[k], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in String(repeating: " ", count: widths[k] - c.count) + c }
                .joined(separator: "  ")
        }
        var out = line(header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }

    /// GitHub-flavoured Markdown.
    public func renderMarkdown() -> String {
        var out = "| " + header.joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in "---:" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }

    /// A LaTeX booktabs tabular; cells are escaped for LaTeX.
    public func renderLaTeX(caption: String? = nil) -> String {
        func escape(_ text: String) -> String {
            var out = ""
            for ch in text {
                switch ch {
                case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(ch)
                case "~": out += "\\textasciitilde{}"
                case "^": out += "\\textasciicircum{}"
                case "\\": out += "\\textbackslash{}"
                default: out.append(ch)
                }
            }
            return out
        }
        var out = "% requires \\usepackage{booktabs}\n"
        out += "\\begin{tabular}{l" + String(repeating: "r", count: max(header.count - 1, 0)) + "}\n\\toprule\n"
        out += header.map(escape).joined(separator: " & ") + " \\\\\n\\midrule\n"
        for row in rows { out += row.map(escape).joined(separator: " & ") + " \\\\\n" }
        out += "\\bottomrule\n\\end{tabular}\n"
        if let caption { out = "% \(caption)\n" + out }
        return out
    }

    /// Comma-separated values with quoting where needed.
    public func renderCSV() -> String {
        func quote(_ cell: String) -> String {
            cell.contains(",") || cell.contains("\"") ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        var out = header.map(quote).joined(separator: ",") + "\n"
        for row in rows { out += row.map(quote).joined(separator: ",") + "\n" }
        return out
    }
}
