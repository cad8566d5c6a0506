import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run flows and discrete methods on the same problem and initialization; print and write a rate table.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated flows: \(FlowSpecification.allowedNames); 'none' for no flow.")
    var flows: String = "gradient-flow,hbf,nesterov"

    @Option(help: "Comma-separated discrete methods NAME[:key=value]... (see README); 'none' for no method.")
    var methods: String = "gd:recipe=003-gd,hb:recipe=003-hb,nag:recipe=003-nag"

    @Option(parsing: .unconditional, help: "Loss level ε for the 'time to ε' and 'iterations to ε' columns.")
    var epsilon: Double = 1e-6

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions
    @Option(parsing: .unconditional, help: "Independent runs at once, on separate cores (default: the number of cores). The files are the same for every value.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var progressOptions: ProgressOptions

    @Option(parsing: .unconditional, help: "Discrete methods: exactly K iterations each (default: the iteration whose time is nearest the last sample time).")
    var iterations: Int?

    @Option(help: "Output directory: one CSV and JSON per run, plus rates.md and rates.csv.")
    var output: String = "out/compare"

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs: got \(jobs); need at least 1") }
        if let iterations, !(0...RunPlan.iterationLimit).contains(iterations) {
            throw ValidationError("--iterations: got \(iterations); need 0 ≤ K ≤ \(RunPlan.iterationLimit)")
        }
        guard epsilon.isFinite, epsilon > 0 else { throw ValidationError("--epsilon: got \(epsilon); must be a finite number > 0") }
    }

    func run() throws {
        try RunResume.resuming(output: output) { try execute(resume: $0) }
    }

    private func execute(resume: RunResume) throws {
        GSL.disableAbortOnError()
        solverOptions.applyThreads()
        let flowSpecs = try flowParameters.specifications(list: flows, option: "--flows")
        let built = try problem.specification().build()
        var plan = RunPlan(command: "compare", problem: built, sampleTimes: try solverOptions.sampleTimes())
        plan.iterations = iterations
        // Monitors at the sample times only; the minimum loss and k to ε from every iterate.
        plan.discreteSampling = .nearestSampleTimes
        plan.lossLevel = epsilon
        try plan.addFlows(flowSpecs, solverOptions: solverOptions)
        try plan.addMethods(methods.listEntries(), flowParameters: flowParameters)
        let frozen = built.model.spectra.linearRegime
        print(problemLine(built, solver: solverOptions.solver))

        let outputs = OutputSet()
        var summaries: [RateSummary] = []
        var parameters: [String] = []
        var stops: [String] = []
        var notes: [String] = []
        let results = try plan.executeAll(lambdaMin: false, prefix: { "\(output)/\($0.name)" }, outputs: outputs, jobs: jobs,
                                          progress: progressOptions.line(), resume: resume)
        for result in results {
            let run = result.run
            switch run.dynamics {
            case .flow(let flow):
                var summary = RateSummary(run: run.name, trajectory: result.solution, law: flow.lossLaw, epsilon: epsilon)
                if let theorem = flow.theoremRate(lambda0: built.lambda0) {
                    summary.theoryRate = theorem.rate
                    summary.theorySource = theorem.source
                }
                summary.linearizedRate = try flow.linearizedLossRate(eigenvalues: frozen.eigenvalues)
                summaries.append(summary)
                parameters.append(([run.solver!.name] + flow.parameters.map { "\($0.0)=\(NumberFormat.short($0.1, digits: 4))" }).joined(separator: " "))
            case .method(let method):
                var summary = RateSummary(run: run.name, trajectory: result.solution, law: method.lossLaw, epsilon: epsilon)
                if let rho = try method.spectralRadius(eigenvalues: frozen.eigenvalues) {
                    summary.predictedFactorPerIteration = rho
                    summary.theoryRate = -2 * log(rho) / method.timePerStep
                    summary.theorySource = "spectral radius of the iteration on H(0): L ~ ρ^{2k}"
                }
                summaries.append(summary)
                parameters.append(method.parameters.map { "\($0.0)=\(NumberFormat.short($0.1, digits: 4))" }.joined(separator: " "))
                if let recipe = run.recipe { notes.append("\(run.name): recipe \(recipe.source)") }
            }
            if let stop = result.solution.earlyStop { stops.append("\(run.name): \(stop.description)") }
        }

        var table = Table(header: ["run", "parameters", "law", "theory rate", "linearized", "fitted rate", "fit window",
                                   "ρ/iter theory", "ρ/iter fitted", "t to ε", "k to ε", "final loss", "min loss", "nfev"])
        for (s, p) in zip(summaries, parameters) {
            let window = s.fit.map { "[\(NumberFormat.short($0.window.lowerBound, digits: 4)), \(NumberFormat.short($0.window.upperBound, digits: 4))]" } ?? "-"
            table.rows.append([
                s.run, p.isEmpty ? "-" : p, s.law == .power ? "t^-r" : "e^-rt",
                s.theoryRate.map { NumberFormat.short($0, digits: 4) } ?? "-",
                s.linearizedRate.map { NumberFormat.short($0, digits: 4) } ?? "-",
                s.fit.map { NumberFormat.short($0.rate, digits: 4) } ?? "-", window,
                s.predictedFactorPerIteration.map { NumberFormat.short($0, digits: 5) } ?? "-",
                s.fittedFactorPerIteration.map { NumberFormat.short($0, digits: 5) } ?? "-",
                s.timeToEpsilon.map { NumberFormat.short($0, digits: 4) } ?? "-",
                s.iterationsToEpsilon.map { "\($0)" } ?? "-",
                NumberFormat.short(s.finalLoss, digits: 3), NumberFormat.short(s.minimumLoss, digits: 3), "\(s.evaluations)",
            ])
        }
        print(AlignedTextTableWriter().render(table), terminator: "")
        var legend = [
            "rates are for the loss L = ½‖Δ‖²: e^-rt laws give r per unit time, t^-r laws the power r; discrete runs use t of the time axis (GD t = kη; HB, NAG t = k√η).",
            "theory: 002 theorems for flows; for discrete runs the spectral radius ρ of the iteration on the frozen H(0), as the rate −2 ln ρ per unit time.",
            "linearized: from the characteristic roots on the frozen H(0) (Nesterov: the envelope power γ).",
            "ρ/iter: contraction of ‖[ξ_k; ξ_{k−1}]‖ per iteration, predicted (spectral radius) and fitted (e^{slope/2} of ln L against k).",
            "ε = \(NumberFormat.roundTrip(epsilon)); fit window: from 25% into the usable range to the last sample above 1e-24·L(0).",
        ]
        for s in summaries where !s.theorySource.isEmpty && s.predictedFactorPerIteration == nil { legend.append("\(s.run): \(s.theorySource)") }
        legend += notes
        for line in legend { print(line) }
        try outputs.add(.report(Report(sections: [.table(table), .notes(legend)])), as: MarkdownTableWriter(), to: "\(output)/rates.md")
        var csv = Table(header: ["run", "law", "theory_rate", "theory_source", "linearized_rate", "fitted_rate", "fitted_rate_se",
                                 "window_start", "window_end", "rho_per_iteration_theory", "rho_per_iteration_fitted",
                                 "time_to_epsilon", "iterations_to_epsilon", "final_loss", "minimum_loss", "minimum_loss_at", "evaluations"])
        for s in summaries {
            func n(_ x: Double?) -> String { x.map(NumberFormat.roundTrip) ?? "" }
            csv.rows.append([s.run, s.law.rawValue, n(s.theoryRate), s.theorySource, n(s.linearizedRate), n(s.fit?.rate),
                             n(s.fit?.standardError), n(s.fit?.window.lowerBound), n(s.fit?.window.upperBound),
                             n(s.predictedFactorPerIteration), n(s.fittedFactorPerIteration), n(s.timeToEpsilon),
                             s.iterationsToEpsilon.map { "\($0)" } ?? "", NumberFormat.roundTrip(s.finalLoss),
                             NumberFormat.roundTrip(s.minimumLoss), NumberFormat.roundTrip(s.minimumLossAt), "\(s.evaluations)"])
        }
        try outputs.add(.table(csv, caption: nil), as: CSVTableWriter(), to: "\(output)/rates.csv")
        try outputs.commit()
        print("wrote \(output)/rates.md, \(output)/rates.csv and one CSV/JSON per run")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
