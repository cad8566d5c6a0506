import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run flows and discrete methods on the same problem and initialization; print and write a rate table.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated flows NAME[:key=value]...: \(FlowSpecification.allowedNames); keys b (hbf), gamma, alpha, t0 (nesterov), coefficients=b1/b2/… (higher-order) override the flags; 'none' for no flow.")
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
        if let seeds = try initializationSeeds() {
            guard problem.initSeed == nil else {
                throw ValidationError("--init-seeds: got \(initSeeds!) together with --init-seed \(problem.initSeed!); give one of them")
            }
            guard problem.weights == nil, problem.outputWeights == nil else {
                throw ValidationError("--init-seeds: got \(initSeeds!); weight files (--weights) fix W(0), so there is no initialization to vary")
            }
            _ = seeds
        }
    }

    @Option(name: .customLong("init-seeds"), parsing: .unconditional,
            help: "Comma-separated initialization seeds: every run is repeated for each on the data of --seed (each seed's files in OUTPUT/init-seed<s>/), and band.csv and band-summary.csv give the mean, min and max over the seeds.")
    var initSeeds: String?

    /// The `--init-seeds` list (distinct, in the order given), or nil.
    func initializationSeeds() throws -> [UInt64]? {
        guard let initSeeds else { return nil }
        return try SweepCommand.integers(initSeeds, option: "--init-seeds", minimum: 0).map { UInt64($0) }
    }

    func run() throws {
        try RunResume.resuming(output: output) { try execute(resume: $0) }
    }

    /// The runs of the command on one problem, planned and validated.
    private func plan(_ specification: ProblemSpecification) throws -> RunPlan {
        let built = try specification.build()
        var plan = RunPlan(command: "compare", problem: built, sampleTimes: try solverOptions.sampleTimes())
        plan.iterations = iterations
        // Monitors at the sample times only; the minimum loss and k to ε from every iterate.
        plan.discreteSampling = .nearestSampleTimes
        plan.lossLevel = epsilon
        try plan.addFlows(try flowParameters.specifications(list: flows, option: "--flows"), solverOptions: solverOptions)
        try plan.addMethods(methods.listEntries(), flowParameters: flowParameters)
        return plan
    }

    private func execute(resume: RunResume) throws {
        GSL.disableAbortOnError()
        solverOptions.applyThreads()
        let seeds = try initializationSeeds()
        // Every run of every seed is planned (and validated) before the first starts.
        var plans: [RunPlan] = []
        for seed in seeds ?? [] {
            var specification = problem.specification()
            specification.initializationSeed = seed
            plans.append(try plan(specification))
        }
        if seeds == nil { plans = [try plan(problem.specification())] }
        let outputs = OutputSet()
        var perSeed: [[RateRow]] = []
        var results: [[RunResult]] = []
        var stops: [String] = []
        var resumes: [RunResume] = []
        defer { for r in resumes { r.clear() } }
        for (k, plan) in plans.enumerated() {
            print(problemLine(plan.problem, solver: solverOptions.solver) + (seeds.map { "; init seed \($0[k])" } ?? ""))
            let directory = seeds.map { "\(output)/init-seed\($0[k])" } ?? output
            var seedResume = resume
            if seeds != nil {
                seedResume = RunResume(output: directory, arguments: Array(CommandLine.arguments.dropFirst()))
                resumes.append(seedResume)
            }
            let finished = try plan.executeAll(lambdaMin: false, prefix: { "\(directory)/\($0.name)" }, outputs: outputs, jobs: jobs,
                                               progress: progressOptions.line(), resume: seedResume)
            results.append(finished)
            perSeed.append(try finished.map { try RateRow(result: $0, problem: plan.problem, epsilon: epsilon) })
            let label = seeds.map { "init seed \($0[k]): " } ?? ""
            for result in finished {
                if let stop = result.solution.earlyStop { stops.append("\(label)\(result.run.name): \(stop.description)") }
            }
        }

        let seedLabels = seeds.map { $0.map(String.init) }
        var table = Table(header: (seeds == nil ? [] : ["init seed"])
                          + ["run", "parameters", "law", "theory rate", "linearized", "fitted rate", "fit window",
                             "ρ/iter theory", "ρ/iter fitted", "t to ε", "k to ε", "final loss", "min loss", "nfev"])
        for (k, rows) in perSeed.enumerated() {
            for row in rows { table.rows.append((seedLabels.map { [$0[k]] } ?? []) + row.cells) }
        }
        print(AlignedTextTableWriter().render(table), terminator: "")
        var legend = [
            "rates are for the loss L = ½‖Δ‖²: e^-rt laws give r per unit time, t^-r laws the power r; discrete runs use t of the time axis (GD t = kη; HB, NAG t = k√η).",
            "theory: 002 theorems for flows; for discrete runs the spectral radius ρ of the iteration on the frozen H(0), as the rate −2 ln ρ per unit time.",
            "linearized: from the characteristic roots on the frozen H(0) (Nesterov: the envelope power γ).",
            "ρ/iter: contraction of ‖[ξ_k; ξ_{k−1}]‖ per iteration, predicted (spectral radius) and fitted (e^{slope/2} of ln L against k).",
            "ε = \(NumberFormat.roundTrip(epsilon)); fit window: from 25% into the usable range to the last sample above 1e-24·L(0).",
        ]
        for row in perSeed.first ?? [] where !row.summary.theorySource.isEmpty && row.summary.predictedFactorPerIteration == nil {
            legend.append("\(row.summary.run): \(row.summary.theorySource)")
        }
        legend += (perSeed.first ?? []).compactMap(\.note)
        for line in legend { print(line) }
        var sections: [Report.Section] = [.table(table)]
        if let seeds {
            let bands = InitializationBands(seeds: seeds, results: results, rows: perSeed)
            let metadata = bandMetadata(seeds: seeds, problem: plans[0].problem)
            print("over the \(seeds.count) initialization seeds \(seedLabels!.joined(separator: ",")) (data fixed by --seed \(problem.seed)): mean [min, max]")
            print(AlignedTextTableWriter().render(bands.summaryTable), terminator: "")
            sections.append(.table(bands.summaryTable))
            legend.append("band: mean [min, max] over the initialization seeds \(seedLabels!.joined(separator: ",")), data fixed by --seed \(problem.seed); t and k to ε over the seeds that reach ε; band.csv has the loss band per run and sample, init-seed<s>/ each seed's files.")
            try outputs.add(.annotatedTable(bands.seriesTable, metadata: metadata), as: CSVTableWriter(), to: "\(output)/band.csv")
            try outputs.add(.annotatedTable(bands.summaryCSV, metadata: metadata), as: CSVTableWriter(), to: "\(output)/band-summary.csv")
        }
        sections.append(.notes(legend))
        try outputs.add(.report(Report(sections: sections)), as: MarkdownTableWriter(), to: "\(output)/rates.md")
        var csv = Table(header: (seeds == nil ? [] : ["init_seed"]) + RateRow.csvHeader)
        for (k, rows) in perSeed.enumerated() {
            for row in rows { csv.rows.append((seedLabels.map { [$0[k]] } ?? []) + row.csvCells) }
        }
        try outputs.add(.table(csv, caption: nil), as: CSVTableWriter(), to: "\(output)/rates.csv")
        try outputs.commit()
        if seeds != nil {
            print("wrote \(output)/rates.md, rates.csv, band.csv, band-summary.csv and one CSV/JSON per run in init-seed<s>/")
        } else {
            print("wrote \(output)/rates.md, \(output)/rates.csv and one CSV/JSON per run")
        }
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }

    /// The `# key=value` lines of the band files: versions, the problem, the seeds, the runs.
    private func bandMetadata(seeds: [UInt64], problem built: Problem) -> [(String, String)] {
        let s = built.specification
        var m: [(String, String)] = [("gradflow", ToolVersion.current), ("gsl", GSL.version), ("openblas", BLASThreads.configuration),
                                     ("command", "compare"), ("model", built.model.name), ("data", s.dataName ?? s.dataPath ?? "synthetic")]
        if s.dataPath == nil { m += [("samples", "\(s.samples)"), ("dimension", "\(s.dimension)"), ("labels", s.labels.rawValue)] }
        if let width = built.model.summary.width { m.append(("width", "\(width)")) }
        m += [("seed", "\(s.seed)"), ("init_seeds", seeds.map(String.init).joined(separator: ",")),
              ("flows", flows), ("methods", methods), ("epsilon", NumberFormat.roundTrip(epsilon))]
        if let iterations { m.append(("iterations", "\(iterations)")) }
        m.append(("per_seed_files", "init-seed<s>/<run>.csv|json"))
        return m
    }
}
