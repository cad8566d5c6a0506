/// The two-layer ReLU network of 002 §2 (also 000, 001, 003):
/// f(x) = (1/√m) Σ_r a_r σ(w_rᵀx), σ = ReLU, with the output weights a_r ∈ {±1} fixed and
/// only the first layer trained, on the loss L(W) = ½ Σ_i (f(x_i) − y_i)².
///
/// Storage: the first-layer weights are a d×m row-major matrix whose column r is w_r
/// (d×m rather than m×d makes the gradient's second GEMM contiguous).
public struct ReLUNetwork: Sendable {
    /// The training data: inputs X (n×d) and targets y.
    public let data: Dataset
    /// a_r, r = 1 … m.
    public let outputWeights: [Double]
    /// W(0) as d×m: column r is w_r(0).
    public let initialWeights: DenseMatrix

    public init(data: Dataset, outputWeights: [Double], initialWeights: DenseMatrix) throws {
        guard initialWeights.rows == data.dimension else {
            throw InputError("initial weights", value: "\(initialWeights.rows) input dimensions",
                             allowed: "must match the data's dimension d = \(data.dimension)")
        }
        guard initialWeights.columns == outputWeights.count else {
            throw InputError("output weights", value: "\(outputWeights.count) values",
                             allowed: "must match the width m = \(initialWeights.columns)")
        }
        guard initialWeights.columns > 0 else {
            throw InputError("width", value: "0", allowed: "width must be a positive integer")
        }
        self.data = data
        self.outputWeights = outputWeights
        self.initialWeights = initialWeights
    }

    public var width: Int { outputWeights.count }
    public var sampleCount: Int { data.sampleCount }
    public var dimension: Int { data.dimension }
}
