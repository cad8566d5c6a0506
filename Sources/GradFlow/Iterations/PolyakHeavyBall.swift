/// Polyak's heavy ball (002 eq. 3.1–3.2; 000 Algorithms 1–2; 001 eq. 3):
///
///     difference form  w_{k+1} = w_k − η∇L(w_k) + β(w_k − w_{k−1}),   w_{−1} = w_0;
///     buffer form      M_k = βM_{k−1} + ∇L(w_k),  w_{k+1} = w_k − ηM_k,  M_{−1} = 0.
///
/// The two forms give the same iterates in exact arithmetic: w_1 = w_0 − η∇L(w_0) in both,
/// and for k ≥ 1, w_{k+1} − w_k = −η(βM_{k−1} + ∇L(w_k)) = β(w_k − w_{k−1}) − η∇L(w_k).
/// In floating point they round differently (the buffer form never forms w_k − w_{k−1}).
///
/// One time axis (DESIGN.md §3): HB is the explicit discretization of the heavy ball with
/// friction ẅ + bẇ + ∇L = 0 with step h = √η and β = 1 − bh, so t_k = k√η and the matching
/// flow is `HeavyBallFlow(friction: (1 − β)/√η)` (see `ExplicitFlowDiscretization`).
///
/// The difference form runs the model's structured iterator when it has one (the ReLU
/// network's kinetic iterator, `Model.structuredMomentumIterator`), the dense recurrence
/// otherwise; the buffer form always runs densely.
public struct PolyakHeavyBall: DiscreteMethod {
    /// Which of the two equivalent recurrences to run.
    public enum Form: String, Sendable, CaseIterable {
        /// w_{k+1} = w_k − η∇L(w_k) + β(w_k − w_{k−1}) (002 eq. 3.1).
        case difference
        /// M_k = βM_{k−1} + ∇L(w_k), w_{k+1} = w_k − ηM_k (002 eq. 3.2 with v = −M).
        case buffer
    }

    /// η > 0.
    public let stepSize: Double
    /// β (usually in [0, 1)).
    public let momentum: Double
    public let form: Form

    public init(stepSize: Double, momentum: Double, form: Form = .difference) {
        self.stepSize = stepSize
        self.momentum = momentum
        self.form = form
    }

    /// The HB that discretizes HBF with friction b at step h: η = h², β = 1 − bh.
    public init(discretizing flow: HeavyBallFlow, step h: Double, form: Form = .difference) {
        self.init(stepSize: h * h, momentum: 1 - flow.friction * h, form: form)
    }

    public var name: String { "hb" }
    public var parameters: [(String, Double)] { [("eta", stepSize), ("beta", momentum)] }
    /// t_k = k√η.
    public func time(ofIteration k: Int) -> Double { Double(k) * stepSize.squareRoot() }
    /// HBF with b = (1 − β)/√η.
    public var matchingFlow: (any ContinuousFlow)? {
        HeavyBallFlow(friction: (1 - momentum) / stepSize.squareRoot())
    }

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
        try DiscreteMethodInput.checkFinite(momentum, "momentum β")
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        let tau = stepSize.squareRoot()
        switch form {
        case .difference:
            if let structured = field.structuredMomentumIterator(initialPosition: initialPosition, stepSize: stepSize,
                                                                 momentum: momentum, timePerStep: tau) {
                return structured
            }
            return MomentumRecurrenceIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                              momenta: [momentum], timePerStep: tau)
        case .buffer:
            return MomentumBufferIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                          decay: momentum, gradientWeight: 1, timePerStep: tau)
        }
    }
}

extension PolyakHeavyBall {
    /// M = [[(1+β)I − ηH, −βI], [I, 0]] (001 Thm 5).
    public var residualPairIteration: LinearIteration? {
        LinearIteration(stepSize: stepSize, momentum: momentum, kind: .heavyBall)
    }
}
