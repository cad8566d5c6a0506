import Foundation

/// A small reader for numeric CSV files (data sets, weight files).
///
/// Format:
/// - fields are separated by commas; whitespace around a field is ignored;
/// - blank lines and lines whose first non-blank character is `#` are ignored;
/// - line endings may be `\n` or `\r\n`;
/// - the first remaining row is a header when *none* of its fields is a number
///   (e.g. `x1,x2,y`); otherwise it is data. A first row that mixes numbers and words is
///   rejected rather than silently dropped as a header;
/// - every data field must be a finite number: `nan`, `inf`, `infinity` and any value that
///   parses to a non-finite double (such as `1e999`) are rejected;
/// - every row, header included, must have the same number of fields;
/// - at least one data row is required.
///
/// Errors are `InputError`s whose input names the user-facing option, the file and the
/// line/column, e.g. `--data data.csv, line 4, column 2: got "abc"; …`.
public struct NumericCSV: Sendable, Equatable {
    /// The header's field names, when the file has a header row.
    public let header: [String]?
    /// The data rows; all have the same length.
    public let rows: [[Double]]

    /// Number of columns (the length of every row).
    public var columnCount: Int { rows.first?.count ?? header?.count ?? 0 }

    public init(header: [String]?, rows: [[Double]]) {
        self.header = header
        self.rows = rows
    }

    /// Reads and parses the file at `path`. `name` is the input (for example `.data(path)`); error messages name it together with the path.
    public static func read(path: String, name: Parameter) throws -> NumericCSV {
        let source = Parameter(name.key, detail: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(Parameter(name.key), value: "\"\(path)\"", allowed: "no such file; give the path of an existing CSV file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(Parameter(name.key), value: "\"\(path)\"", allowed: "this is a directory; give the path of a CSV file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(Parameter(name.key), value: "\"\(path)\"", allowed: "the file could not be read; it must be a readable CSV file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(source, value: "bytes that are not UTF-8 text", allowed: "the file must be a UTF-8 (or ASCII) CSV file")
        }
        return try parse(text: text, name: source)
    }

    /// Parses CSV text. `name` labels the input in error messages (`read` passes the
    /// option name and the path).
    public static func parse(text: String, name: Parameter) throws -> NumericCSV {
        var header: [String]?
        var rows: [[Double]] = []
        var expectedFields = 0
        var firstLine = 0
        var sawFirstRow = false

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)

            if !sawFirstRow {
                sawFirstRow = true
                expectedFields = fields.count
                firstLine = lineNumber
                let numeric = fields.map { Double($0) != nil }
                if !numeric.contains(true) {
                    header = fields.map(String.init)
                    continue
                }
                if numeric.contains(false) {
                    // Mixed: neither a clean header nor a clean data row. Report the first
                    // non-numeric field as a bad value.
                    let column = numeric.firstIndex(of: false)! + 1
                    throw InputError(name.at("line \(lineNumber), column \(column)"),
                                     value: describe(fields[column - 1]),
                                     allowed: "a header row must contain only names and a data row only finite numbers")
                }
            } else if fields.count != expectedFields {
                throw InputError(name.at("line \(lineNumber)"),
                                 value: "\(fields.count) field\(fields.count == 1 ? "" : "s")",
                                 allowed: "every row must have \(expectedFields) comma-separated field\(expectedFields == 1 ? "" : "s") like line \(firstLine)")
            }

            var row: [Double] = []
            row.reserveCapacity(fields.count)
            for (c, field) in fields.enumerated() {
                row.append(try number(field, at: name.at("line \(lineNumber), column \(c + 1)")))
            }
            rows.append(row)
        }

        if !sawFirstRow {
            throw InputError(name, value: "no rows (the file is empty or has only blank and # comment lines)", allowed: "at least one row of comma-separated numbers is required")
        }
        if rows.isEmpty {
            throw InputError(name, value: "a header and no data rows",
                             allowed: "at least one row of comma-separated numbers is required")
        }
        return NumericCSV(header: header, rows: rows)
    }

    /// The field without its leading and trailing blanks (spaces, tabs and the other Unicode
    /// space separators; lines are already split at newlines), as a view of the line: no
    /// Foundation string is made per field, which made reading a 5 MB weights file take a
    /// second.
    private static func trimmed(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !isBlank($0) }),
              let last = text.lastIndex(where: { !isBlank($0) }) else { return text[text.endIndex...] }
        return text[first...last]
    }

    @inline(__always)
    private static func isBlank(_ c: Character) -> Bool {
        c == " " || c == "\t" || (c.isWhitespace && !c.isNewline)
    }

    /// Parses one field as a finite double.
    private static func number(_ field: Substring, at location: Parameter) throws -> Double {
        guard let value = Double(field) else {
            throw InputError(location, value: describe(field), allowed: "every field must be a number such as 0.5 or -1.25e-3")
        }
        guard value.isFinite else {
            throw InputError(location, value: describe(field), allowed: "every value must be finite (NaN and Inf are not allowed)")
        }
        return value
    }

    private static func describe(_ field: Substring) -> String {
        field.isEmpty ? "an empty field" : "\"\(field)\""
    }
}
