/// The exact modal solution of a flow on a model whose flow force is affine,
/// g(x) = H(x − x*) (∇Φ of the error model or a quadratic; P(x − x*) for Newton flow): x(t) = x* + Δ(t), with Δ solved in H's eigenbasis
/// (`ModalSolution`). Needs no integrator and no start time.
final class ModalPropagator: Propagator {
    private let solution: ModalSolution
    private let minimizer: [Double]
    private let state: DoubleBuffer
    private let dimension: Int
    private let order: Int

    init(model: any Model, flow: any ContinuousFlow, initialPosition: [Double]) throws {
        let affine = try flow.force(on: model).affine!  // checked by `Solver.validate`
        minimizer = affine.minimizer
        let delta0 = zip(initialPosition, minimizer).map { $0 - $1 }
        solution = try ModalSolution(kernel: affine.kernel, initialResidual: delta0, flow: flow)
        dimension = model.dimension
        order = flow.order
        state = DoubleBuffer(count: dimension * order)
    }

    func advance(to point: SamplePoint) throws {
        let derivatives = try solution.derivatives(at: point.time)
        let n = dimension
        for (j, block) in derivatives.enumerated() {
            let view = state.view.slice(j * n, n)
            view.assign(block)
            if j == 0 { for i in 0..<n where minimizer[i] != 0 { view[i] += minimizer[i] } }
        }
        if !state.readOnly.isFinite { throw EarlyStop.diverged(time: point.time) }
    }

    func withState<R>(_ body: (PropagatorState) -> R) -> R {
        let y = state.readOnly, n = dimension
        let blocks = (0..<order).map { y.slice($0 * n, n) }
        return body(PropagatorState(position: blocks[0], velocity: order >= 2 ? blocks[1] : nil,
                                    derivatives: order >= 2 ? blocks : nil))
    }

    var statistics: IntegrationStatistics { IntegrationStatistics() }
}
