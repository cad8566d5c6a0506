import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Integrate one flow on a model; write a CSV and a JSON summary.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Flow: \(FlowSpecification.allowedNames).")
    var flow: FlowSpecification.Kind = .heavyBall

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
        solverOptions.applyThreads()
        let built = try problem.specification().build()
        var plan = RunPlan(command: "simulate", problem: built, sampleTimes: try solverOptions.sampleTimes())
        try plan.addFlows([flowParameters.specification(kind: flow)], solverOptions: solverOptions)
        let outputs = OutputSet()
        let result = try plan.execute(plan.runs[0], lambdaMin: lambdaMin, prefix: output, outputs: outputs)
        try outputs.commit()
        if printTable { print(try AlignedTextTableWriter().render(.samples(result.solution, metadata: [])), terminator: "") }
        print("wrote \(output).csv and \(output).json: \(result.solution.rows.count) samples, "
              + "nfev \(result.solution.statistics.evaluations), steps \(result.solution.statistics.steps), "
              + "\(NumberFormat.short(result.wallSeconds, digits: 3)) s")
        if let stop = result.solution.earlyStop { throw RunStopped(message: stop.description) }
    }
}
