import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Integrate one flow on the weights or the errors; write a CSV and a JSON summary.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Flow: \(FlowSpecification.allowedNames).")
    var flow: String = "hbf"

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions

    @Flag(name: .customLong("lambda-min"), help: "Add the column lambda_min = λ_min(H(t)) (an eigen-decomposition per sample).")
    var lambdaMin = false

    @Option(help: "Output prefix: writes PREFIX.csv and PREFIX.json.")
    var output: String = "out/simulate"

    @Flag(name: .customLong("print"), help: "Also print the samples as a table.")
    var printTable = false

    func run() throws {
        GSL.disableAbortOnError()
        try solverOptions.applyThreads()
        let spec = try problem.specification()
        let flowSpec = try flowParameters.specification(kind: flow)
        try solverOptions.validate(state: spec.state)
        let times = try solverOptions.sampleTimes()
        let built = try spec.build()
        let flowValue = try flowSpec.build(lambda0: built.lambda0)
        let solver = try solverOptions.makeSolver(for: flowValue, state: spec.state)
        let outcome = try RunExecution.run(problem: built, flow: flowValue, solver: solver, times: times,
                                           lambdaMin: lambdaMin, command: "simulate", outputPrefix: output)
        if printTable { print(outcome.table, terminator: "") }
        print("wrote \(outcome.csvPath) and \(outcome.jsonPath): \(outcome.trajectory.rows.count) samples, "
              + "nfev \(outcome.trajectory.statistics.evaluations), steps \(outcome.trajectory.statistics.steps), "
              + "\(NumberFormat.short(outcome.wallSeconds, digits: 3)) s")
        if let stop = outcome.trajectory.earlyStop {
            throw RunStopped(message: stop.description)
        }
    }
}

/// A run that ended early: outputs were written, the exit status is non-zero.
struct RunStopped: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
