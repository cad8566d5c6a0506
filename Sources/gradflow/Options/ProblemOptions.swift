import ArgumentParser
import GradFlow
import GradFlowDatasets

/// Options naming the problem: the model, its data, network and, for error runs, the frozen
/// kernel. Defaults are `ProblemSpecification`'s.
struct ProblemOptions: ParsableArguments {
    private static let defaults = ProblemSpecification()

    @Option(help: ArgumentHelp("What the flows move: \(ModelCatalog.builders.map { "\($0.modelName) (\($0.help))" }.joined(separator: "; ")). Model options follow the name: NAME:key=value:… (see README).",
                               valueName: "model"))
    var model = ModelChoice(name: ProblemOptions.defaults.model)

    @Option(parsing: .unconditional, help: "Synthetic data: number of samples n (unit-norm Gaussian inputs).")
    var samples: Int = ProblemOptions.defaults.samples

    @Option(parsing: .unconditional, help: "Synthetic data: input dimension d (the quadratic: its dimension N).")
    var dimension: Int = ProblemOptions.defaults.dimension

    @Option(help: "Synthetic labels: signs (±1) or gaussian.")
    var labels: Dataset.LabelKind = ProblemOptions.defaults.labels

    @Option(help: "Data CSV with columns x1..xd,y (overrides the synthetic data).")
    var data: String?

    @Option(help: "A bundled real data set instead: \(BundledDatasets.names.joined(separator: ", ")) (see Datasets/README.md).")
    var dataset: String?

    @Option(parsing: .unconditional, help: "Hidden width m.")
    var width: Int = ProblemOptions.defaults.width

    @Option(help: "W(0) as a CSV of m rows of d values (with --output-weights).")
    var weights: String?

    @Option(name: .customLong("output-weights"), help: "a as a CSV of m rows of one value (with --weights).")
    var outputWeights: String?

    @Option(parsing: .unconditional, help: "Seed of the synthetic data and initialization (GSL mt19937).")
    var seed: UInt64 = ProblemOptions.defaults.seed

    @Option(name: .customLong("init-seed"), parsing: .unconditional,
            help: "Seed of the initialization alone (W(0), a), so the data stay those of --seed (default: drawn from --seed after the data).")
    var initSeed: UInt64?

    @Option(help: "Frozen kernel of error runs: h0 (H(0)), hinf (H∞) or an n×n CSV file.")
    var kernel: String = "h0"

    @Option(name: .customLong("initial-error"), help: "Δ(0) of error runs as a CSV column (default: f(W0) − y).")
    var initialError: String?

    func validate() throws {
        if let dataset {
            guard BundledDatasets.names.contains(dataset) else {
                throw ValidationError("--dataset: got \(dataset); allowed: \(BundledDatasets.names.joined(separator: ", "))")
            }
            guard data == nil else { throw ValidationError("--dataset: got \(dataset) together with --data; give one of them") }
            guard BundledDatasets.path(of: dataset) != nil else {
                throw ValidationError("--dataset: got \(dataset); its file is missing from the resource bundle next to the gradflow binary")
            }
        }
    }

    func specification() -> ProblemSpecification {
        var s = ProblemSpecification()
        s.model = model.name
        s.modelOptions = ModelOptions(model.options)
        s.samples = samples
        s.dimension = dimension
        s.labels = labels
        s.dataPath = data ?? dataset.flatMap(BundledDatasets.path(of:))
        s.dataName = dataset.map { "dataset \($0)" }
        s.width = width
        s.weightsPath = weights
        s.outputWeightsPath = outputWeights
        s.seed = seed
        s.initializationSeed = initSeed
        s.kernel = .init(parsing: kernel)
        s.initialErrorPath = initialError
        return s
    }
}
