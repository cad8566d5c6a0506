/// One discrete run: a method on a gradient field from w_0 for K iterations, observed by
/// monitors at chosen iteration indices, on the continuous time axis of the method
/// (`DiscreteMethod.time(ofIteration:)`), so that it can be set beside a `Simulation` of the
/// matching flow.
///
/// Output: a `Trajectory` with columns ["k", "t"] + the monitors' columns. Monitors see a
/// `StateSnapshot` with the iterate w_k, the finite-difference velocity (w_k − w_{k−1})/τ
/// and the flow `method.matchingFlow ?? GradientFlow()` (whose energy is then evaluated
/// along the iterates). `statistics.evaluations` counts the method's gradient evaluations
/// (not the monitors'), `statistics.steps` the iterations taken.
///
/// Divergence: the iterate is checked after every step and the loss and pseudo-loss at every
/// sample; on the first NaN/Inf the run stops with `earlyStop = .diverged(time: t_k)`,
/// keeping the samples before it (the non-finite sample itself is not recorded).
public struct DiscreteRun {
    public let method: any DiscreteMethod
    public let field: any GradientField
    public let initialPosition: [Double]
    /// K.
    public let iterations: Int
    /// The sampled k, strictly increasing, in 0 … K.
    public let sampleIterations: [Int]
    public let monitors: [any Monitor]

    public init(method: any DiscreteMethod, field: any GradientField, initialPosition: [Double],
                iterations: Int, sampleIterations: [Int], monitors: [any Monitor]) throws {
        guard iterations >= 0 else {
            throw InputError("iterations", value: "\(iterations)", allowed: "must be ≥ 0")
        }
        guard !sampleIterations.isEmpty else {
            throw InputError("sample iterations", value: "none", allowed: "give at least one iteration index in 0…\(iterations)")
        }
        if let bad = sampleIterations.first(where: { $0 < 0 || $0 > iterations }) {
            throw InputError("sample iterations", value: "\(bad)", allowed: "must lie in 0…\(iterations)")
        }
        for (a, b) in zip(sampleIterations, sampleIterations.dropFirst()) where b <= a {
            throw InputError("sample iterations", value: "\(a) then \(b)", allowed: "must be strictly increasing")
        }
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        self.method = method
        self.field = field
        self.initialPosition = initialPosition
        self.iterations = iterations
        self.sampleIterations = sampleIterations
        self.monitors = monitors
    }

    /// The flow the monitors are given.
    public var flow: any ContinuousFlow { method.matchingFlow ?? GradientFlow() }

    public var columns: [String] { ["k", "t"] + monitors.flatMap(\.columns) }

    public func run() throws -> Trajectory {
        let iterator = try method.makeIterator(field: field, initialPosition: initialPosition)
        let flow = self.flow
        var trajectory = Trajectory(columns: columns)
        var nextSample = 0

        func finish() -> Trajectory {
            trajectory.statistics.evaluations = iterator.gradientEvaluations
            trajectory.statistics.steps = iterator.iteration
            return trajectory
        }

        for k in 0...iterations {
            if k > 0 {
                iterator.step()
                if !iterator.position.isFinite {
                    trajectory.earlyStop = .diverged(time: method.time(ofIteration: k))
                    return finish()
                }
            }
            guard nextSample < sampleIterations.count, sampleIterations[nextSample] == k else { continue }
            nextSample += 1
            let t = method.time(ofIteration: k)
            let snapshot = StateSnapshot(time: t, position: iterator.position, velocity: iterator.velocity,
                                         field: field, flow: flow)
            guard snapshot.loss.isFinite, snapshot.pseudoLoss.isFinite else {
                trajectory.earlyStop = .diverged(time: t)
                return finish()
            }
            trajectory.rows.append([Double(k), t] + monitors.flatMap { $0.measure(snapshot) })
        }
        return finish()
    }
}
