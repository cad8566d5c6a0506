import Foundation
import GradFlow

/// Renders a `Table` in one text format. Every table file GradFlow writes goes through one
/// of these, so the same table always gives the same bytes.
public protocol TableWriter: Sendable {
    /// The file extension of the format ("md", "tex", "csv", "txt").
    var fileExtension: String { get }
    func render(_ table: Table, caption: String?) -> String
}

extension TableWriter {
    public func render(_ table: Table) -> String { render(table, caption: nil) }
}

/// Columns right-aligned for the terminal.
public struct AlignedTextTableWriter: TableWriter {
    public init() {}
    public var fileExtension: String { "txt" }
    public func render(_ table: Table, caption: String? = nil) -> String {
        var widths = table.header.map(\.count)
        for row in table.rows { for (k, cell) in row.enumerated() where k < widths.count { widths[k] = max(widths[k], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in String(repeating: " ", count: widths[k] - c.count) + c }
                .joined(separator: "  ")
        }
        var out = line(table.header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in table.rows { out += line(row) + "\n" }
        return out
    }
}

/// A GitHub-flavoured Markdown table.
public struct MarkdownTableWriter: TableWriter {
    public init() {}
    public var fileExtension: String { "md" }
    public func render(_ table: Table, caption: String? = nil) -> String {
        var out = "| " + table.header.joined(separator: " | ") + " |\n"
        out += "|" + table.header.map { _ in "---:" }.joined(separator: "|") + "|\n"
        for row in table.rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }
}

/// A booktabs LaTeX table (needs \usepackage{booktabs}); the caption, when given, goes into
/// a comment line.
public struct LaTeXTableWriter: TableWriter {
    public init() {}
    public var fileExtension: String { "tex" }
    public func render(_ table: Table, caption: String? = nil) -> String {
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
        out += "\\begin{tabular}{l" + String(repeating: "r", count: max(table.header.count - 1, 0)) + "}\n\\toprule\n"
        out += table.header.map(escape).joined(separator: " & ") + " \\\\\n\\midrule\n"
        for row in table.rows { out += row.map(escape).joined(separator: " & ") + " \\\\\n" }
        out += "\\bottomrule\n\\end{tabular}\n"
        if let caption { out = "% \(caption)\n" + out }
        return out
    }
}

/// CSV: cells with commas or quotes are quoted, RFC 4180 style.
public struct CSVTableWriter: TableWriter {
    public init() {}
    public var fileExtension: String { "csv" }
    public func render(_ table: Table, caption: String? = nil) -> String {
        func quote(_ cell: String) -> String {
            cell.contains(",") || cell.contains("\"") ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        var out = table.header.map(quote).joined(separator: ",") + "\n"
        for row in table.rows { out += row.map(quote).joined(separator: ",") + "\n" }
        return out
    }
}

extension Table {
    /// Aligned text for the terminal.
    public func render() -> String { AlignedTextTableWriter().render(self) }
    public func renderMarkdown() -> String { MarkdownTableWriter().render(self) }
    public func renderLaTeX(caption: String? = nil) -> String { LaTeXTableWriter().render(self, caption: caption) }
    public func renderCSV() -> String { CSVTableWriter().render(self) }
}
