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
        // ‖x_i‖² is H^∞_ii/2 and bounds every kernel entry of row i: it must be finite (a value
        // like 1e300 overflows it, and the kernels' eigensolvers fail) and > 0 (a zero input
        // gives a zero kernel row, λ0 = 0, and a residual no weight can move).
        let d = inputs.columns
        for i in 0..<inputs.rows {
            var squares = 0.0
            for k in 0..<d { squares += inputs.elements[i * d + k] * inputs.elements[i * d + k] }
            guard squares.isFinite, squares > 0 else {
                throw InputError(Parameter("data").at("sample \(i + 1)"), value: squares > 0 ? "‖x‖² = inf (overflow)" : "an all-zero input",
                                 allowed: "every input x_i needs 0 < ‖x_i‖² < \(NumberFormat.short(Double.greatestFiniteMagnitude, digits: 3)) (its kernel row is ‖x_i‖²-scaled)")
            }
        }
        self.inputs = inputs
        self.targets = targets
    }

    public var sampleCount: Int { inputs.rows }
    public var dimension: Int { inputs.columns }
}
