import Foundation

/// The damping c(t) of a neuron's motion ẅ_r + c(t)ẇ_r = F_r(t) in the kinetic solver, and the
/// free motion that its closed forms rest on (`KineticPairKernel`, `KineticErrorSeries`).
///
/// From a sync time t_e the homogeneous solutions are ẇ = e(t_e, t) and w = φ(t_e, t), with
///
///     e(t_e, t) = exp(−∫_{t_e}^t c),   φ(t_e, t) = ∫_{t_e}^t e(t_e, s) ds.
///
/// - constant friction b (heavy ball with friction, 002 eq. 3.3): e = e^{−bτ}, φ = (1 − e^{−bτ})/b,
///   τ = t − t_e (φ = τ when b = 0);
/// - γ/t (Nesterov's ODE, 002 eq. 4.3 with the damping of 4.1): e = (t_e/t)^γ and
///   φ = t_e (1 − (t/t_e)^{1−γ})/(γ − 1) (t_e ln(t/t_e) when γ = 1), computed from
///   ℓ = ln(1 + τ/t_e) with expm1 so that short intervals keep full precision.
public enum KineticDamping: Sendable, Equatable {
    case constant(Double)
    case inverseTime(gamma: Double)

    /// c(t).
    @inline(__always) public func coefficient(at t: Double) -> Double {
        switch self {
        case .constant(let b): return b
        case .inverseTime(let gamma): return gamma / t
        }
    }

    /// (φ(t_e, t), e(t_e, t)).
    @inline(__always) public func freeMotion(from te: Double, to t: Double) -> (phi: Double, decay: Double) {
        let tau = t - te
        switch self {
        case .constant(let b):
            if b == 0 { return (tau, 1) }
            return (-expm1(-b * tau) / b, exp(-b * tau))
        case .inverseTime(let gamma):
            if tau == 0 { return (0, 1) }
            let l = log1p(tau / te)
            let decay = exp(-gamma * l)
            let g1 = gamma - 1
            if g1 == 0 { return (te * l, decay) }
            return (te * -expm1(-g1 * l) / g1, decay)
        }
    }

    /// The longest Taylor step from t_b. Constant coefficients: unlimited (the caller's ρh ≤ 1
    /// applies). γ/t: the coefficients are analytic in the disc |t − t_b| < t_b, and the terms
    /// of the series behave like C(γ + k − 1, k) σ^k with σ = h/t_b; σ = min(1/4, 1/γ) brings
    /// them below 1e-18 of the first within the series' 40 terms for every γ (at γ = 8,
    /// C(47, 7)·8^{−40} ≈ 5e-29).
    @inline(__always) public func maximumStep(from tb: Double) -> Double {
        switch self {
        case .constant: return .infinity
        case .inverseTime(let gamma): return tb * min(0.25, 1 / gamma)
        }
    }

    /// Whether the damping is the same at every time.
    public var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }
}
