import ArgumentParser
import Foundation
import GradFlow

/// The command line's names for the library's inputs: a library `InputError` is reported
/// with the flag the user typed.
enum InputNames {
    static let flags: [String: String] = [
        Parameter.model.key: "--model", Parameter.samples.key: "--samples", Parameter.dimension.key: "--dimension",
        Parameter.labels.key: "--labels", Parameter.width.key: "--width", Parameter.seed.key: "--seed",
        Parameter.weightFiles.key: "--weights/--output-weights", "data": "--data", "kernel": "--kernel",
        "initialError": "--initial-error", Parameter.flow.key: "--flow", Parameter.friction.key: "--friction",
        Parameter.gamma.key: "--gamma", Parameter.alpha.key: "--alpha", Parameter.startTime.key: "--t0",
        Parameter.coefficients.key: "--coefficients", Parameter.solver.key: "--solver",
        Parameter.stepper.key: "--stepper", Parameter.tolerances.key: "--rtol/--atol",
        Parameter.eventTolerance.key: "--event-tolerance", Parameter.sampleTimes.key: "--times",
        Parameter.startOfTimes.key: "--t-start", Parameter.endOfTimes.key: "--t-end", Parameter.points.key: "--points",
        "method": "--method", Parameter.recipe.key: "--method recipe",
        Parameter.maxEvaluations.key: "--max-evaluations", Parameter.maxWallSeconds.key: "--max-wall",
        "output file": "--output", "output directory": "--output",
    ]

    /// The input as the user typed it: the flag, then where the value came from.
    static func name(_ parameter: Parameter) -> String {
        let flag = flags[parameter.key] ?? parameter.key
        return parameter.detail.map { "\(flag) \($0)" } ?? flag
    }

    /// A run's stop message with the flag of the limit that stopped it.
    static func stopMessage(_ message: String) -> String {
        message.replacingOccurrences(of: "the evaluation limit (", with: "the evaluation limit --max-evaluations (")
            .replacingOccurrences(of: "the wall-time limit (", with: "the wall-time limit --max-wall (")
    }

    /// The one-line message of an input error.
    static func message(_ error: InputError) -> String {
        "\(name(error.parameter)): got \(error.value); \(error.allowed)"
    }
}

/// An input error already phrased for the command line.
struct CommandLineInputError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Runs `body`, turning a library `InputError` into ArgumentParser's `ValidationError` with
/// the flag the user typed (for `validate()`).
func validating<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as InputError {
        throw ValidationError(InputNames.message(error))
    }
}

/// Checks of `--output` values.
enum OutputName {
    /// A file prefix (simulate: PREFIX.csv, PREFIX.json): its last component must be a name,
    /// not empty ("o/" would write the hidden files o/.csv and o/.json), not "." or "..", and
    /// not hidden (hidden names are reserved for the temporary files of atomic writes).
    static func checkPrefix(_ output: String) throws {
        let name = output.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix(".") else {
            throw ValidationError("--output: got \"\(output)\"; a file prefix whose last component is a name not starting with '.' (PREFIX.csv and PREFIX.json are written)")
        }
    }
}
