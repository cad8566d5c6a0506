import ArgumentParser
import GradFlow
import GradFlowExport

@main
struct GradFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradflow",
        abstract: "Continuous-time momentum dynamics on over-parameterized ReLU networks, integrated with GSL.",
        version: ToolVersion.current,
        subcommands: [CompareCommand.self, SimulateCommand.self, LyapunovCommand.self, SweepCommand.self, RegimeCommand.self, BenchmarkCommand.self],
        defaultSubcommand: CompareCommand.self
    )

    /// Parses and runs the command; a library `InputError` is reported with the flag the
    /// user typed.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            exit(withError: CommandLineInputError(message: InputNames.message(error)))
        } catch {
            exit(withError: error)
        }
    }
}

