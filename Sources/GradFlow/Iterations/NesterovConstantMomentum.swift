/// Nesterov's accelerated gradient with a constant momentum β (003 eqs. 4–5; the
/// PyTorch/TensorFlow form 002 §4 mentions):
///
///     v_{k+1} = w_k − η∇L(w_k),   w_{k+1} = v_{k+1} + β(v_{k+1} − v_k).
///
/// **Start convention.** Eliminating v gives, for k ≥ 1 (where v_k = w_{k−1} − η∇L(w_{k−1})),
/// the one-line form (003 eq. 6)
///
///     w_{k+1} = w_k − η∇L(w_k) + β(w_k − w_{k−1}) − βη(∇L(w_k) − ∇L(w_{k−1})).
///
/// The two differ on the first step only:
/// - `.twoSequence` (003, v_0 = w_0): w_1 = v_1 + β(v_1 − w_0) = w_0 − (1 + β)η∇L(w_0);
/// - `.oneLine` (w_{−1} = w_0, so both differences vanish at k = 0): w_1 = w_0 − η∇L(w_0),
///   a plain GD step. This equals the two-sequence recurrence started at
///   v_0 = w_0 − η∇L(w_0) (= v_1), which is how it is run: same iterates in exact arithmetic,
///   one gradient per step and no extra buffer for ∇L(w_{k−1}).
/// On the frozen kernel the one-line start is the recursion [ξ_{k+1}; ξ_k] = M[ξ_k; ξ_{k−1}],
/// M = [[(1+β)(I − ηH), −β(I − ηH)], [I, 0]], from [ξ_0; ξ_0]; the two-sequence start is the
/// same recursion from [ξ_1; ξ_0] with ξ_1 = (I − (1+β)ηH)ξ_0.
///
/// One time axis: t_k = k√η; in the low-resolution limit (η → 0 with (1 − β)/√η fixed) NAG
/// follows the heavy ball with friction b = (1 − β)/√η, the matching flow (the extra
/// −βη(∇L_k − ∇L_{k−1}) term is O(η^{3/2}) per step; 002 §3 and footnote 2).
public struct NesterovConstantMomentum: DiscreteMethod {
    public enum Start: String, Sendable, CaseIterable {
        /// v_0 = w_0 (003 eqs. 4–5, 002 eq. 4.1): w_1 = w_0 − (1 + β)η∇L(w_0).
        case twoSequence
        /// The one-line form with w_{−1} = w_0: w_1 = w_0 − η∇L(w_0).
        case oneLine
    }

    /// η > 0.
    public let stepSize: Double
    /// β.
    public let momentum: Double
    public let start: Start

    public init(stepSize: Double, momentum: Double, start: Start = .twoSequence) {
        self.stepSize = stepSize
        self.momentum = momentum
        self.start = start
    }

    public var name: String { "nag" }
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
        return NesterovIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                schedule: .constant(momentum), oneLineStart: start == .oneLine,
                                timePerStep: stepSize.squareRoot())
    }
}

extension NesterovConstantMomentum {
    /// M = [[(1+β)(I − ηH), −β(I − ηH)], [I, 0]] (003 eqs. 22–23).
    public var residualPairIteration: LinearIteration? {
        LinearIteration(stepSize: stepSize, momentum: momentum, kind: .nesterov)
    }
}
