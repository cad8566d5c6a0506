/// The iterator of every method that is a linear multistep recurrence in w with one gradient
/// at the current iterate:
///
///     w_{k+1} = w_k − η_k ∇L(w_k) + Σ_{q=1}^{J} β_{q,k} (w_{k−q+1} − w_{k−q}),
///     w_{−1} = … = w_{−J} = w_0   (every difference starts at zero),
///
/// which is GD (J = 0), Polyak's heavy ball in difference form (J = 1, 002 eq. 3.1), the
/// multi-momentum method of 002 §5.1 (any J), and the explicit finite-difference
/// discretization of any continuous flow (`ExplicitFlowDiscretization`, with η_k, β_{q,k}
/// recomputed from the flow's damping at t_k).
///
/// Floating-point order (fixed, so two methods with the same η and β produce bitwise-equal
/// iterates): out = w_k − η∇L, then out += β_q (w_{k−q+1} − w_{k−q}) for q = 1 … J in order.
///
/// Storage: a ring of J + 2 buffers holding w_k … w_{k−J} and the slot w_{k+1} is written
/// into; a step rotates the ring and allocates nothing.
final class MomentumRecurrenceIterator: DiscreteIterator {
    private let field: any Model
    private let n: Int
    /// J.
    private let depth: Int
    private let ring: [DoubleBuffer]
    /// Index of w_k in `ring`; w_{k−j} is at (head + j) mod (J + 2).
    private var head = 0
    private let gradientBuffer: DoubleBuffer
    private let velocityBuffer: DoubleBuffer
    /// τ, for the finite-difference velocity.
    private let timePerStep: Double
    private var stepSize: Double
    private var momenta: [Double]
    /// When set, η and β are recomputed every step from the flow's damping (see
    /// `ExplicitFlowDiscretization`).
    private let schedule: FlowSchedule?

    struct FlowSchedule {
        let flow: any ContinuousFlow
        /// h.
        let step: Double
        /// t_0.
        let startTime: Double
        /// h^0 … h^{J+1}, by repeated multiplication.
        let powers: [Double]
    }

    private(set) var iteration = 0
    private(set) var gradientEvaluations = 0
    /// The gradient is taken at every iterate, so every loss is known when the model forms it.
    var knowsEveryLoss: Bool { field.lossAtLastGradient != nil }
    /// The loss of w_{k−1} from its gradient (when the model forms it).
    var lastKnownLoss: (loss: Double, iteration: Int)? {
        guard iteration > 0, let loss = field.lossAtLastGradient else { return nil }
        return (loss, iteration - 1)
    }

    /// Constant η and β_1 … β_J.
    init(field: any Model, initialPosition: [Double], stepSize: Double, momenta: [Double], timePerStep: Double) {
        self.field = field
        n = initialPosition.count
        depth = momenta.count
        ring = (0..<(momenta.count + 2)).map { _ in DoubleBuffer(initialPosition) }
        gradientBuffer = DoubleBuffer(count: n)
        velocityBuffer = DoubleBuffer(count: n)
        self.timePerStep = timePerStep
        self.stepSize = stepSize
        self.momenta = momenta
        schedule = nil
    }

    /// η = h^p and β_{q,k} from c_j(t_k), t_k = t_0 + k h, for a flow of order p.
    init(field: any Model, initialPosition: [Double], flow: any ContinuousFlow, step h: Double, startTime: Double) {
        self.field = field
        n = initialPosition.count
        depth = flow.order - 1
        ring = (0..<(flow.order + 1)).map { _ in DoubleBuffer(initialPosition) }
        gradientBuffer = DoubleBuffer(count: n)
        velocityBuffer = DoubleBuffer(count: n)
        timePerStep = h
        let powers = ExplicitFlowDiscretization.powers(of: h, upTo: flow.order)
        stepSize = powers[flow.order]
        momenta = [Double](repeating: 0, count: flow.order - 1)
        schedule = FlowSchedule(flow: flow, step: h, startTime: startTime, powers: powers)
    }

    var position: VectorView { ring[head].readOnly }
    var velocity: VectorView { velocityBuffer.readOnly }

    func step() {
        if let s = schedule, depth > 0 {
            let t = s.startTime + Double(iteration) * s.step
            ExplicitFlowDiscretization.fillMomenta(flow: s.flow, at: t, powers: s.powers, into: &momenta)
        }
        let count = depth + 2
        let current = ring[head].view
        let out = ring[(head + depth + 1) % count].view
        let g = gradientBuffer.view
        field.gradient(at: current.readOnly, into: g)
        gradientEvaluations += 1
        let eta = stepSize
        for i in 0..<n { out[i] = current[i] - eta * g[i] }
        if depth > 0 {
            for q in 1...depth {
                let newer = ring[(head + q - 1) % count].view, older = ring[(head + q) % count].view
                let beta = momenta[q - 1]
                for i in 0..<n { out[i] += beta * (newer[i] - older[i]) }
            }
        }
        let v = velocityBuffer.view, tau = timePerStep
        for i in 0..<n { v[i] = (out[i] - current[i]) / tau }
        head = (head + depth + 1) % count
        iteration += 1
    }
}
