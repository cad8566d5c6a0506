/// The first-order form of a flow of order p (see `ContinuousFlow`): the state is
/// y = [x, x', …, x^{(p−1)}], each block of length N, and
///
///     y' = [x', …, x^{(p−1)}, −g(x) − Σ_{j=1}^{p−1} c_j(t) x^{(j)}],
///
/// with g the flow's force on the model (∇Φ, or Newton flow's Gauss–Newton direction).
///
/// Evaluation allocates nothing: the gradient is written straight into the last block.
public final class MomentumSystem: FirstOrderSystem {
    public let flow: any ContinuousFlow
    public let field: any Model
    let force: any FlowForce
    let blockSize: Int
    let order: Int

    /// Throws when the flow does not apply to the model (`ContinuousFlow.force(on:)`).
    public init(flow: any ContinuousFlow, field: any Model) throws {
        self.flow = flow
        self.field = field
        force = try flow.force(on: field)
        blockSize = field.dimension
        order = flow.order
    }

    public var dimension: Int { order * blockSize }
    public var hasJacobian: Bool { force.constantJacobian != nil }

    public func evaluate(t: Double, state y: VectorView, derivative f: MutableVectorView) {
        let nb = blockSize, p = order
        let last = f.slice((p - 1) * nb, nb)
        force.evaluate(at: y.slice(0, nb), into: last)
        last.negate()
        for j in 1..<p {
            let c = flow.damping(j, at: t)
            let source = y.slice(j * nb, nb)
            last.add(-c, times: source)
            // x^{(j−1)}' = x^{(j)}
            f.slice((j - 1) * nb, nb).copy(from: source)
        }
    }

    public func jacobian(t: Double, state y: VectorView, dfdy: MutableVectorView, dfdt: MutableVectorView) -> Bool {
        guard let hessian = force.constantJacobian else { return false }
        let nb = blockSize, p = order, dim = p * nb
        for k in 0..<(dim * dim) { dfdy[k] = 0 }
        for k in 0..<dim { dfdt[k] = 0 }
        let lastRow = (p - 1) * nb
        for j in 1..<p {
            for i in 0..<nb { dfdy[((j - 1) * nb + i) * dim + j * nb + i] = 1 }
            let c = flow.damping(j, at: t), dc = flow.dampingRate(j, at: t)
            for i in 0..<nb {
                dfdy[(lastRow + i) * dim + j * nb + i] = -c
                dfdt[lastRow + i] -= dc * y[j * nb + i]
            }
        }
        for i in 0..<nb {
            for k in 0..<nb { dfdy[(lastRow + i) * dim + k] = -hessian[i, k] }
        }
        return true
    }
}
