import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

@main
struct GradFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradflow",
        abstract: "Continuous-time momentum dynamics on over-parameterized ReLU networks, integrated with GSL.",
        version: ToolVersion.current,
        subcommands: [CompareCommand.self, SimulateCommand.self, LyapunovCommand.self, SweepCommand.self, MergeCommand.self, RegimeCommand.self, ReproduceCommand.self, BenchmarkCommand.self],
        defaultSubcommand: CompareCommand.self
    )

    /// Parses and runs the command; a library `InputError` is reported with the flag the
    /// user typed.
    static func main() {
        TemporaryFiles.installSignalHandlers()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            fail(InputNames.message(error), code: .failure)
        } catch let stop as RunStopped {
            fail(InputNames.stopMessage(stop.message), code: .failure)
        } catch {
            // Help and version requests print as ArgumentParser formats them; every error is
            // one line naming the input, without the usage text.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = GradFlowCommand.message(for: error)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") }
                .joined(separator: " ")
            fail(message, code: code)
        }
    }

    private static func fail(_ message: String, code: ExitCode) -> Never {
        FileHandle.standardError.write(Data(("Error: " + message + "\n").utf8))
        Foundation.exit(code.rawValue)
    }
}

