import Foundation

/// A table of text cells: a header and rows. Analyses build tables; the writers of
/// GradFlowExport render them as aligned text, Markdown, LaTeX or CSV.
public struct Table: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }
}

/// How numbers are written in tables and outputs, so that the same values always print
/// the same way.
public enum NumberFormat {
    /// `x` with `digits` significant digits in %g style.
    public static func short(_ x: Double, digits: Int = 6) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(format: "%.\(digits)g", x)
    }

    /// Swift's shortest representation that reads back to the same double; `nan`, `inf`.
    public static func roundTrip(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }
}

/// Tables and notes that make one document (a decay table with its summary and checks; a
/// rate table with its legend). `caption` heads the document.
public struct Report: Sendable, Equatable {
    public enum Section: Sendable, Equatable {
        case table(Table)
        /// One line each.
        case notes([String])
    }

    public var caption: String?
    public var sections: [Section]

    public init(caption: String? = nil, sections: [Section]) {
        self.caption = caption
        self.sections = sections
    }
}
