/// Nesterov's accelerated gradient with the increasing momentum of 002 eq. 4.1 (Su, Boyd &
/// Candès' generalization, γ = 3 classical):
///
///     v_{k+1} = w_k − η∇L(w_k),   w_{k+1} = v_{k+1} + β_k (v_{k+1} − v_k),   v_0 = w_0.
///
/// **Indexing.** 002 writes β = (k−1)/(k+γ−1) with the step counter k of Su–Boyd–Candès,
/// which starts at 1 (x_1 = y_0 − s∇f(y_0), y_1 = x_1 + 0·(x_1 − x_0)). Taken literally with
/// a 0-based counter the first coefficient would be −1/(γ−1). Here the step from w_k to
/// w_{k+1} (0-based k) uses β_k = k/(k + γ), i.e. (k'−1)/(k'+γ−1) with k' = k + 1: the first
/// step has zero momentum and is a GD step, so the one-line and two-sequence starts coincide.
///
/// One time axis: t_k = k√η; as η → 0 the iterates follow Nesterov's ODE
/// ẅ + (γ/t)ẇ + ∇L = 0, ẇ(0) = 0 (002 eq. 4.2), the matching flow.
public struct NesterovIncreasingMomentum: DiscreteMethod {
    /// η > 0.
    public let stepSize: Double
    /// γ > 0.
    public let gamma: Double

    public init(stepSize: Double, gamma: Double = NesterovFlow.defaultGamma) {
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// β_k = k/(k + γ) for the step from w_k to w_{k+1}.
    public func momentum(atStep k: Int) -> Double { Double(k) / (Double(k) + gamma) }

    public var name: String { "nag-gamma" }
    public var parameters: [(String, Double)] { [("eta", stepSize), ("gamma", gamma)] }
    /// t_k = k√η.
    public func time(ofIteration k: Int) -> Double { Double(k) * stepSize.squareRoot() }
    public var matchingFlow: (any ContinuousFlow)? { NesterovFlow(gamma: gamma) }

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
        guard gamma.isFinite, gamma > 0 else {
            throw InputError("Nesterov γ", value: "\(gamma)", allowed: "must be finite and > 0")
        }
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        return NesterovIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                schedule: .increasing(gamma: gamma), oneLineStart: false,
                                timePerStep: stepSize.squareRoot())
    }
}

extension NesterovIncreasingMomentum {
    /// β_k → 1: the loss falls as a power of k, like the Nesterov ODE's.
    public var lossLaw: RateFit.Law { .power }
}
