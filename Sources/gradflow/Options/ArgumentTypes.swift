import ArgumentParser
import GradFlow

// The enumerated options of the command line, parsed by ArgumentParser: a wrong value is
// refused with the allowed ones before any work starts.

extension FlowSpecification.Kind: ExpressibleByArgument {}
extension Stepper: ExpressibleByArgument {}
extension Dataset.LabelKind: ExpressibleByArgument {}

/// `--solver`: `auto` lets each model pick per flow (`Model.automaticSolver(for:)`).
enum SolverChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, gsl, exact, events
    case exactPieces = "exact-pieces"
    case kinetic
}

/// `--spacing` of generated sample times.
enum Spacing: String, ExpressibleByArgument, CaseIterable {
    case linear, log
}

/// `NAME[:key=value]...`, the syntax of `--model` and `--methods` entries.
struct KeyValueSyntax {
    let text: String
    let name: String
    let options: [String: String]

    /// Splits `text`; `input` names the option for messages. A key given twice is refused.
    init(_ text: String, input: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        var options: [String: String] = [:]
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                throw CommandLineInputError(message: "\(input) \(text): got \"\(part)\"; options are written key=value, separated by ':'")
            }
            guard options[kv[0]] == nil else {
                throw CommandLineInputError(message: "\(input) \(text): got \(kv[0]) twice; give each key once")
            }
            options[kv[0]] = kv[1]
        }
        self.text = text
        name = parts.first ?? ""
        self.options = options
    }
}

/// `--model NAME[:key=value]...`.
struct ModelChoice: ExpressibleByArgument {
    let name: String
    let options: [String: String]

    init?(argument: String) {
        guard let syntax = try? KeyValueSyntax(argument, input: "--model"),
              ModelCatalog.names.contains(syntax.name) else { return nil }
        name = syntax.name
        options = syntax.options
    }

    init(name: String) {
        self.name = name
        options = [:]
    }

    static var allValueStrings: [String] { ModelCatalog.names }
    var defaultValueDescription: String { name }
}

extension String {
    /// The comma-separated entries of a list option; `none` is the empty list.
    func listEntries() -> [String] {
        self == "none" ? [] : split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
    }
}

extension MethodSpecification {
    /// A `--methods` entry `NAME[:key=value]...`.
    init(commandLine text: String) throws {
        let syntax = try KeyValueSyntax(text, input: "--method")
        try self.init(name: syntax.name, options: syntax.options, text: text)
    }
}
