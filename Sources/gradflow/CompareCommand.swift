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

    @Option(help: "Output directory: one CSV and JSON per run, plus rates.md and rates.csv.")
    var output: String = "out/compare"

    func run() throws {
        GSL.disableAbortOnError()
        try solverOptions.applyThreads()
        guard epsilon.isFinite, epsilon > 0 else {
            throw InputError("--epsilon", value: "\(epsilon)", allowed: "must be a finite number > 0")
        }
        let spec = try problem.specification()
        try solverOptions.validate(state: spec.state)
        let times = try solverOptions.sampleTimes()
        let flowSpecs = flows == "none" ? [] : try flowParameters.specifications(list: flows)
        let methodSpecs = methods == "none" ? [] : try methods.split(separator: ",").map { try MethodSpecification(parsing: String($0)) }
        let built = try spec.build()
        let frozen = built.frozenSpectrum ?? built.initialSpectrum ?? built.limitSpectrum!
        print("problem: \(spec.state.rawValue), n = \(built.field.sampleCount)"
              + (built.network.map { ", d = \($0.dimension), m = \($0.width)" } ?? "")
              + ", seed \(spec.seed); λ0 = λmin(H∞) = \(NumberFormat.short(built.lambda0)), κ = \(NumberFormat.short(built.conditionNumber))"
              + "; λmin(H(0)) = \(NumberFormat.short(frozen.lambdaMin)), λmax(H(0)) = \(NumberFormat.short(frozen.lambdaMax)); solver \(solverOptions.solver)")

        var summaries: [RateSummary] = []
        var parameters: [String] = []
        var stops: [String] = []
        var notes: [String] = []
        for flowSpec in flowSpecs {
            let flow = try flowSpec.build(lambda0: built.lambda0)
            let solver = try solverOptions.makeSolver(for: flow, state: spec.state)
            let outcome = try RunExecution.run(problem: built, flow: flow, solver: solver, times: times, lambdaMin: false,
                                               command: "compare", outputPrefix: "\(output)/\(flow.name)")
            var summary = RateSummary(run: flow.name, trajectory: outcome.trajectory,
                                      law: flow is NesterovFlow ? .power : .exponential, epsilon: epsilon)
            if let theorem = LinearizedRate.theoremRate(flow: flow, lambda0: built.lambda0) {
                summary.theoryRate = theorem.rate
                summary.theorySource = theorem.source
            }
            summary.linearizedRate = flow is NesterovFlow
                ? LinearizedRate.nesterovLossPower(gamma: (flow as! NesterovFlow).gamma)
                : try LinearizedRate.exponentialLossRate(flow: flow, eigenvalues: frozen.eigenvalues)
            summaries.append(summary)
            parameters.append(([solver.name] + flow.parameters.map { "\($0.0)=\(NumberFormat.short($0.1, digits: 4))" }).joined(separator: " "))
            if let stop = outcome.trajectory.earlyStop { stops.append("\(flow.name): \(stop.description)") }
        }
        var usedNames: [String: Int] = [:]
        for methodSpec in methodSpecs {
            let (method, recipe) = try methodSpec.build(problem: built, flowParameters: FlowSpecification(kind: .heavyBall))
            let count = usedNames[method.name, default: 0]
            usedNames[method.name] = count + 1
            let runName = count == 0 ? method.name : "\(method.name)-\(count + 1)"
            let outcome = try RunExecution.run(problem: built, method: method, recipe: recipe, endTime: times.values.last!,
                                               lambdaMin: false, command: "compare", outputPrefix: "\(output)/\(runName)")
            var summary = RateSummary(run: runName, trajectory: outcome.trajectory,
                                      law: method is NesterovIncreasingMomentum ? .power : .exponential, epsilon: epsilon)
            if let rho = try LinearizedRate.spectralRadius(method: method, eigenvalues: frozen.eigenvalues) {
                summary.predictedFactorPerIteration = rho
                summary.theoryRate = -2 * log(rho) / method.timePerStep
                summary.theorySource = "spectral radius of the iteration on H(0): L ~ ρ^{2k}"
            }
            summaries.append(summary)
            parameters.append(method.parameters.map { "\($0.0)=\(NumberFormat.short($0.1, digits: 4))" }.joined(separator: " "))
            if let recipe { notes.append("\(runName): recipe \(recipe.source)") }
            if let stop = outcome.trajectory.earlyStop { stops.append("\(runName): \(stop.description)") }
        }

        var table = Table(header: ["run", "parameters", "law", "theory rate", "linearized", "fitted rate", "fit window",
                                       "ρ/iter theory", "ρ/iter fitted", "t to ε", "k to ε", "final loss", "nfev"])
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
                NumberFormat.short(s.finalLoss, digits: 3), "\(s.evaluations)",
            ])
        }
        print(table.render(), terminator: "")
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
        try AtomicFile.write(table.renderMarkdown() + "\n" + legend.map { "- \($0)" }.joined(separator: "\n") + "\n",
                             to: "\(output)/rates.md")
        var csv = Table(header: ["run", "law", "theory_rate", "theory_source", "linearized_rate", "fitted_rate", "fitted_rate_se",
                                     "window_start", "window_end", "rho_per_iteration_theory", "rho_per_iteration_fitted",
                                     "time_to_epsilon", "iterations_to_epsilon", "final_loss", "evaluations"])
        for s in summaries {
            func n(_ x: Double?) -> String { x.map(NumberFormat.roundTrip) ?? "" }
            csv.rows.append([s.run, s.law.rawValue, n(s.theoryRate), s.theorySource, n(s.linearizedRate), n(s.fit?.rate),
                             n(s.fit?.standardError), n(s.fit?.window.lowerBound), n(s.fit?.window.upperBound),
                             n(s.predictedFactorPerIteration), n(s.fittedFactorPerIteration), n(s.timeToEpsilon),
                             s.iterationsToEpsilon.map { "\($0)" } ?? "", NumberFormat.roundTrip(s.finalLoss), "\(s.evaluations)"])
        }
        try AtomicFile.write(csv.renderCSV(), to: "\(output)/rates.csv")
        print("wrote \(output)/rates.md, \(output)/rates.csv and one CSV/JSON per run")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
