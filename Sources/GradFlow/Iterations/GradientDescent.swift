/// Gradient descent w_{k+1} = w_k − η∇L(w_k) (002 §2; Du et al., quoted as 002 Theorem 1),
/// the forward-Euler discretization of gradient flow ẇ = −∇L with step h = η, so
/// t_k = kη and the matching flow is `GradientFlow`.
public struct GradientDescent: DiscreteMethod {
    /// η > 0.
    public let stepSize: Double

    public init(stepSize: Double) {
        self.stepSize = stepSize
    }

    public var name: String { "gd" }
    public var parameters: [(String, Double)] { [("eta", stepSize)] }
    /// t_k = kη.
    public func time(ofIteration k: Int) -> Double { Double(k) * stepSize }
    public var matchingFlow: (any ContinuousFlow)? { GradientFlow() }

    public func makeIterator(field: any GradientField, initialPosition: [Double]) throws -> any DiscreteIterator {
        try DiscreteMethodInput.checkStepSize(stepSize)
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        return MomentumRecurrenceIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                          momenta: [], timePerStep: stepSize)
    }
}
