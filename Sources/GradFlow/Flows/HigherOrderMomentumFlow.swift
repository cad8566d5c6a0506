import Foundation

/// Higher-order momentum x^{(J+1)} + Σ_{j=1}^{J} b_j x^{(j)} + ∇Φ(x) = 0 (002 §5.1, eq. 5.1),
/// the continuous limit of multi-momentum methods. J ≥ 2; J = 1 is the heavy ball.
/// 002 gives no Lyapunov function for it; on a frozen kernel one is constructed per mode.
public struct HigherOrderMomentumFlow: ContinuousFlow {
    /// b_1 … b_J.
    public let coefficients: [Double]

    public init(coefficients: [Double]) {
        self.coefficients = coefficients
    }

    public var name: String { "higher-order" }
    public var order: Int { coefficients.count + 1 }
    public func damping(_ j: Int, at t: Double) -> Double { coefficients[j - 1] }
    public var parameters: [(String, Double)] {
        coefficients.enumerated().map { ("b\($0.offset + 1)", $0.element) }
    }

    /// The energy built per eigenmode from AᵀP + PA = −I (`ModalLyapunovEnergy`).
    public func constructedEnergy(frozenKernel: SymmetricEigensystem) -> ModalLyapunovEnergy? {
        try? ModalLyapunovEnergy(kernel: frozenKernel, flow: self)
    }

    /// On a frozen kernel: the constructed energy, V(t) ≤ e^{−μt} V(0). On the weights H(t)
    /// moves, so there is no modal energy: the loss rate of the characteristic roots on H(0).
    public func energyDecay(lambda0: Double, frozenKernel: SymmetricEigensystem?,
                            initialEigenvalues: [Double]) throws -> EnergyDecay {
        if let frozenKernel, let modal = constructedEnergy(frozenKernel: frozenKernel) {
            let mu = modal.decayRate
            var decay = EnergyDecay(law: .exponential, fitted: .energy, bound: { t in exp(-mu * t) },
                                    theory: (mu, "constructed: per-mode Lyapunov equation AᵀP + PA = −I, μ = min 1/λmax(P)"))
            decay.energyChecks = { v0 in
                [BoundCheck(name: "V(t) ≤ e^{-μt} V(0), μ = \(NumberFormat.short(mu, digits: 4))",
                            source: "constructed modal Lyapunov function", column: .energy,
                            fromTime: .leastNonzeroMagnitude, bound: { t in exp(-mu * t) * v0 })]
            }
            return decay
        }
        let rate = try linearizedLossRate(eigenvalues: initialEigenvalues)
        return EnergyDecay(law: .exponential, fitted: .energy, bound: nil,
                           theory: rate.map { ($0, "characteristic roots on H(0) (loss rate; no Lyapunov function on the weights)") })
    }
}
