/// A momentum buffer with in-place updates, M ← cM + a∇L(w), w ← w − ηM, M_{−1} = 0.
/// With c = β, a = 1 it is heavy ball's buffer form (002 eq. 3.2); with c = γ, a = 1 − γ it
/// is GD+M's exponential moving average (004). One gradient per step, no allocation.
final class MomentumBufferIterator: DiscreteIterator {
    private let field: any Model
    private let n: Int
    private let stepSize: Double
    private let decay: Double
    private let gradientWeight: Double
    private let timePerStep: Double
    private let w: DoubleBuffer
    private let buffer: DoubleBuffer
    private let gradientBuffer: DoubleBuffer
    private let velocityBuffer: DoubleBuffer
    private(set) var iteration = 0
    private(set) var gradientEvaluations = 0

    init(field: any Model, initialPosition: [Double], stepSize: Double, decay: Double,
         gradientWeight: Double, timePerStep: Double) {
        self.field = field
        n = initialPosition.count
        self.stepSize = stepSize
        self.decay = decay
        self.gradientWeight = gradientWeight
        self.timePerStep = timePerStep
        w = DoubleBuffer(initialPosition)
        buffer = DoubleBuffer(count: n)
        gradientBuffer = DoubleBuffer(count: n)
        velocityBuffer = DoubleBuffer(count: n)
    }

    var position: VectorView { w.readOnly }
    var velocity: VectorView { velocityBuffer.readOnly }

    func step() {
        let x = w.view, m = buffer.view, g = gradientBuffer.view, v = velocityBuffer.view
        field.gradient(at: x.readOnly, into: g)
        gradientEvaluations += 1
        let c = decay, a = gradientWeight, eta = stepSize, tau = timePerStep
        for i in 0..<n {
            // a = 1 multiplies exactly, so heavy ball's buffer form is unchanged bit for bit.
            let mi = c * m[i] + a * g[i]
            m[i] = mi
            let next = x[i] - eta * mi
            v[i] = (next - x[i]) / tau
            x[i] = next
        }
        iteration += 1
    }
}
