import Foundation

/// Gradient descent w_{k+1} = w_k − η∇L(w_k) (002 §2; Du et al., quoted as 002 Theorem 1),
/// the forward-Euler discretization of gradient flow ẇ = −∇L with step h = η, so
/// t_k = kη and the matching flow is `GradientFlow`. A model with a structured iterator (the
/// ReLU network's kinetic one, `Model.structuredMomentumIterator`) runs it; others the dense
/// recurrence.
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

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        if let structured = field.structuredMomentumIterator(initialPosition: initialPosition, stepSize: stepSize,
                                                             momentum: 0, timePerStep: stepSize) {
            return structured
        }
        return MomentumRecurrenceIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                          momenta: [], timePerStep: stepSize)
    }
}

extension GradientDescent {
    /// max |1 − ηλ| over the spectrum.
    public func spectralRadius(eigenvalues: [Double]) throws -> Double? {
        eigenvalues.map { abs(1 - stepSize * $0) }.max()
    }

    /// In the linear regime GD contracts every mode by |1 − ηλ|: L_k ≤ ρ^{2k} L_0.
    public func lossBounds(eigenvalues: [Double], initialLoss: Double) throws -> [BoundCheck] {
        guard let rho = try spectralRadius(eigenvalues: eigenvalues) else { return [] }
        return [BoundCheck(name: "L_k ≤ ρ^{2k} L_0, ρ = max|1 − ηλ| = \(NumberFormat.short(rho, digits: 5))",
                           source: "GD on the frozen H(0) (linear regime)", column: .loss,
                           timeColumn: .iteration) { k in pow(rho, 2 * k) * initialLoss }]
    }
}
