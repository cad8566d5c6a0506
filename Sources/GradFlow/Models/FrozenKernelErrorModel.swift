/// The linearized error dynamics of 002 with the kernel frozen (H(0), H^∞ or a given H):
/// the state is Δ itself, Φ(Δ) = L̂ = ½ΔᵀHΔ and ∇Φ = HΔ (002 eqs. 2.4, 3.7, 4.5).
public final class FrozenKernelErrorModel: GradientField {
    /// The frozen kernel H (n×n, symmetric).
    public let kernelMatrix: DenseMatrix
    /// Where H came from ("H(0)", "H-infinity", a file path).
    public let kernelSource: String
    private let h: DoubleBuffer

    public init(kernel: DenseMatrix, source: String) throws {
        guard kernel.isSquare, kernel.rows > 0 else {
            throw InputError("kernel \(source)", value: "\(kernel.rows)x\(kernel.columns)",
                             allowed: "the kernel must be a non-empty square n×n matrix")
        }
        guard kernel.elements.allSatisfy(\.isFinite) else {
            throw InputError("kernel \(source)", value: "NaN or Inf", allowed: "all entries must be finite")
        }
        guard kernel.asymmetry <= 1e-10 else {
            throw InputError("kernel \(source)", value: "asymmetry \(kernel.asymmetry)",
                             allowed: "the kernel must be symmetric to 1e-10 relative")
        }
        kernelMatrix = kernel
        kernelSource = source
        h = DoubleBuffer(kernel.elements)
    }

    public var dimension: Int { kernelMatrix.rows }
    public var sampleCount: Int { kernelMatrix.rows }
    public var constantHessian: DenseMatrix? { kernelMatrix }

    public func gradient(at x: VectorView, into gradient: MutableVectorView) {
        BLAS.multiply(h, rows: dimension, columns: dimension, x, into: gradient)
    }

    public func residual(at x: VectorView) -> [Double] { x.array }

    public func residualRate(at x: VectorView, velocity: VectorView) -> [Double] { velocity.array }

    public func kernel(at x: VectorView) -> DenseMatrix { kernelMatrix }

    public func potential(at x: VectorView) -> Double { pseudoLoss(at: x) }

    public func pseudoLoss(at x: VectorView) -> Double {
        let hx = kernelMatrix * x.array
        var s = 0.0
        for i in 0..<dimension { s += x[i] * hx[i] }
        return 0.5 * s
    }
}
