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
    @OptionGroup var progressOptions: ProgressOptions

    @Flag(name: .customLong("lambda-min"), help: "Add the column lambda_min = λ_min(H(t)) (an eigen-decomposition per sample).")
    var lambdaMin = false

    @Option(help: "Output prefix: writes PREFIX.csv and PREFIX.json.")
    var output: String = "out/simulate"

    @Flag(name: .customLong("print"), help: "Also print the samples as a table.")
    var printTable = false

    @Flag(name: .customLong("save-states"), help: "Also write PREFIX-states.csv: t and the state x(t) (W row-major, Δ, or w) at every sample.")
    var saveStates = false

    @Flag(name: .customLong("save-switches"), help: "Switching solvers: also write PREFIX-switches.csv, every activation switch (t, sample i, neuron r, kind).")
    var saveSwitches = false

    func validate() throws {
        try OutputName.checkPrefix(output)
    }

    func run() throws {
        GSL.disableAbortOnError()
        solverOptions.applyThreads()
        let built = try problem.specification().build()
        var plan = RunPlan(command: "simulate", problem: built, sampleTimes: try solverOptions.sampleTimes())
        try plan.addFlows([FlowEntry(specification: flowParameters.specification(kind: flow), option: "--flow")], solverOptions: solverOptions)
        let outputs = OutputSet()
        if saveSwitches, plan.runs[0].solver?.kind != .events, plan.runs[0].solver?.kind != .exactPieces,
           plan.runs[0].solver?.kind != .kinetic {
            throw CommandLineInputError(message: "--save-switches: got a run with solver \(plan.runs[0].solver?.name ?? "-"); switches are logged by the switching solvers (events, exact-pieces)")
        }
        var options = SolveOptions()
        options.recordStates = saveStates
        options.recordSwitches = saveSwitches
        let progress = progressOptions.line()
        options.progress = progress?.reporter(run: plan.runs[0].name, endTime: plan.sampleTimes.values.last ?? 0)
        let result = try plan.execute(plan.runs[0], lambdaMin: lambdaMin, prefix: output, outputs: outputs, options: options)
        progress?.finish()
        if let states = result.solution.states {
            var table = Table(header: ["t"] + (0..<built.model.dimension).map { "x\($0 + 1)" })
            for (t, x) in zip(result.solution.times, states) { table.rows.append(([t] + x).map(NumberFormat.roundTrip)) }
            try outputs.add(.table(table, caption: nil), as: CSVTableWriter(), to: output + "-states.csv")
        }
        if let log = result.solution.switchLog {
            var table = Table(header: ["t", "sample", "neuron", "kind"])
            for e in log { table.rows.append([NumberFormat.roundTrip(e.time), "\(e.sample)", "\(e.neuron)", e.kind.rawValue]) }
            try outputs.add(.table(table, caption: nil), as: CSVTableWriter(), to: output + "-switches.csv")
        }
        try outputs.commit()
        if printTable { print(try AlignedTextTableWriter().render(.samples(result.solution, metadata: [])), terminator: "") }
        print("wrote \(output).csv and \(output).json: \(result.solution.rows.count) samples, "
              + "nfev \(result.solution.statistics.evaluations), steps \(result.solution.statistics.steps), "
              + "\(NumberFormat.short(result.wallSeconds, digits: 3)) s, peak memory \(PeakMemory.description)")
        if let stop = result.solution.earlyStop { throw RunStopped(message: stop.description) }
    }
}
