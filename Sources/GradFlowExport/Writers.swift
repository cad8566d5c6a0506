import Foundation
import GradFlow

/// What GradFlow writes: a table, the samples of a solution with their `# key=value`
/// header, or a run's JSON record.
public enum Document {
    case table(Table, caption: String?)
    /// A table with `# key=value` lines before it in CSV (the other formats show the table alone).
    case annotatedTable(Table, metadata: [(String, String)])
    case samples(Solution, metadata: [(String, String)])
    case record(RunRecord)
    case report(Report)
    /// JSON text already encoded (records other than a run's).
    case json(String)
}

/// Renders documents in one text format. Every file GradFlow writes goes through one of
/// these writers, so the same document always gives the same bytes.
public protocol DocumentWriter: Sendable {
    /// The file extension of the format ("md", "tex", "csv", "json", "txt").
    var fileExtension: String { get }
    /// The text of `document`; throws `WriterError` for a document the format cannot hold.
    func render(_ document: Document) throws -> String
}

/// A document a format cannot hold (a record as LaTeX).
public struct WriterError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A writer of tables (and of solutions as tables of numbers).
public protocol TableWriter: DocumentWriter {
    func render(_ table: Table, caption: String?) -> String
}

extension TableWriter {
    public func render(_ table: Table) -> String { render(table, caption: nil) }

    public func render(_ document: Document) throws -> String {
        switch document {
        case .table(let table, let caption): return render(table, caption: caption)
        case .annotatedTable(let table, _): return render(table, caption: nil)
        case .samples(let solution, _):
            return render(Table(header: solution.columnNames, rows: solution.rows.map { $0.map { NumberFormat.short($0) } }))
        case .record, .json: throw WriterError(message: "JSON documents are written as .json, not .\(fileExtension)")
        case .report(let report): return render(report)
        }
    }

    /// The sections joined by blank lines; the caption goes to the first table. Notes are a
    /// list, one line each.
    public func render(_ report: Report) -> String {
        var first = true
        return report.sections.map { section -> String in
            switch section {
            case .table(let table):
                defer { first = false }
                return render(table, caption: first ? report.caption : nil)
            case .notes(let lines):
                return lines.map { "- \($0)" }.joined(separator: "\n") + "\n"
            }
        }.joined(separator: "\n")
    }
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
    /// A caption goes before the table as an HTML comment.
    public func render(_ table: Table, caption: String? = nil) -> String {
        var out = caption.map { "<!-- \($0) -->\n\n" } ?? ""
        out += "| " + table.header.joined(separator: " | ") + " |\n"
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

/// CSV: cells with commas or quotes are quoted, RFC 4180 style. A solution is written with
/// its `# key=value` header, then one row per sample, numbers in the shortest form that reads
/// back to the same double (`nan`, `inf`), so the same run always gives the same bytes.
public struct CSVTableWriter: TableWriter {
    public init() {}
    public var fileExtension: String { "csv" }

    public func render(_ document: Document) throws -> String {
        switch document {
        case .table(let table, let caption): return render(table, caption: caption)
        case .annotatedTable(let table, let metadata):
            return metadata.map { "# \($0.0)=\($0.1)\n" }.joined() + render(table, caption: nil)
        case .samples(let solution, let metadata): return Self.render(solution, metadata: metadata)
        case .record, .report, .json: throw WriterError(message: "only tables and samples are written as CSV")
        }
    }

    static func render(_ solution: Solution, metadata: [(String, String)]) -> String {
        var out = ""
        out.reserveCapacity(solution.rows.count * solution.columns.count * 20)
        for (key, value) in metadata { out += "# \(key)=\(value)\n" }
        out += solution.columnNames.joined(separator: ",") + "\n"
        for row in solution.rows {
            out += row.map(NumberFormat.roundTrip).joined(separator: ",")
            out += "\n"
        }
        return out
    }

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

/// JSON: a run record with sorted keys (see `RunRecord`).
public struct JSONRecordWriter: DocumentWriter {
    public init() {}
    public var fileExtension: String { "json" }

    public func render(_ document: Document) throws -> String {
        switch document {
        case .record(let record): return try record.json()
        case .json(let text): return text
        default: throw WriterError(message: "only records are written as JSON")
        }
    }
}
