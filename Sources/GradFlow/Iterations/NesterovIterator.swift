/// The two-sequence Nesterov recurrence shared by the constant-momentum NAG (003 eqs. 4–5),
/// NAG-SC (002 footnote 2) and NAG with β_k = k/(k+γ) (002 eq. 4.1):
///
///     v_{k+1} = w_k − η∇L(w_k),   w_{k+1} = v_{k+1} + β_k (v_{k+1} − v_k),
///
/// started either at v_0 = w_0 (the two-sequence convention) or at v_0 = w_0 − η∇L(w_0)
/// (which reproduces the one-line form with w_{−1} = w_0; see `NesterovConstantMomentum`).
/// The gradient is evaluated only at w_k, once per step; each step works element by element
/// in place and allocates nothing.
final class NesterovIterator: DiscreteIterator {
    enum Schedule {
        case constant(Double)
        /// β_k = k/(k + γ) on the step from w_k to w_{k+1} (0-based k).
        case increasing(gamma: Double)

        func momentum(atStep k: Int) -> Double {
            switch self {
            case .constant(let beta): return beta
            case .increasing(let gamma): return Double(k) / (Double(k) + gamma)
            }
        }
    }

    private let field: any Model
    private let n: Int
    private let stepSize: Double
    private let schedule: Schedule
    /// True for the one-line start v_0 = w_0 − η∇L(w_0).
    private let oneLineStart: Bool
    private let timePerStep: Double
    private let w: DoubleBuffer
    private let v: DoubleBuffer
    private let gradientBuffer: DoubleBuffer
    private let velocityBuffer: DoubleBuffer
    private(set) var iteration = 0
    private(set) var gradientEvaluations = 0

    init(field: any Model, initialPosition: [Double], stepSize: Double, schedule: Schedule,
         oneLineStart: Bool, timePerStep: Double) {
        self.field = field
        n = initialPosition.count
        self.stepSize = stepSize
        self.schedule = schedule
        self.oneLineStart = oneLineStart
        self.timePerStep = timePerStep
        w = DoubleBuffer(initialPosition)
        v = DoubleBuffer(initialPosition)
        gradientBuffer = DoubleBuffer(count: n)
        velocityBuffer = DoubleBuffer(count: n)
    }

    var position: VectorView { w.readOnly }
    var velocity: VectorView { velocityBuffer.readOnly }

    func step() {
        let x = w.view, y = v.view, g = gradientBuffer.view, vel = velocityBuffer.view
        field.gradient(at: x.readOnly, into: g)
        gradientEvaluations += 1
        let beta = schedule.momentum(atStep: iteration), eta = stepSize, tau = timePerStep
        // One-line start: v_0 := w_0 − η∇L(w_0) = v_1, so w_1 = v_1.
        let restart = oneLineStart && iteration == 0
        for i in 0..<n {
            let vNext = x[i] - eta * g[i]
            let vPrevious = restart ? vNext : y[i]
            let next = vNext + beta * (vNext - vPrevious)
            y[i] = vNext
            vel[i] = (next - x[i]) / tau
            x[i] = next
        }
        iteration += 1
    }
}
