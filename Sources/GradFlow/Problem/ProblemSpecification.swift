/// What a run is trained on, as a user names it: the model, synthetic or loaded data, a
/// network width and initialization, and for error runs the frozen kernel and Δ(0).
/// Each model reads the fields it needs (`ModelBuilder`).
public struct ProblemSpecification: Sendable {
    /// The frozen kernel of error runs.
    public enum KernelChoice: Sendable, Equatable {
        /// H(0) = H(W(0)), the empirical NTK at initialization (002 eq. 2.6).
        case initial
        /// H^∞, the infinite-width limit (002 Fact 2.2).
        case limit
        /// An n×n matrix from a CSV file.
        case file(String)

        public init(parsing text: String) {
            switch text.lowercased() {
            case "h0", "initial": self = .initial
            case "hinf", "h-infinity", "limit": self = .limit
            default: self = .file(text)
            }
        }

        public var name: String {
            switch self {
            case .initial: return "H(0)"
            case .limit: return "H-infinity"
            case .file(let path): return path
            }
        }
    }

    /// The model's name (`ModelBuilder.modelName`) and its own options.
    public var model = "network"
    public var modelOptions = ModelOptions()
    public var samples = 8
    public var dimension = 8
    public var labels: Dataset.LabelKind = .signs
    public var dataPath: String?
    /// What outputs call the data when `dataPath` is a bundled file ("dataset digits01").
    public var dataName: String?
    public var width = 512
    public var weightsPath: String?
    public var outputWeightsPath: String?
    /// Seed of the synthetic data, and of the initialization unless `initializationSeed` is set.
    public var seed: UInt64 = 0
    /// Seed of the initialization alone (W(0) and a; the deep linear network's layers), so
    /// that the data stay fixed while the initialization varies, as 003's figures average over
    /// 5 initializations of one data set (003 §5, Figs. 2–6). nil: the initialization is drawn
    /// from `seed`'s stream right after the data (the draws of earlier versions, unchanged).
    public var initializationSeed: UInt64?
    public var kernel: KernelChoice = .initial
    public var initialErrorPath: String?

    public init() {}

    /// Builds the problem with the model's builder from `builders` (default: every model
    /// of `ModelCatalog`).
    public func build(with builders: [any ModelBuilder.Type] = ModelCatalog.builders) throws -> Problem {
        guard let builder = builders.first(where: { $0.modelName == model }) else {
            throw InputError(.model, value: model, allowed: "allowed: \(builders.map { $0.modelName }.joined(separator: ", "))")
        }
        return Problem(specification: self, model: try builder.build(self, random: RandomSource(seed: seed)))
    }

    // MARK: Shared by the network-based models

    /// The data: loaded from `dataPath`, else synthetic (drawn first from `random`).
    func dataset(random: RandomSource) throws -> Dataset {
        if dataPath == nil, samples >= 1, dimension >= 1 {
            try MemoryEstimate.checkNetwork(samples: samples, dimension: dimension, width: width >= 1 ? width : nil)
        }
        return try dataPath.map { try Dataset.load(csvPath: $0) }
            ?? Dataset.synthetic(samples: samples, dimension: dimension, labels: labels, random: random)
    }

    /// The stream the initialization is drawn from: its own when `initializationSeed` is
    /// set, else `random` (continuing after the data).
    func initializationRandom(continuing random: RandomSource) -> RandomSource {
        initializationSeed.map { RandomSource(seed: $0) } ?? random
    }

    /// The network on `data`: loaded from the weight files, else Gaussian of `width`, drawn
    /// from `initializationRandom(continuing: random)`.
    func network(data: Dataset, random: RandomSource) throws -> ReLUNetwork {
        if weightsPath != nil || outputWeightsPath != nil {
            guard let w = weightsPath, let a = outputWeightsPath else {
                throw InputError(.weightFiles, value: "only one of them",
                                 allowed: "give both W(0) and a to load a network, or neither")
            }
            return try ReLUNetwork.load(data: data, weightsCSV: w, outputWeightsCSV: a)
        }
        guard width >= 1 else {
            throw InputError(.width, value: "\(width)", allowed: "width must be a positive integer")
        }
        try MemoryEstimate.checkNetwork(samples: data.sampleCount, dimension: data.dimension, width: width)
        return try ReLUNetwork.gaussian(data: data, width: width, random: initializationRandom(continuing: random))
    }

    /// What the data is called in outputs.
    var dataDescription: (data: String, labels: String?) {
        (dataName ?? dataPath ?? "synthetic", dataPath == nil ? labels.rawValue : nil)
    }
}
