import Foundation
import GradFlow

/// The JSON summary of one run: every parameter, the seed, the spectra, the cost and the
/// versions. Keys are sorted so that the file is stable text.
struct RunRecord: Codable {
    struct Versions: Codable {
        var gradflow = ToolVersion.current
        var gsl = GSL.version
        var openblas = BLASThreads.configuration
        var openblasThreads = BLASThreads.current
    }

    struct Spectrum: Codable {
        var lambdaMin: Double
        var lambdaMax: Double
        var conditionNumber: Double

        init(_ s: KernelSpectrum) {
            lambdaMin = s.lambdaMin
            lambdaMax = s.lambdaMax
            conditionNumber = s.conditionNumber
        }
    }

    var command: String
    var model: String
    var samples: Int
    var dimension: Int?
    var width: Int?
    var data: String
    var labels: String?
    var seed: UInt64
    var kernel: String?
    var initialError: String?
    var run: String
    var parameters: [String: Double]
    var recipe: String?
    var solver: String
    var relativeTolerance: Double?
    var absoluteTolerance: Double?
    var errorNorm: String?
    var sampleTimes: String
    var sampleCount: Int
    var lambda0: Double
    var kappa: Double
    var limitKernel: Spectrum?
    var initialKernel: Spectrum?
    var frozenKernel: Spectrum?
    var evaluations: Int
    var jacobianEvaluations: Int
    var steps: Int
    var rejectedSteps: Int
    var wallSeconds: Double
    var earlyStop: String?
    var finalLoss: Double?
    var csv: String
    /// Weight runs with located switches: events, sliding time and their cost.
    var switching: SwitchingStatistics?
    var eventTolerance: Double?
    var versions = Versions()

    /// A continuous run.
    init(command: String, problem: Problem, flow: any ContinuousFlow, solver: Solver, times: SampleTimes,
         trajectory: Trajectory, wallSeconds: Double, csvPath: String) {
        var tolerances: Tolerances?
        var eventTolerance: Double?
        switch solver {
        case .gsl(_, let t): tolerances = t
        case .switching(let method, let e):
            eventTolerance = e
            if case .gslEvents(_, let t) = method { tolerances = t }
        case .exact: break
        }
        self.init(command: command, problem: problem, run: flow.name, parameters: flow.parameters, recipe: nil,
                  solver: solver.name, tolerances: tolerances, sampleTimes: times.spacing, sampleCount: times.values.count,
                  trajectory: trajectory, wallSeconds: wallSeconds, csvPath: csvPath)
        self.eventTolerance = eventTolerance
    }

    /// A discrete run.
    init(command: String, problem: Problem, method: any DiscreteMethod, recipe: RecipeParameters?,
         trajectory: Trajectory, wallSeconds: Double, csvPath: String) {
        self.init(command: command, problem: problem, run: method.name, parameters: method.parameters,
                  recipe: recipe.map { r in r.source + "; " + r.inputs.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") },
                  solver: "discrete iteration", tolerances: nil, sampleTimes: "every iteration",
                  sampleCount: trajectory.rows.count, trajectory: trajectory, wallSeconds: wallSeconds, csvPath: csvPath)
    }

    private init(command: String, problem: Problem, run: String, parameters: [(String, Double)], recipe: String?,
                 solver: String, tolerances: Tolerances?, sampleTimes: String, sampleCount: Int,
                 trajectory: Trajectory, wallSeconds: Double, csvPath: String) {
        let spec = problem.specification
        self.command = command
        model = spec.state.rawValue
        samples = problem.field.sampleCount
        dimension = problem.network?.dimension
        width = problem.network?.width
        data = problem.network == nil ? "none (error model from files)" : (spec.dataPath ?? "synthetic")
        labels = spec.dataPath == nil && problem.network != nil ? spec.labels.rawValue : nil
        seed = spec.seed
        if spec.state == .errors {
            kernel = spec.kernel.name
            initialError = spec.initialErrorPath ?? "f(W0) - y"
        }
        self.run = run
        self.parameters = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        self.recipe = recipe
        self.solver = solver
        if let tolerances {
            relativeTolerance = tolerances.relative
            absoluteTolerance = tolerances.absolute
            errorNorm = "max over components (GSL standard control on y)"
        }
        self.sampleTimes = sampleTimes
        self.sampleCount = sampleCount
        lambda0 = problem.lambda0
        kappa = problem.conditionNumber
        limitKernel = problem.limitSpectrum.map(Spectrum.init)
        initialKernel = problem.initialSpectrum.map(Spectrum.init)
        frozenKernel = problem.frozenSpectrum.map(Spectrum.init)
        evaluations = trajectory.statistics.evaluations
        jacobianEvaluations = trajectory.statistics.jacobianEvaluations
        steps = trajectory.statistics.steps
        rejectedSteps = trajectory.statistics.rejectedSteps
        self.wallSeconds = wallSeconds
        earlyStop = trajectory.earlyStop?.description
        finalLoss = trajectory.column("loss")?.last
        csv = csvPath
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The `# key=value` lines at the top of the CSV: parameters, seed and versions,
    /// without timings, so that identical runs give identical files.
    var csvMetadata: [(String, String)] {
        var m: [(String, String)] = [
            ("gradflow", versions.gradflow), ("gsl", versions.gsl), ("command", command),
            ("model", model), ("samples", "\(samples)"), ("dimension", dimension.map { "\($0)" } ?? "none"),
            ("width", width.map { "\($0)" } ?? "none"), ("data", data), ("seed", "\(seed)"),
            ("run", run),
        ]
        if let recipe { m.append(("recipe", recipe)) }
        for (k, v) in parameters.sorted(by: { $0.key < $1.key }) { m.append((k, CSVFormat.number(v))) }
        m.append(("solver", solver))
        if let r = relativeTolerance, let a = absoluteTolerance { m += [("rtol", "\(r)"), ("atol", "\(a)")] }
        if let e = eventTolerance { m.append(("event_tolerance", "\(e)")) }
        if let k = kernel { m.append(("kernel", k)) }
        m += [("lambda0", CSVFormat.number(lambda0)), ("kappa", CSVFormat.number(kappa))]
        return m
    }
}
