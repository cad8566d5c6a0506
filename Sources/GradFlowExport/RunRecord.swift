import Foundation
import GradFlow

/// The JSON summary of one run: every parameter, the seed, the spectra, the cost and the
/// versions. Keys are sorted so that the file is stable text.
public struct RunRecord: Codable {
    public struct Versions: Codable {
        var gradflow = ToolVersion.current
        var gsl = GSL.version
        var openblas = BLASThreads.configuration
        var openblasThreads = BLASThreads.current
    }

    public struct Spectrum: Codable {
        var lambdaMin: Double
        var lambdaMax: Double
        var conditionNumber: Double

        init(_ s: KernelSpectrum) {
            lambdaMin = s.lambdaMin
            lambdaMax = s.lambdaMax
            conditionNumber = s.conditionNumber
        }
    }

    public var command: String
    public var model: String
    public var samples: Int
    public var dimension: Int?
    public var width: Int?
    public var data: String
    public var labels: String?
    public var seed: UInt64
    public var kernel: String?
    public var initialError: String?
    public var run: String
    public var parameters: [String: Double]
    public var recipe: String?
    public var solver: String
    public var relativeTolerance: Double?
    public var absoluteTolerance: Double?
    public var errorNorm: String?
    public var sampleTimes: String
    public var sampleCount: Int
    public var lambda0: Double
    public var kappa: Double
    public var limitKernel: Spectrum?
    public var initialKernel: Spectrum?
    public var frozenKernel: Spectrum?
    public var evaluations: Int
    public var jacobianEvaluations: Int
    public var steps: Int
    public var rejectedSteps: Int
    public var wallSeconds: Double
    public var earlyStop: String?
    public var finalLoss: Double?
    public var csv: String
    /// Weight runs with located switches: events, sliding time and their cost.
    public var switching: SwitchingStatistics?
    public var eventTolerance: Double?
    public var versions = Versions()

    /// A continuous run.
    public init(command: String, problem: Problem, flow: any ContinuousFlow, solver: Solver, times: SampleTimes,
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
    public init(command: String, problem: Problem, method: any DiscreteMethod, recipe: RecipeParameters?,
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

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The `# key=value` lines at the top of the CSV: parameters, seed and versions,
    /// without timings, so that identical runs give identical files.
    public var csvMetadata: [(String, String)] {
        var m: [(String, String)] = [
            ("gradflow", versions.gradflow), ("gsl", versions.gsl), ("command", command),
            ("model", model), ("samples", "\(samples)"), ("dimension", dimension.map { "\($0)" } ?? "none"),
            ("width", width.map { "\($0)" } ?? "none"), ("data", data), ("seed", "\(seed)"),
            ("run", run),
        ]
        if let recipe { m.append(("recipe", recipe)) }
        for (k, v) in parameters.sorted(by: { $0.key < $1.key }) { m.append((k, NumberFormat.roundTrip(v))) }
        m.append(("solver", solver))
        if let r = relativeTolerance, let a = absoluteTolerance { m += [("rtol", "\(r)"), ("atol", "\(a)")] }
        if let e = eventTolerance { m.append(("event_tolerance", "\(e)")) }
        if let k = kernel { m.append(("kernel", k)) }
        m += [("lambda0", NumberFormat.roundTrip(lambda0)), ("kappa", NumberFormat.roundTrip(kappa))]
        return m
    }
}
