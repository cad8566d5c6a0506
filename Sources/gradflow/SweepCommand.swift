import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

/// `--shard i/N`: the i-th of N parts of a sweep's points (point p goes to shard p mod N + 1).
struct Shard: ExpressibleByArgument, Equatable {
    let index: Int
    let count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
        index = i
        count = n
    }

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    func contains(point p: Int) -> Bool { p % count == index - 1 }
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Width × seed sweep of flows and methods: which theorem checks hold at each width, with the weight distance and pattern-change ratio. Shards for clusters; resumes from its manifest.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated widths m (default 64,256,1024,4096,16384; one point for models without a width: quadratic, deep-linear).")
    var widths: String?

    static let defaultWidths = "64,256,1024,4096,16384"
    /// The widths as given, or the default list.
    private var widthsText: String { widths ?? Self.defaultWidths }

    @Option(help: "Comma-separated seeds (default: --seed). Each seed draws its own data and W(0).")
    var seeds: String?

    @Option(name: .customLong("init-seeds"), parsing: .unconditional,
            help: "Comma-separated initialization seeds: each point is repeated for each on the same data (that of its seed), and band.csv and band-summary.csv give the mean, min and max over them.")
    var initSeeds: String?

    @Option(name: [.customLong("flows"), .customLong("flow")], help: "Comma-separated flows NAME[:key=value]... as in compare (a list of parameters: nesterov:gamma=3,nesterov:gamma=7): \(FlowSpecification.allowedNames); 'none' for none.")
    var flows: String = "hbf"

    @Option(help: "Comma-separated discrete methods NAME[:key=value]... as in compare (default none).")
    var methods: String = "none"

    @Option(parsing: .unconditional, help: "Discrete methods: exactly K iterations each (default: the iteration whose time is nearest the last sample time).")
    var iterations: Int?

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions

    @Option(name: .customLong("lazy-c"), help: "c of R = cδλ0/n².") var lazyC: Double = 1
    @Option(name: .customLong("lazy-delta"), help: "δ of R = cδλ0/n².") var lazyDelta: Double = 0.1

    @Flag(help: "Only write the plan (sweep-manifest/plan.json) and list the points; run nothing.")
    var plan = false

    @Option(help: "Run only shard i of N (i/N); then `gradflow merge` joins the shards.")
    var shard: Shard?

    @Option(help: "Output directory: one CSV/JSON per point, sweep.md, sweep.csv, checks.csv, and the manifest sweep-manifest/.")
    var output: String = "out/sweep"

    @Option(parsing: .unconditional, help: "Points at once, on separate cores (default: the number of cores). The files are the same for every value.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs: got \(jobs); need at least 1") }
        if let iterations, !(0...RunPlan.iterationLimit).contains(iterations) {
            throw ValidationError("--iterations: got \(iterations); need 0 ≤ K ≤ \(RunPlan.iterationLimit)")
        }
        guard problem.weights == nil, problem.outputWeights == nil else {
            throw ValidationError("--weights: got a weight file; a width sweep draws W(0) at each width, so it takes no weight files")
        }
        guard lazyC.isFinite, lazyC > 0 else { throw ValidationError("--lazy-c: got \(lazyC); must be finite and > 0") }
        guard lazyDelta.isFinite, lazyDelta > 0, lazyDelta < 1 else {
            throw ValidationError("--lazy-delta: got \(lazyDelta); the failure probability δ must lie in (0, 1)")
        }
        _ = try Self.integers(widthsText, option: "--widths", minimum: 1)
        _ = try seedList()
        if try initializationSeeds() != nil, let initSeed = problem.initSeed {
            throw ValidationError("--init-seeds: got \(initSeeds!) together with --init-seed \(initSeed); give one of them")
        }
        guard !(plan && shard != nil) else { throw ValidationError("--plan: got --shard too; --plan only writes the plan") }
    }

    /// Distinct integers ≥ `minimum`, in the order given.
    static func integers(_ text: String, option: String, minimum: Int) throws -> [Int] {
        var seen = Set<Int>()
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { part -> Int in
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)), v >= minimum else {
                throw ValidationError("\(option): got \"\(part)\"; integers ≥ \(minimum), comma separated")
            }
            guard seen.insert(v).inserted else { throw ValidationError("\(option): got \(v) twice; give each value once") }
            return v
        }
    }

    /// The `--init-seeds` list (distinct, in the order given), or nil.
    private func initializationSeeds() throws -> [UInt64]? {
        guard let initSeeds else { return nil }
        return try Self.integers(initSeeds, option: "--init-seeds", minimum: 0).map { UInt64($0) }
    }

    private func seedList() throws -> [UInt64] {
        guard let seeds else { return [problem.seed] }
        return try Self.integers(seeds, option: "--seeds", minimum: 0).map { UInt64($0) }
    }

    /// Everything that determines the points' results: shards of one sweep must agree on it.
    private func configuration() -> [String: String] {
        let s = problem.specification()
        let f = flowParameters
        var configuration: [String: String] = [
            "model": s.model, "model_options": s.modelOptions.values.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: ":"),
            "samples": "\(s.samples)", "dimension": "\(s.dimension)", "labels": s.labels.rawValue,
            "data": s.dataName ?? s.dataPath ?? "synthetic", "widths": widthsText, "seeds": (try? seedList().map(String.init).joined(separator: ",")) ?? "",
            "flows": flows, "methods": methods,
            "friction": f.friction.map(NumberFormat.roundTrip) ?? "default", "gamma": NumberFormat.roundTrip(f.gamma),
            "alpha": f.alpha.map(NumberFormat.roundTrip) ?? "default", "t0": NumberFormat.roundTrip(f.t0),
            "coefficients": f.coefficients ?? "",
            "solver": solverOptions.solver.rawValue, "stepper": solverOptions.stepper.rawValue,
            "rtol": NumberFormat.roundTrip(solverOptions.rtol), "atol": NumberFormat.roundTrip(solverOptions.atol),
            "event_tolerance": NumberFormat.roundTrip(solverOptions.eventTolerance),
            "times": (try? solverOptions.sampleTimes().values.map(NumberFormat.roundTrip).joined(separator: ",")) ?? "",
            "lazy_c": NumberFormat.roundTrip(lazyC), "lazy_delta": NumberFormat.roundTrip(lazyDelta),
        ]
        // Only when given, so that plans written before the option existed still match.
        if let iterations { configuration["iterations"] = "\(iterations)" }
        if let initSeeds { configuration["init_seeds"] = initSeeds }
        return configuration
    }

    func run() throws {
        GSL.disableAbortOnError()
        solverOptions.applyThreads()
        let times = try solverOptions.sampleTimes()
        var widthList = try Self.integers(widthsText, option: "--widths", minimum: 1)
        let seedValues = try seedList()
        let flowSpecs = try flowParameters.specifications(list: flows, option: "--flows")
        let methodTexts = methods.listEntries()
        guard !flowSpecs.isEmpty || !methodTexts.isEmpty else {
            throw ValidationError("--flows: got none and no --methods; give at least one flow or method")
        }
        // Every width must fit in memory, and every run is planned and validated on the first
        // point's problem, before anything runs.
        var spec = problem.specification()
        if spec.dataPath == nil {
            do {
                try MemoryEstimate.checkNetwork(samples: spec.samples, dimension: spec.dimension, width: widthList.max())
            } catch let error as InputError where error.parameter == .width {
                throw ValidationError("--widths: got \(error.value); \(error.allowed)")
            }
        }
        spec.width = widthList[0]
        spec.seed = seedValues[0]
        var probe = RunPlan(command: "sweep", problem: try spec.build(), sampleTimes: times)
        probe.iterations = iterations
        try probe.addFlows(flowSpecs, solverOptions: solverOptions, theoremEnergy: true)
        try probe.addMethods(methodTexts, flowParameters: flowParameters)
        let readsWidth = ModelCatalog.builders.first { $0.modelName == spec.model }?.readsWidth ?? true
        if !readsWidth || probe.problem.model.summary.width == nil {
            // The width does not enter the model (or an error model read from files): one
            // point per seed and run.
            guard widths == nil || widthList.count == 1 else {
                throw ValidationError("--widths: got \(widthsText); --width does not set the \(probe.problem.model.name) model's width: give at most one width and sweep --seeds")
            }
            widthList = [widthList[0]]
        }
        let runNames = probe.runs.map(\.name)
        let initValues = try initializationSeeds()
        let labelled = seedValues.count > 1 || runNames.count > 1 || initValues != nil
        var points: [SweepPoint] = []
        for m in widthList {
            for seed in seedValues {
                for (k, name) in runNames.enumerated() {
                    for initSeed in initValues.map({ $0.map(Optional.some) }) ?? [nil] {
                        let id = "m\(m)" + (seedValues.count > 1 ? "-seed\(seed)" : "") + (initSeed.map { "-init\($0)" } ?? "")
                            + (runNames.count > 1 ? "-\(name)" : "")
                        points.append(SweepPoint(id: id, width: m, seed: seed, run: name, runIndex: k, initSeed: initSeed))
                    }
                }
            }
        }
        let manifest = SweepManifest(directory: output)
        var planned = SweepPlan(configuration: configuration(), labelled: labelled, points: points)
        planned.initializationSeeds = initValues
        try manifest.record(planned)
        if plan {
            print("planned \(points.count) points in \(manifest.planPath):")
            for (p, point) in points.enumerated() { print("  \(p + 1). \(point.id)") }
            return
        }
        let mine = shard ?? Shard(index: 1, count: 1)
        var pending: [SweepPoint] = []
        var skipped = 0
        for (p, point) in points.enumerated() where mine.contains(point: p) {
            if manifest.isDone(point) {
                skipped += 1
                print("skipped \(point.id) (done)")
            } else {
                pending.append(point)
            }
        }
        let baseSpecification = spec
        let progress = progressOptions.line()
        let stops = try SweepWorkers(points: pending, workers: min(jobs, max(pending.count, 1))).run { point in
            var spec = baseSpecification
            spec.width = point.width
            spec.seed = point.seed
            spec.initializationSeed = point.initSeed ?? spec.initializationSeed
            var plan = RunPlan(command: "sweep", problem: try spec.build(), sampleTimes: times)
            plan.iterations = iterations
            try plan.addFlows(flowSpecs, solverOptions: solverOptions, theoremEnergy: true)
            try plan.addMethods(methodTexts, flowParameters: flowParameters)
            let result = try evaluate(plan: plan, run: plan.runs[point.runIndex], point: point, labelled: labelled)
            try manifest.markDone(result)
            progress?.runFinished(point.id, of: pending.count)
            return result.stop.map { "\(point.id): \($0)" }
        }
        progress?.finish()
        let computed = pending.count
        if shard != nil {
            print("shard \(mine.index)/\(mine.count): computed \(computed), skipped \(skipped) (done earlier); when every shard is done: gradflow merge --output \(output)")
        } else {
            try SweepMerge.merge(manifest: manifest, flowLine: "flows \(flows), methods \(methods), n = \(spec.samples), d = \(spec.dimension), seeds \(seedValues.map(String.init).joined(separator: ","))\(initValues.map { ", initialization seeds " + $0.map(String.init).joined(separator: ",") } ?? ""), solver \(solverOptions.solver.rawValue)")
        }
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }

    /// Runs one point, writes its CSV and JSON, and returns its table rows.
    private func evaluate(plan: RunPlan, run: PlannedRun, point: SweepPoint, labelled: Bool) throws -> SweepPointResult {
        let outputs = OutputSet()
        let result = try plan.execute(run, lambdaMin: true, prefix: "\(output)/\(point.id)", outputs: outputs)
        try outputs.commit()
        var trajectory = result.solution
        var verdicts: [CheckVerdict] = []
        let eigenvalues = plan.problem.model.spectra.linearRegime.eigenvalues
        switch run.dynamics {
        case .flow(let flow):
            verdicts = TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: plan.problem.lambda0,
                                              sampleCount: plan.problem.model.sampleCount, width: plan.problem.model.reluNetwork?.width,
                                              radiusConstant: lazyC, failureProbability: lazyDelta)
        case .method(let method):
            trajectory = DiscreteChecks.addingResidualPairRatio(to: trajectory)
            var checks = try DiscreteChecks.checks(method: method, eigenvalues: eigenvalues, iterations: max(trajectory.rows.count - 1, 0))
            if let loss0 = trajectory[.loss]?.first { checks += try method.lossBounds(eigenvalues: eigenvalues, initialLoss: loss0) }
            verdicts = checks.compactMap { $0.evaluate(trajectory) }
        }
        let failed = verdicts.filter { !$0.held }
        let applicable = verdicts.filter(\.isApplicable).count
        let lead = labelled ? ["\(point.width)", "\(point.seed)"] + (point.initSeed.map { ["\($0)"] } ?? []) + [point.run] : ["\(point.width)"]
        let row = lead + [
            "\(applicable - failed.count)/\(applicable)",
            failed.isEmpty ? "-" : failed.map { String($0.name.prefix(while: { $0 != "=" && $0 != "," })).trimmingCharacters(in: .whitespaces) }.joined(separator: "; "),
            NumberFormat.short(trajectory[.maxWeightDistance]?.max() ?? .nan, digits: 4),
            NumberFormat.short(trajectory[.patternChangeRatio]?.max() ?? .nan, digits: 4),
            NumberFormat.short(trajectory[.lambdaMin]?.min() ?? .nan, digits: 4),
            NumberFormat.short(trajectory[.loss]?.last ?? .nan, digits: 4),
        ]
        var pointResult = SweepPointResult(id: point.id, row: row, detail: verdicts.map { lead + [$0.name, $0.summary] },
                                           stop: trajectory.earlyStop?.description)
        if point.initSeed != nil {
            // The samples a band over initialization seeds needs (merged from the manifest).
            pointResult.series = SweepPointSeries(time: trajectory[.time] ?? [], iteration: trajectory[.iteration], loss: trajectory[.loss] ?? [],
                                             maxWeightDistance: trajectory[.maxWeightDistance]?.max())
        }
        return pointResult
    }
}

/// `gradflow merge`: joins the points of a sharded sweep into the files a single-process
/// sweep writes.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of a sweep (its sweep-manifest/) into sweep.md, sweep.csv and checks.csv.")

    @Option(help: "The sweep's output directory.")
    var output: String = "out/sweep"

    func run() throws {
        try SweepMerge.merge(manifest: SweepManifest(directory: output), flowLine: nil)
    }
}

/// Runs a sweep's points on several threads; each point is independent (its own problem and
/// files). Returns the stop messages in point order; rethrows the first error in point order.
private final class SweepWorkers: @unchecked Sendable {
    let points: [SweepPoint]
    let workers: Int
    private let lock = NSLock()
    private var stops: [Int: String] = [:]
    private var errors: [Int: Error] = [:]

    init(points: [SweepPoint], workers: Int) {
        self.points = points
        self.workers = workers
    }

    func run(_ body: @escaping (SweepPoint) throws -> String?) throws -> [String] {
        let work = { [self] (w: Int) in
            for k in stride(from: w, to: points.count, by: workers) {
                do {
                    if let stop = try body(points[k]) { lock.withLock { stops[k] = stop } }
                } catch {
                    lock.withLock { errors[k] = error }
                    return
                }
            }
        }
        if workers <= 1 {
            work(0)
        } else {
            nonisolated(unsafe) let shared = work
            DispatchQueue.concurrentPerform(iterations: workers) { shared($0) }
        }
        if let first = errors.keys.min() { throw errors[first]! }
        return stops.keys.sorted().map { stops[$0]! }
    }
}
