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
    /// The initialization's own seed, when it is not drawn from `seed`'s stream.
    public var initializationSeed: UInt64?
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
    /// The samples file beside this record (its name).
    public var csv: String
    /// Weight runs with located switches: events, sliding time and their cost.
    public var switching: SwitchingStatistics?
    public var eventTolerance: Double?
    public var versions = Versions()

    /// Model-specific entries (for example the quadratic's μ and α).
    public var modelParameters: [String: String]?

    /// The record of a run of `solve`. `run` names it in outputs (method runs can be renamed
    /// when a method appears twice); `recipe` says where a method's η and β came from.
    public init(command: String, problem: Problem, run: String, dynamics: Dynamics, solver: Solver?,
                recipe: RecipeParameters?, sampleTimes: SampleTimes, solution: Solution, wallSeconds: Double, csvPath: String) {
        let summary = problem.model.summary
        self.command = command
        model = problem.model.name
        samples = summary.samples
        dimension = summary.dimension
        width = summary.width
        data = summary.data
        labels = summary.labels
        seed = problem.specification.seed
        initializationSeed = problem.specification.initializationSeed
        kernel = summary.kernel
        initialError = summary.initialError
        modelParameters = summary.extra.isEmpty ? nil : Dictionary(summary.extra, uniquingKeysWith: { first, _ in first })
        self.run = run
        let parameters: [(String, Double)]
        switch dynamics {
        case .flow(let flow):
            parameters = flow.parameters
            self.solver = solver?.name ?? "-"
            self.sampleTimes = sampleTimes.spacing
            sampleCount = sampleTimes.values.count
            if let tolerances = solver?.tolerances {
                relativeTolerance = tolerances.relative
                absoluteTolerance = tolerances.absolute
                errorNorm = "max over components (GSL standard control on y)"
            }
            eventTolerance = solver?.eventTolerance
        case .method(let method):
            parameters = method.parameters
            self.solver = "discrete iteration"
            self.sampleTimes = "every iteration"
            sampleCount = solution.rows.count
        }
        self.parameters = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        self.recipe = recipe.map { r in r.source + "; " + r.inputs.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") }
        lambda0 = problem.lambda0
        kappa = problem.conditionNumber
        limitKernel = problem.limitSpectrum.map(Spectrum.init)
        initialKernel = problem.initialSpectrum.map(Spectrum.init)
        frozenKernel = problem.frozenSpectrum.map(Spectrum.init)
        evaluations = solution.statistics.evaluations
        jacobianEvaluations = solution.statistics.jacobianEvaluations
        steps = solution.statistics.steps
        rejectedSteps = solution.statistics.rejectedSteps
        self.wallSeconds = wallSeconds
        earlyStop = solution.earlyStop?.description
        finalLoss = solution[.loss]?.last
        csv = (csvPath as NSString).lastPathComponent
        switching = solution.switching
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
        ]
        if let initializationSeed { m.append(("init_seed", "\(initializationSeed)")) }
        m.append(("run", run))
        if let recipe { m.append(("recipe", recipe)) }
        for (k, v) in parameters.sorted(by: { $0.key < $1.key }) { m.append((k, NumberFormat.roundTrip(v))) }
        m.append(("solver", solver))
        if let r = relativeTolerance, let a = absoluteTolerance { m += [("rtol", "\(r)"), ("atol", "\(a)")] }
        if let e = eventTolerance { m.append(("event_tolerance", "\(e)")) }
        if let k = kernel { m.append(("kernel", k)) }
        for (key, value) in (modelParameters ?? [:]).sorted(by: { $0.key < $1.key }) { m.append((key, value)) }
        m += [("lambda0", NumberFormat.roundTrip(lambda0)), ("kappa", NumberFormat.roundTrip(kappa))]
        return m
    }
}
