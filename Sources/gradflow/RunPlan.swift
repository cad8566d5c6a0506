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

    init(command: String, problem: Problem, sampleTimes: SampleTimes) {
        self.command = command
        self.problem = problem
        self.sampleTimes = sampleTimes
    }

    /// Adds the flows (each with its solver, validated now).
    mutating func addFlows(_ specifications: [FlowSpecification], solverOptions: SolverOptions,
                           theoremEnergy: Bool = false) throws {
        for specification in specifications {
            var flow = try specification.build(lambda0: problem.lambda0)
            if theoremEnergy { flow = flow.withTheoremEnergy(lambda0: problem.lambda0) }
            let solver = try solverOptions.makeSolver(for: flow, model: problem.model)
            runs.append(PlannedRun(name: flow.name, dynamics: .flow(flow), solver: solver))
        }
    }

    /// Adds the methods, with recipes evaluated now; a repeated name gets a suffix -2, -3, ….
    mutating func addMethods(_ texts: [String], flowParameters: FlowParameterOptions) throws {
        var used: [String: Int] = [:]
        for text in texts {
            let specification = try MethodSpecification(commandLine: text)
            let (method, recipe) = try specification.build(problem: problem,
                                                           flowParameters: flowParameters.specification(kind: .heavyBall))
            let count = used[method.name, default: 0]
            used[method.name] = count + 1
            runs.append(PlannedRun(name: count == 0 ? method.name : "\(method.name)-\(count + 1)",
                                   dynamics: .method(method), recipe: recipe))
        }
    }

    /// Runs one planned run and stages its CSV and JSON as `prefix.csv`, `prefix.json`.
    func execute(_ run: PlannedRun, lambdaMin: Bool, prefix: String, outputs: OutputSet,
                 options: SolveOptions = SolveOptions()) throws -> RunResult {
        let monitors = problem.model.monitors(flow: run.dynamics.observedFlow, lambdaMin: lambdaMin)
        let clock = ContinuousClock()
        let start = clock.now
        let solution = try solve(problem, run.dynamics, solver: run.solver ?? .exact, sampleTimes: sampleTimes,
                                 monitors: monitors, options: options)
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let record = RunRecord(command: command, problem: problem, run: run.dynamics.name, dynamics: run.dynamics, solver: run.solver,
                               recipe: run.recipe, sampleTimes: sampleTimes, solution: solution, wallSeconds: wall,
                               csvPath: prefix + ".csv")
        try outputs.add(.samples(solution, metadata: record.csvMetadata), as: CSVTableWriter(), to: prefix + ".csv")
        try outputs.add(.record(record), as: JSONRecordWriter(), to: prefix + ".json")
        return RunResult(run: run, solution: solution, record: record, wallSeconds: wall)
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
