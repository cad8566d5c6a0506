import Foundation
import GradFlow
import GradFlowExport

/// One run of a command, built and validated before any run starts.
struct PlannedRun {
    /// The name of its files and table rows.
    var name: String
    var dynamics: Dynamics
    /// Continuous runs' solver.
    var solver: Solver?
    /// Where a method's η and β came from.
    var recipe: RecipeParameters?
}

/// A finished run: its solution, JSON record and wall time.
struct RunResult {
    var run: PlannedRun
    var solution: Solution
    var record: RunRecord
    var wallSeconds: Double
}

/// Plans, runs and stages the outputs of a command's runs. Commands only describe their
/// runs and tables; files are written by `OutputSet` at the end.
struct RunPlan {
    let command: String
    let problem: Problem
    let sampleTimes: SampleTimes
    var runs: [PlannedRun] = []
    /// Discrete runs: exactly this many iterations (default: to the last sample time).
    var iterations: Int?
    /// The largest `--iterations`: every iteration is sampled, so K bounds the rows kept.
    static let iterationLimit = 10_000_000
    /// Every run's work limits (`--max-evaluations`, `--max-wall`), taken from the solver
    /// options by `addFlows`.
    var limits = WorkLimits.standard
    /// Discrete runs: which iterations carry monitors (default every one; `compare` samples at
    /// the sample times and takes the minimum loss and ε crossing from every iterate).
    var discreteSampling = DiscreteSampling.everyIteration
    /// Discrete runs: the ε whose first crossing is recorded over every iterate.
    var lossLevel: Double?

    /// The options every run of the plan starts from.
    var baseOptions: SolveOptions {
        var options = SolveOptions()
        options.iterations = iterations
        options.limits = limits
        options.discreteSampling = discreteSampling
        options.lossLevel = lossLevel
        return options
    }

    init(command: String, problem: Problem, sampleTimes: SampleTimes) {
        self.command = command
        self.problem = problem
        self.sampleTimes = sampleTimes
    }

    /// Adds the flows (each with its solver, validated now).
    mutating func addFlows(_ entries: [FlowEntry], solverOptions: SolverOptions,
                           theoremEnergy: Bool = false) throws {
        limits = try solverOptions.workLimits()
        for entry in entries {
            var flow = try entry.build(lambda0: problem.lambda0)
            if theoremEnergy { flow = flow.withTheoremEnergy(lambda0: problem.lambda0) }
            let solver = try solverOptions.makeSolver(for: flow, model: problem.model)
            // Two runs of the same flow would have the same parameters and the same files.
            let name = entry.runName(flow: flow)
            guard !runs.contains(where: { $0.name == name }) else {
                throw CommandLineInputError(message: "\(entry.option): got \(entry.text) twice; give each flow once, or different keys (nesterov:gamma=3,nesterov:gamma=7)")
            }
            runs.append(PlannedRun(name: name, dynamics: .flow(flow), solver: solver))
        }
    }

    /// Adds the methods, with recipes evaluated now; a repeated name gets a suffix -2, -3, ….
    mutating func addMethods(_ texts: [String], flowParameters: FlowParameterOptions) throws {
        var used: [String: Int] = [:]
        for text in texts {
            let specification = try MethodSpecification(commandLine: text)
            let (method, recipe) = try specification.build(problem: problem,
                                                           flowParameters: flowParameters.specification(kind: .heavyBall))
            // The iteration count to the last sample time and its samples' memory, checked
            // before any run starts (with --iterations K the count is K, bounded by the command).
            if iterations == nil { _ = try specification.iterations(of: method, toReach: sampleTimes.values.last ?? 0) }
            let count = used[method.name, default: 0]
            used[method.name] = count + 1
            runs.append(PlannedRun(name: count == 0 ? method.name : "\(method.name)-\(count + 1)",
                                   dynamics: .method(method), recipe: recipe))
        }
    }

    /// Runs one planned run and stages its CSV and JSON as `prefix.csv`, `prefix.json`.
    func execute(_ run: PlannedRun, lambdaMin: Bool, prefix: String, outputs: OutputSet,
                 options: SolveOptions = SolveOptions()) throws -> RunResult {
        var options = options
        options.iterations = iterations
        options.limits = limits
        options.discreteSampling = discreteSampling
        options.lossLevel = lossLevel
        let (solution, wall) = try Self.solveRun(run, problem: problem, sampleTimes: sampleTimes, lambdaMin: lambdaMin, options: options)
        return try stage(run, solution: solution, wallSeconds: wall, prefix: prefix, outputs: outputs)
    }

    /// Runs every planned run on up to `jobs` cores and stages their files in plan order, so
    /// the outputs are the same bytes for every `jobs`. Each worker builds its own copy of the
    /// problem from the specification (models keep workspaces), with the same draws.
    func executeAll(lambdaMin: Bool, prefix: (PlannedRun) -> String, outputs: OutputSet, jobs: Int,
                    progress: ProgressLine?, resume: RunResume? = nil) throws -> [RunResult] {
        var solved = [(Solution, Double)?](repeating: nil, count: runs.count)
        for (k, run) in runs.enumerated() { solved[k] = resume?.finished(run.name) }
        if let resumed = resume?.resumed, !resumed.isEmpty {
            print("resumed \(resumed.count) runs finished by an interrupted run of this command: \(resumed.joined(separator: ", "))")
        }
        let pending = runs.indices.filter { solved[$0] == nil }
        if jobs <= 1 || pending.count <= 1 {
            for k in pending {
                let run = runs[k]
                var options = baseOptions
                options.progress = progress?.reporter(run: run.name, endTime: sampleTimes.values.last ?? 0)
                solved[k] = try Self.solveRun(run, problem: problem, sampleTimes: sampleTimes, lambdaMin: lambdaMin, options: options)
                try resume?.keep(run.name, solved[k]!)
                progress?.finish()
            }
        } else {
            let work = ParallelRuns(runs: pending.map { runs[$0] }, specification: problem.specification, sampleTimes: sampleTimes,
                                    lambdaMin: lambdaMin, options: baseOptions,
                                    workers: min(jobs, pending.count), progress: progress, resume: resume)
            for (k, result) in zip(pending, try work.execute()) { solved[k] = result }
        }
        return try zip(runs, solved).map { run, result in
            try stage(run, solution: result!.0, wallSeconds: result!.1, prefix: prefix(run), outputs: outputs)
        }
    }

    /// Solves one run on `problem` (with the model's monitors) and times it.
    static func solveRun(_ run: PlannedRun, problem: Problem, sampleTimes: SampleTimes, lambdaMin: Bool,
                         options: SolveOptions) throws -> (Solution, Double) {
        let monitors = problem.model.monitors(flow: run.dynamics.observedFlow, lambdaMin: lambdaMin)
        let clock = ContinuousClock()
        let start = clock.now
        let solution = try solve(problem, run.dynamics, solver: run.solver ?? .exact, sampleTimes: sampleTimes,
                                 monitors: monitors, options: options)
        let elapsed = clock.now - start
        return (solution, elapsed.inSeconds)
    }

    /// Stages a run's CSV and JSON.
    func stage(_ run: PlannedRun, solution: Solution, wallSeconds: Double, prefix: String, outputs: OutputSet) throws -> RunResult {
        let record = RunRecord(command: command, problem: problem, run: run.dynamics.name, dynamics: run.dynamics, solver: run.solver,
                               recipe: run.recipe, sampleTimes: sampleTimes, solution: solution, wallSeconds: wallSeconds,
                               csvPath: prefix + ".csv")
        try outputs.add(.samples(solution, metadata: record.csvMetadata), as: CSVTableWriter(), to: prefix + ".csv")
        try outputs.add(.record(record), as: JSONRecordWriter(), to: prefix + ".json")
        return RunResult(run: run, solution: solution, record: record, wallSeconds: wallSeconds)
    }
}

/// Runs on several threads: worker w takes runs w, w + W, w + 2W, … on its own problem.
/// Results land by index; the first error (in run order) is rethrown.
private final class ParallelRuns: @unchecked Sendable {
    let runs: [PlannedRun]
    let specification: ProblemSpecification
    let sampleTimes: SampleTimes
    let lambdaMin: Bool
    let options: SolveOptions
    let workers: Int
    let progress: ProgressLine?
    let resume: RunResume?
    private let lock = NSLock()
    private var results: [(Solution, Double)?]
    private var errors: [Int: Error] = [:]

    init(runs: [PlannedRun], specification: ProblemSpecification, sampleTimes: SampleTimes, lambdaMin: Bool,
         options: SolveOptions, workers: Int, progress: ProgressLine?, resume: RunResume?) {
        self.options = options
        self.resume = resume
        self.runs = runs
        self.specification = specification
        self.sampleTimes = sampleTimes
        self.lambdaMin = lambdaMin
        self.workers = workers
        self.progress = progress
        results = Array(repeating: nil, count: runs.count)
    }

    func execute() throws -> [(Solution, Double)?] {
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let problem: Problem
            do {
                problem = try specification.build()
            } catch {
                lock.withLock { errors[w] = error }
                return
            }
            for k in stride(from: w, to: runs.count, by: workers) {
                do {
                    let result = try RunPlan.solveRun(runs[k], problem: problem, sampleTimes: sampleTimes,
                                                      lambdaMin: lambdaMin, options: options)
                    try resume?.keep(runs[k].name, result)
                    lock.withLock { results[k] = result }
                    progress?.runFinished(runs[k].name, of: runs.count)
                } catch {
                    lock.withLock { errors[k] = error }
                }
            }
        }
        if let first = errors.keys.min() { throw errors[first]! }
        return results
    }
}

/// Runs that ended early: outputs were written, the exit status is non-zero.
struct RunStopped: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The one-line problem summary the commands print.
func problemLine(_ problem: Problem, solver: SolverChoice) -> String {
    let s = problem.model.summary, spec = problem.specification
    let frozen = problem.model.spectra.linearRegime
    return "problem: \(problem.model.name), n = \(s.samples)"
        + (s.width.map { ", d = \(s.dimension ?? 0), m = \($0)" } ?? "")
        + ", seed \(spec.seed); λ0 = λmin(H∞) = \(NumberFormat.short(problem.lambda0)), κ = \(NumberFormat.short(problem.conditionNumber))"
        + "; λmin(H(0)) = \(NumberFormat.short(frozen.lambdaMin)), λmax(H(0)) = \(NumberFormat.short(frozen.lambdaMax)); solver \(solver.rawValue)"
}
