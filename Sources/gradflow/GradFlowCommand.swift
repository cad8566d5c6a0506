import ArgumentParser
import GradFlow

@main
struct GradFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradflow",
        abstract: "Continuous-time momentum dynamics on over-parameterized ReLU networks, integrated with GSL.",
        version: ToolVersion.current,
        subcommands: [CompareCommand.self, SimulateCommand.self, LyapunovCommand.self, SweepCommand.self, RegimeCommand.self, BenchmarkCommand.self],
        defaultSubcommand: CompareCommand.self
    )
}

enum ToolVersion {
    static let current = "0.1.0"
}
