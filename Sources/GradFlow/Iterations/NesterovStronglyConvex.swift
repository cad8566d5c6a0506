/// NAG-SC of 002 footnote 2: the two-sequence Nesterov recurrence with the constant momentum
///
///     β = (1 − √(λ0η/2)) / (1 + √(λ0η/2)),
///
/// for a pseudo-loss that is λ0/2-strongly convex (λ_min(H) ≥ λ0/2). 002 pairs it with the
/// heavy ball with friction b = √(2λ0) of Theorem 2, which is the matching flow here: indeed
/// (1 − β)/√η = √(2λ0)/(1 + √(λ0η/2)) → √(2λ0) as η → 0. t_k = k√η.
public struct NesterovStronglyConvex: DiscreteMethod {
    /// η > 0.
    public let stepSize: Double
    /// λ0 > 0 (λ_min of H^∞ or of the run's kernel).
    public let lambda0: Double
    public let start: NesterovConstantMomentum.Start

    public init(stepSize: Double, lambda0: Double, start: NesterovConstantMomentum.Start = .twoSequence) {
        self.stepSize = stepSize
        self.lambda0 = lambda0
        self.start = start
    }

    /// β = (1 − √(λ0η/2))/(1 + √(λ0η/2)).
    public var momentum: Double {
        let s = (lambda0 * stepSize / 2).squareRoot()
        return (1 - s) / (1 + s)
    }

    public var name: String { "nag-sc" }
    public var parameters: [(String, Double)] { [("eta", stepSize), ("lambda0", lambda0), ("beta", momentum)] }
    public func time(ofIteration k: Int) -> Double { Double(k) * stepSize.squareRoot() }
    /// HBF with b = √(2λ0) (002 footnote 2 and Theorem 2).
    public var matchingFlow: (any ContinuousFlow)? { HeavyBallFlow.theorem2(lambda0: lambda0) }

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
        guard lambda0.isFinite, lambda0 > 0 else {
            throw InputError("NAG-SC λ0", value: "\(lambda0)", allowed: "must be finite and > 0")
        }
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        return try NesterovConstantMomentum(stepSize: stepSize, momentum: momentum, start: start)
            .makeIterator(field: field, initialPosition: initialPosition)
    }
}

extension NesterovStronglyConvex {
    /// NAG's transition matrix with its β.
    public func spectralRadius(eigenvalues: [Double]) throws -> Double? {
        try LinearIteration(stepSize: stepSize, momentum: momentum, kind: .nesterov).regime(eigenvalues: eigenvalues).spectralRadius
    }
}
