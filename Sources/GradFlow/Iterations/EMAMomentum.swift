/// Gradient descent with exponential-moving-average momentum, "GD+M" of 004 §2:
///
///     g_{k+1} = γ g_k + (1 − γ)∇L(w_k),   w_{k+1} = w_k − η g_{k+1},   g_0 = 0.
///
/// **Equivalence with Polyak's heavy ball.** With M_k = g_{k+1}/(1 − γ):
/// M_k = γM_{k−1} + ∇L(w_k) and w_{k+1} = w_k − η(1 − γ)M_k, i.e. the HB buffer form with
/// β = γ and η_HB = η(1 − γ). The start g_0 = 0 (the usual one; 004's extraction does not
/// print it) gives M_{−1} = 0, which is HB's w_{−1} = w_0. Any other g_0 is HB with a non-zero
/// initial velocity: g_0 = ∇L(w_0) would mean M_{−1} = ∇L(w_0)/(1 − γ), i.e.
/// w_{−1} = w_0 + η∇L(w_0), a different trajectory (its first step is η∇L(w_0), a GD step).
/// The iterates are computed in the EMA form itself (not through HB), so the equivalence is
/// a test, not an identity of code.
///
/// One time axis: as the HB it equals, t_k = k√(η(1 − γ)) and the matching flow is the heavy
/// ball with friction (1 − γ)/√(η(1 − γ)) = √((1 − γ)/η).
public struct EMAMomentum: DiscreteMethod {
    /// η > 0.
    public let stepSize: Double
    /// γ ∈ [0, 1).
    public let averaging: Double

    public init(stepSize: Double, averaging: Double) {
        self.stepSize = stepSize
        self.averaging = averaging
    }

    /// The heavy ball with the same iterates: β = γ, η_HB = η(1 − γ).
    public var equivalentHeavyBall: PolyakHeavyBall {
        PolyakHeavyBall(stepSize: stepSize * (1 - averaging), momentum: averaging, form: .buffer)
    }

    public var name: String { "gdm" }
    public var parameters: [(String, Double)] { [("eta", stepSize), ("gamma", averaging)] }
    /// t_k = k√(η(1 − γ)).
    public func time(ofIteration k: Int) -> Double { equivalentHeavyBall.time(ofIteration: k) }
    public var matchingFlow: (any ContinuousFlow)? { equivalentHeavyBall.matchingFlow }

    /// γ = 1 would freeze the average (g_k = g_0 = 0: no step ever) and make the time per
    /// step √(η(1 − γ)) zero.
    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
        guard averaging.isFinite, averaging >= 0, averaging < 1 else {
            throw InputError("GD+M momentum γ", value: "\(averaging)", allowed: "must be in [0, 1)")
        }
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        return MomentumBufferIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                      decay: averaging, gradientWeight: 1 - averaging, timePerStep: timePerStep)
    }
}

extension EMAMomentum {
    /// That of the equivalent heavy ball.
    public func spectralRadius(eigenvalues: [Double]) throws -> Double? {
        try equivalentHeavyBall.spectralRadius(eigenvalues: eigenvalues)
    }
}
