/// The first-order form y = [W, W', …, W^{(p−1)}] of a weight flow of order p (see
/// `MomentumSystem`) whose gradient is the pattern-frozen Filippov gradient of
/// `ReLUSwitchingKernel`: inside a step the activation pattern does not change, so the
/// right-hand side is linear in W (and smooth), and sliding pairs keep z = 0 exactly.
final class SwitchingWeightSystem: FirstOrderSystem {
    let kernel: ReLUSwitchingKernel
    let pattern: SwitchingPattern
    let flow: any ContinuousFlow
    let blockSize: Int
    let order: Int

    init(kernel: ReLUSwitchingKernel, pattern: SwitchingPattern, flow: any ContinuousFlow) {
        self.kernel = kernel
        self.pattern = pattern
        self.flow = flow
        blockSize = kernel.weightCount
        order = flow.order
    }

    var dimension: Int { order * blockSize }
    var hasJacobian: Bool { false }

    func evaluate(t: Double, state y: VectorView, derivative f: MutableVectorView) {
        let nb = blockSize, p = order
        let last = f.slice((p - 1) * nb, nb)
        kernel.filippovGradient(at: y.slice(0, nb), pattern: pattern, into: last)
        last.negate()
        for j in 1..<p {
            let c = flow.damping(j, at: t)
            let source = y.slice(j * nb, nb)
            if c != 0 { last.add(-c, times: source) }
            f.slice((j - 1) * nb, nb).copy(from: source)
        }
    }

    func jacobian(t: Double, state: VectorView, dfdy: MutableVectorView, dfdt: MutableVectorView) -> Bool { false }
}
