/// The force g(x) of a flow's equation x^{(p)} + Σ_{j<p} c_j(t) x^{(j)} + g(x) = 0 on one
/// model: the potential's gradient ∇Φ for every momentum flow of 002 (§2–§5.1), the
/// Gauss–Newton direction for Newton flow (002 §5.2). A flow makes it with
/// `ContinuousFlow.force(on:)`; the GSL and exact solvers and the sampling loop evaluate it.
public protocol FlowForce: AnyObject {
    /// Writes g(x) into `force`.
    func evaluate(at x: VectorView, into force: MutableVectorView)
    /// ∂g/∂x when it is constant (implicit GSL steppers need it), else nil.
    var constantJacobian: DenseMatrix? { get }
    /// When g(x) = K(x − x*) with a constant symmetric K: K's eigensystem and x* (the exact
    /// modal solver needs it).
    var affine: (kernel: SymmetricEigensystem, minimizer: [Double])? { get }
}

/// g = ∇Φ, the model's own gradient.
public final class PotentialGradient: FlowForce {
    public let model: any Model

    public init(model: any Model) { self.model = model }

    public func evaluate(at x: VectorView, into force: MutableVectorView) { model.gradient(at: x, into: force) }
    public var constantJacobian: DenseMatrix? { model.constantHessian }
    public var affine: (kernel: SymmetricEigensystem, minimizer: [Double])? { model.affineGradient }
}

/// g(x) = K(x − x*) with a constant symmetric K given by its eigensystem.
public final class AffineForce: FlowForce {
    public let kernel: SymmetricEigensystem
    public let minimizer: [Double]
    private let matrix: DenseMatrix
    private let buffer: DoubleBuffer
    private let shift: DoubleBuffer

    public init(kernel: SymmetricEigensystem, minimizer: [Double]) {
        self.kernel = kernel
        self.minimizer = minimizer
        let n = kernel.values.count, q = kernel.vectors
        var k = DenseMatrix(rows: n, columns: n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for l in 0..<n { s += q[i, l] * kernel.values[l] * q[j, l] }
                k[i, j] = s
                k[j, i] = s
            }
        }
        matrix = k
        buffer = DoubleBuffer(k.elements)
        // K x* so that g = Kx − Kx*.
        shift = DoubleBuffer(k * minimizer)
    }

    public func evaluate(at x: VectorView, into force: MutableVectorView) {
        let n = minimizer.count
        BLAS.multiply(buffer, rows: n, columns: n, x, into: force)
        force.add(-1, times: shift.readOnly)
    }

    public var constantJacobian: DenseMatrix? { matrix }
    public var affine: (kernel: SymmetricEigensystem, minimizer: [Double])? { (kernel, minimizer) }
}
