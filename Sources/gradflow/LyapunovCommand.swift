import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct LyapunovCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lyapunov",
        abstract: "Lyapunov decay tables and theorem checks (Markdown, CSV, LaTeX) for one or more flows.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated flows NAME[:key=value]... as in compare: \(FlowSpecification.allowedNames).")
    var flows: String = "gradient-flow,hbf,nesterov"

    @Option(help: "Comma-separated discrete methods NAME[:key=value]... as in compare (default none).")
    var methods: String = "none"

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions
    @Option(parsing: .unconditional, help: "Independent runs at once, on separate cores (default: the number of cores). The files are the same for every value.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var progressOptions: ProgressOptions

    @Option(parsing: .unconditional, help: "Discrete methods: exactly K iterations each (default: the iteration whose time is nearest the last sample time).")
    var iterations: Int?

    @Option(name: .customLong("table-times"), parsing: .unconditional,
            help: "Times of the decay table rows, comma separated (default: 7 evenly spaced from --t-start to --t-end).")
    var tableTimes: String?

    @Option(name: .customLong("lazy-c"), parsing: .unconditional, help: "c of R = cδλ0/n² (002 Lemma 3.2 leaves it unspecified).")
    var lazyC: Double = 1

    @Option(name: .customLong("lazy-delta"), parsing: .unconditional, help: "δ of R = cδλ0/n².")
    var lazyDelta: Double = 0.1

    @Option(help: "Output directory: decay.md, decay.csv, decay.tex, checks.csv, and one CSV/JSON per run.")
    var output: String = "out/lyapunov"

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs: got \(jobs); need at least 1") }
        if let iterations, !(0...RunPlan.iterationLimit).contains(iterations) {
            throw ValidationError("--iterations: got \(iterations); need 0 ≤ K ≤ \(RunPlan.iterationLimit)")
        }
        guard lazyC.isFinite, lazyC > 0 else { throw ValidationError("--lazy-c: got \(lazyC); must be finite and > 0") }
        guard lazyDelta.isFinite, lazyDelta > 0, lazyDelta < 1 else {
            throw ValidationError("--lazy-delta: got \(lazyDelta); the failure probability δ must lie in (0, 1)")
        }
        _ = try rowTimes(first: 0, last: 1)
    }

    /// The decay table's times: the list given, or 7 evenly spaced over the sample range.
    private func rowTimes(first: Double, last: Double) throws -> [Double] {
        // The last row is `last` itself: (last − first)·6/6 can round above it (0.4 → 0.4000000000000001).
        guard let text = tableTimes else { return (0..<7).map { $0 == 6 ? last : first + (last - first) * Double($0) / 6 } }
        let values = try text.split(separator: ",", omittingEmptySubsequences: false).map {
            guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--table-times: got \"\($0)\"; a comma-separated list of numbers")
            }
            return v
        }
        do {
            return try SampleTimes(list: values).values
        } catch let error as InputError {
            throw ValidationError("--table-times: got \(error.value); \(error.allowed)")
        }
    }

    func run() throws {
        try RunResume.resuming(output: output) { try execute(resume: $0) }
    }

    private func execute(resume: RunResume) throws {
        GSL.disableAbortOnError()
        solverOptions.applyThreads()
        let grid = try solverOptions.sampleTimes()
        let flowSpecs = try flowParameters.specifications(list: flows, option: "--flows")
        let built = try problem.specification().build()
        let lambda0 = built.lambda0
        let first = grid.values.first!, last = grid.values.last!
        let rows = try rowTimes(first: first, last: last)
        if let beyond = rows.first(where: { $0 > last }) {
            throw ValidationError("--table-times: got \(beyond); table times must lie within the sample range [\(first), \(last)] (raise --t-end)")
        }
        let times = try SampleTimes(list: Array(Set(grid.values + rows)).sorted())
        var plan = RunPlan(command: "lyapunov", problem: built, sampleTimes: times)
        plan.iterations = iterations
        // Theorem 2's energy uses α = √(λ0/2) whatever b is, so that a b below √(2λ0) shows up.
        try plan.addFlows(flowSpecs, solverOptions: solverOptions, theoremEnergy: true)
        try plan.addMethods(methods.listEntries(), flowParameters: flowParameters)
        let spectra = built.model.spectra
        let frozenKernel = built.model.affineGradient?.kernel
        let summary = built.model.summary

        let outputs = OutputSet()
        var decay = DecayTable()
        var rates = Table(header: ["run", "energy law", "fitted rate", "theory rate", "theory source"])
        var checks = Table(header: ["run", "check", "source", "verdict"])
        var stops: [String] = []
        let results = try plan.executeAll(lambdaMin: true, prefix: { "\(output)/\($0.name)" }, outputs: outputs, jobs: jobs,
                                          progress: progressOptions.line(), resume: resume)
        for result in results {
            let run = result.run
            switch run.dynamics {
            case .flow(let flow):
                let trajectory = result.solution
                if let stop = trajectory.earlyStop { stops.append("\(run.name): \(stop.description)") }
                guard !trajectory.rows.isEmpty else { continue }
                let energy = try flow.energyDecay(lambda0: lambda0, frozenKernel: frozenKernel,
                                                  initialEigenvalues: spectra.linearRegime.eigenvalues)
                decay.add(run: run.name, trajectory: trajectory, times: rows, energyBound: energy.bound)
                let fit = try? RateFit(times: trajectory[.time] ?? [], losses: trajectory[energy.fitted] ?? [], law: energy.law)
                rates.rows.append([run.name, (energy.law == .power ? "L ~ t^-r" : "V ~ e^-rt"),
                                   fit.map { NumberFormat.short($0.rate, digits: 4) } ?? "-",
                                   energy.theory.map { NumberFormat.short($0.rate, digits: 4) } ?? "-",
                                   energy.theory?.source ?? "none in 002"])
                for verdict in TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: lambda0,
                                                      sampleCount: summary.samples, width: built.model.reluNetwork?.width,
                                                      radiusConstant: lazyC, failureProbability: lazyDelta) {
                    checks.rows.append([run.name, verdict.name, verdict.source, verdict.summary])
                }
                if let v0 = DecayTable.referenceEnergy(trajectory)?.value {
                    for check in energy.energyChecks(v0) {
                        if let verdict = check.evaluate(trajectory) {
                            checks.rows.append([run.name, verdict.name, verdict.source, verdict.summary])
                        }
                    }
                }
            case .method(let method):
                let trajectory = DiscreteChecks.addingResidualPairRatio(to: result.solution)
                if let stop = trajectory.earlyStop { stops.append("\(run.name): \(stop.description)") }
                guard !trajectory.rows.isEmpty else { continue }
                let eigenvalues = spectra.linearRegime.eigenvalues
                let tau = method.timePerStep
                let rowIterations = rows.map { Int(($0 / tau).rounded()) }
                let iterations = trajectory.rows.count - 1
                let residualChecks = try DiscreteChecks.checks(method: method, eigenvalues: eigenvalues, iterations: iterations)
                let rho = try method.spectralRadius(eigenvalues: eigenvalues)
                if let main = residualChecks.first {
                    decay.add(run: run.name, trajectory: trajectory, times: [], iterations: rowIterations,
                              energyColumn: .residualPairRatio, boundInIterations: true, energyBound: main.bound)
                } else if let rho {
                    decay.add(run: run.name, trajectory: trajectory, times: [], iterations: rowIterations,
                              energyColumn: .loss, boundInIterations: true, energyBound: { k in pow(rho, 2 * k) })
                } else {
                    decay.add(run: run.name, trajectory: trajectory, times: [], iterations: rowIterations, energyBound: nil)
                }
                var methodChecks = residualChecks
                if let loss0 = trajectory[.loss]?.first {
                    methodChecks += try method.lossBounds(eigenvalues: eigenvalues, initialLoss: loss0)
                }
                let rate = try? RateFit(times: trajectory[.iteration] ?? [], losses: trajectory[.loss] ?? [], law: .exponential)
                rates.rows.append([run.name, "L ~ e^-rk", rate.map { NumberFormat.short($0.rate, digits: 4) } ?? "-",
                                   rho.map { NumberFormat.short(-2 * log($0), digits: 4) } ?? "-",
                                   rho == nil ? "none" : "−2 ln ρ, ρ = spectral radius on H(0), per iteration"])
                for check in methodChecks {
                    if let verdict = check.evaluate(trajectory) {
                        checks.rows.append([run.name, verdict.name, verdict.source, verdict.summary.replacingOccurrences(of: "t = ", with: "k = ")])
                    }
                }
            }
        }
        let header = "λ0 = \(NumberFormat.short(lambda0)); seed \(built.specification.seed); solver \(solverOptions.solver.rawValue)"
        let decayTable = decay.textTable
        print(header)
        let text = AlignedTextTableWriter()
        print(text.render(decayTable), terminator: "")
        print("")
        print(text.render(rates), terminator: "")
        print("")
        print(text.render(checks), terminator: "")
        try outputs.add(.report(Report(caption: header, sections: [.table(decayTable), .table(rates), .table(checks)])),
                        as: MarkdownTableWriter(), to: "\(output)/decay.md")
        try outputs.add(.table(decayTable, caption: nil), as: CSVTableWriter(), to: "\(output)/decay.csv")
        try outputs.add(.report(Report(caption: header, sections: [.table(decayTable), .table(rates)])),
                        as: LaTeXTableWriter(), to: "\(output)/decay.tex")
        try outputs.add(.table(checks, caption: nil), as: CSVTableWriter(), to: "\(output)/checks.csv")
        try outputs.commit()
        print("wrote \(output)/decay.md, decay.csv, decay.tex, checks.csv and one CSV/JSON per run")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
