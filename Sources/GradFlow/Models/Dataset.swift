/// Training data: inputs x_i ∈ R^d as the rows of an n×d matrix, and targets y_i.
public struct Dataset: Sendable, Equatable {
    /// X, n×d row-major.
    public let inputs: DenseMatrix
    /// y, n values.
    public let targets: [Double]

    public init(inputs: DenseMatrix, targets: [Double]) throws {
        guard inputs.rows == targets.count else {
            throw InputError("data", value: "\(inputs.rows) inputs and \(targets.count) targets",
                             allowed: "every input needs exactly one target")
        }
        guard inputs.rows > 0, inputs.columns > 0 else {
            throw InputError("data", value: "\(inputs.rows)x\(inputs.columns) inputs",
                             allowed: "at least one sample of dimension ≥ 1 is needed")
        }
        guard inputs.elements.allSatisfy(\.isFinite), targets.allSatisfy(\.isFinite) else {
            throw InputError("data", value: "NaN or Inf", allowed: "all inputs and targets must be finite numbers")
        }
        self.inputs = inputs
        self.targets = targets
    }

    public var sampleCount: Int { inputs.rows }
    public var dimension: Int { inputs.columns }
}
