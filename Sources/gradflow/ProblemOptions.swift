import ArgumentParser
import GradFlow
import GradFlowExport

/// Options naming the problem: data, network and, for error runs, the frozen kernel.
struct ProblemOptions: ParsableArguments {
    @Option(help: "What the flow moves: network (the weights W) or errors (Δ under a frozen kernel).")
    var model: String = "network"

    @Option(parsing: .unconditional, help: "Synthetic data: number of samples n (unit-norm Gaussian inputs).")
    var samples: Int = 8

    @Option(parsing: .unconditional, help: "Synthetic data: input dimension d.")
    var dimension: Int = 8

    @Option(help: "Synthetic labels: signs (±1) or gaussian.")
    var labels: String = "signs"

    @Option(help: "Data CSV with columns x1..xd,y (overrides the synthetic data).")
    var data: String?

    @Option(parsing: .unconditional, help: "Hidden width m.")
    var width: Int = 512

    @Option(help: "W(0) as a CSV of m rows of d values (with --output-weights).")
    var weights: String?

    @Option(name: .customLong("output-weights"), help: "a as a CSV of m rows of one value (with --weights).")
    var outputWeights: String?

    @Option(help: "Seed of the synthetic data and initialization (GSL mt19937).")
    var seed: UInt64 = 0

    @Option(help: "Frozen kernel of error runs: h0 (H(0)), hinf (H∞) or an n×n CSV file.")
    var kernel: String = "h0"

    @Option(name: .customLong("initial-error"), help: "Δ(0) of error runs as a CSV column (default: f(W0) − y).")
    var initialError: String?

    func specification() throws -> ProblemSpecification {
        var s = ProblemSpecification()
        guard let state = ProblemSpecification.StateKind(rawValue: model) else {
            throw InputError("--model", value: model, allowed: "allowed: network, errors")
        }
        guard let labelKind = Dataset.LabelKind(rawValue: labels) else {
            throw InputError("--labels", value: labels, allowed: "allowed: signs, gaussian")
        }
        guard samples >= 1 else { throw InputError("--samples", value: "\(samples)", allowed: "need at least 1 sample") }
        guard dimension >= 1 else { throw InputError("--dimension", value: "\(dimension)", allowed: "need d ≥ 1") }
        guard width >= 1 else { throw InputError("--width", value: "\(width)", allowed: "width must be a positive integer") }
        s.state = state
        s.samples = samples
        s.dimension = dimension
        s.labels = labelKind
        s.dataPath = data
        s.width = width
        s.weightsPath = weights
        s.outputWeightsPath = outputWeights
        s.seed = seed
        s.kernel = .init(parsing: kernel)
        s.initialErrorPath = initialError
        return s
    }
}
