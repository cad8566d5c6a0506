/// How a model is built from a problem specification. A model's file makes its type conform,
/// and the command line lists the builders it offers (one line per model).
public protocol ModelBuilder {
    /// The name users select the model by (`--model NAME`).
    static var modelName: String { get }
    /// One line for the help.
    static var help: String { get }
    /// The model's own options (`--model NAME:key=value:…`), with their meaning.
    static var optionHelp: [(key: String, help: String)] { get }
    /// True when `--width` sets the model's width m (sweeps vary it); default true.
    static var readsWidth: Bool { get }
    /// Builds the model. Random draws come from `random`, seeded by the specification.
    static func build(_ specification: ProblemSpecification, random: RandomSource) throws -> any Model
}

extension ModelBuilder {
    public static var optionHelp: [(key: String, help: String)] { [] }
    public static var readsWidth: Bool { true }
}

/// A model's own options, `key=value` pairs as the user gave them, read by the model.
public struct ModelOptions: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Rejects keys the model does not take.
    public func check(model: String, allowed: [String]) throws {
        if let bad = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw InputError(.model, value: "key \"\(bad)\"",
                             allowed: allowed.isEmpty ? "\(model) takes no options" : "\(model) takes \(allowed.joined(separator: ", "))")
        }
    }

    /// A finite number, or nil when absent.
    public func number(_ key: String) throws -> Double? {
        guard let text = values[key] else { return nil }
        guard let v = Double(text), v.isFinite else {
            throw InputError(.model, value: "\(key)=\(text)", allowed: "\(key) must be a finite number")
        }
        return v
    }

    public func string(_ key: String) -> String? { values[key] }
}
