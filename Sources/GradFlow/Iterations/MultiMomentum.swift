import Foundation

/// Gradient descent with J momenta (002 §5.1):
///
///     w_{k+1} = w_k − η∇L(w_k) + Σ_{j=1}^{J} β_j (w_{k−j+1} − w_{k−j}),   w_{−j} = w_0,
///
/// GD for J = 0 and Polyak's heavy ball for J = 1. Its limit is the (J+1)-th order flow
/// w^{(J+1)} + Σ_j b_j w^{(j)} + ∇L = 0 (002 eq. 5.1) with step h = η^{1/(J+1)}, so
/// t_k = k·h. The matching flow's b_j come from inverting the map of
/// `ExplicitFlowDiscretization.momentumCoefficients(damping:step:)`:
/// the method is exactly the explicit discretization of that flow with step h.
public struct MultiMomentum: DiscreteMethod {
    /// η > 0.
    public let stepSize: Double
    /// β_1 … β_J.
    public let momenta: [Double]

    public init(stepSize: Double, momenta: [Double]) {
        self.stepSize = stepSize
        self.momenta = momenta
    }

    /// The explicit discretization of `flow` (constant damping) with step h:
    /// η = h^{J+1} and β from `ExplicitFlowDiscretization.momentumCoefficients`.
    public init(discretizing flow: HigherOrderMomentumFlow, step h: Double) {
        let powers = ExplicitFlowDiscretization.powers(of: h, upTo: flow.order)
        self.init(stepSize: powers[flow.order],
                  momenta: ExplicitFlowDiscretization.momentumCoefficients(damping: flow.coefficients, step: h))
    }

    /// J.
    public var depth: Int { momenta.count }
    /// h = η^{1/(J+1)}.
    public var step: Double {
        switch depth {
        case 0: return stepSize
        case 1: return stepSize.squareRoot()  // the same τ as PolyakHeavyBall
        default: return pow(stepSize, 1 / Double(depth + 1))
        }
    }

    public var name: String { "multi" }
    public var parameters: [(String, Double)] {
        [("eta", stepSize)] + momenta.enumerated().map { ("beta\($0.offset + 1)", $0.element) }
    }
    /// t_k = k η^{1/(J+1)}.
    public func time(ofIteration k: Int) -> Double { Double(k) * step }
    /// The flow with b = `ExplicitFlowDiscretization.damping(momentumCoefficients:step:)`:
    /// `GradientFlow` for J = 0, `HeavyBallFlow` for J = 1, `HigherOrderMomentumFlow` for J ≥ 2.
    public var matchingFlow: (any ContinuousFlow)? {
        let b = ExplicitFlowDiscretization.damping(momentumCoefficients: momenta, step: step)
        switch depth {
        case 0: return GradientFlow()
        case 1: return HeavyBallFlow(friction: b[0])
        default: return HigherOrderMomentumFlow(coefficients: b)
        }
    }

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(stepSize)
        for (j, beta) in momenta.enumerated() { try DiscreteMethodInput.checkFinite(beta, "momentum β\(j + 1)") }
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        return MomentumRecurrenceIterator(field: field, initialPosition: initialPosition, stepSize: stepSize,
                                          momenta: momenta, timePerStep: step)
    }
}

extension MultiMomentum {
    /// On a frozen kernel each eigenmode obeys ξ_{k+1} = (1 − ηλ)ξ_k + Σ_j β_j(ξ_{k−j+1} − ξ_{k−j}),
    /// whose characteristic polynomial is
    ///
    ///     z^{J+1} − (1 − ηλ) z^J − Σ_j β_j z^{J−j+1} + Σ_j β_j z^{J−j}
    ///
    /// (002 §5.1; J = 1 gives heavy ball's z² − (1 + β − ηλ)z + β). The spectral radius is the
    /// largest root modulus over the spectrum.
    public func spectralRadius(eigenvalues: [Double]) throws -> Double? {
        let J = depth
        var radius = 0.0
        for lambda in eigenvalues {
            var c = [Double](repeating: 0, count: J + 2)
            c[J + 1] = 1
            c[J] = -(1 - stepSize * lambda)
            for (index, beta) in momenta.enumerated() {
                let j = index + 1
                c[J - j + 1] -= beta
                c[J - j] += beta
            }
            let roots = J == 0 ? [Complex(-c[0])] : try SpecialFunctions.polynomialRoots(coefficients: c)
            for z in roots { radius = max(radius, (z.re * z.re + z.im * z.im).squareRoot()) }
        }
        return radius
    }
}
