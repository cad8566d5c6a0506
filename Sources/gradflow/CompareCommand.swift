import ArgumentParser
import Foundation
import GradFlow

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several flows on the same problem and initialization; print and write a rate table.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated flows: \(FlowSpecification.allowedNames).")
    var flows: String = "gradient-flow,hbf,nesterov"

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions

    @Option(help: "Output directory: one CSV and JSON per flow, plus rates.md and rates.csv.")
    var output: String = "out/compare"

    func run() throws {
        GSL.disableAbortOnError()
        try solverOptions.applyThreads()
        let spec = try problem.specification()
        let solver = try solverOptions.makeSolver()
        let times = try solverOptions.sampleTimes()
        let flowSpecs = try flows.split(separator: ",").map {
            try flowParameters.specification(kind: String($0).trimmingCharacters(in: .whitespaces))
        }
        let built = try spec.build()
        let frozen = built.frozenSpectrum ?? built.initialSpectrum ?? built.limitSpectrum!

        print("problem: \(spec.state.rawValue), n = \(built.field.sampleCount)"
              + (built.network.map { ", d = \($0.dimension), m = \($0.width)" } ?? "")
              + ", seed \(spec.seed); λ0 = λmin(H∞) = \(TextTable.format(built.lambda0)), κ = \(TextTable.format(built.conditionNumber))"
              + "; λmin(H(0)) = \(TextTable.format(frozen.lambdaMin)); solver \(solver.name)")
        var table = TextTable(header: ["flow", "parameters", "law", "theorem rate", "linearized rate", "fitted rate",
                                       "fit window", "final loss", "nfev", "steps", "seconds"])
        var csvRows: [String] = ["flow,law,theorem_rate,theorem_source,linearized_rate,fitted_rate,fitted_rate_se,window_start,window_end,final_loss,nfev,steps,wall_seconds"]
        var stops: [String] = []
        var sources: [String] = []
        for flowSpec in flowSpecs {
            let flow = try flowSpec.build(lambda0: built.lambda0)
            let outcome = try RunExecution.run(problem: built, flow: flow, solver: solver, times: times, lambdaMin: false,
                                               command: "compare", outputPrefix: "\(output)/\(flow.name)")
            let trajectory = outcome.trajectory
            let theorem = LinearizedRate.theoremRate(flow: flow, lambda0: built.lambda0)
            let law: RateFit.Law = flow is NesterovFlow ? .power : .exponential
            let linearized: Double? = flow is NesterovFlow
                ? LinearizedRate.nesterovLossPower(gamma: (flow as! NesterovFlow).gamma)
                : try LinearizedRate.exponentialLossRate(flow: flow, eigenvalues: frozen.eigenvalues)
            let fit = try? RateFit(times: trajectory.column("t") ?? [], losses: trajectory.column("loss") ?? [], law: law)
            let parameters = flow.parameters.map { "\($0.0)=\(TextTable.format($0.1, digits: 4))" }.joined(separator: " ")
            let window = fit.map { "[\(TextTable.format($0.window.lowerBound, digits: 4)), \(TextTable.format($0.window.upperBound, digits: 4))]" } ?? "-"
            let finalLoss = trajectory.column("loss")?.last ?? .nan
            table.rows.append([
                flow.name, parameters.isEmpty ? "-" : parameters, law == .power ? "t^-r" : "e^-rt",
                theorem.map { TextTable.format($0.rate, digits: 4) } ?? "-",
                linearized.map { TextTable.format($0, digits: 4) } ?? "-",
                fit.map { TextTable.format($0.rate, digits: 4) } ?? "-",
                window, TextTable.format(finalLoss, digits: 3),
                "\(trajectory.statistics.evaluations)", "\(trajectory.statistics.steps)",
                TextTable.format(outcome.wallSeconds, digits: 3),
            ])
            let empty = ""
            var cells: [String] = [flow.name, law.rawValue]
            cells.append(theorem.map { CSVFormat.number($0.rate) } ?? empty)
            cells.append(theorem.map { "\"\($0.source)\"" } ?? empty)
            cells.append(linearized.map(CSVFormat.number) ?? empty)
            cells.append(fit.map { CSVFormat.number($0.rate) } ?? empty)
            cells.append(fit.map { CSVFormat.number($0.standardError) } ?? empty)
            cells.append(fit.map { CSVFormat.number($0.window.lowerBound) } ?? empty)
            cells.append(fit.map { CSVFormat.number($0.window.upperBound) } ?? empty)
            cells.append(CSVFormat.number(finalLoss))
            cells.append("\(trajectory.statistics.evaluations)")
            cells.append("\(trajectory.statistics.steps)")
            cells.append(CSVFormat.number(outcome.wallSeconds))
            csvRows.append(cells.joined(separator: ","))
            if let theorem { sources.append("\(flow.name): \(theorem.source)") }
            if let stop = trajectory.earlyStop { stops.append("\(flow.name): \(stop.description)") }
        }
        let rendered = table.render()
        print(rendered, terminator: "")
        print("rates are for the loss L = ½‖Δ‖²: e^-rt laws give r per unit time, t^-r laws the power r.")
        print("linearized: from the characteristic roots on the frozen H(0) (Nesterov: the envelope power γ).")
        for s in sources { print("theorem  \(s)") }
        try AtomicFile.write(table.renderMarkdown() + "\n" + sources.map { "- \($0)" }.joined(separator: "\n") + "\n",
                             to: "\(output)/rates.md")
        try AtomicFile.write(csvRows.joined(separator: "\n") + "\n", to: "\(output)/rates.csv")
        print("wrote \(output)/rates.md, \(output)/rates.csv and one CSV/JSON per flow")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
