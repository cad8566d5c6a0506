import Foundation

/// How long a pair's pre-activation z_ri certainly keeps its sign (the kinetic solver's safe
/// time), from its value, rate and forcing at one instant and global bounds that hold for all
/// later times.
///
/// HBF (002 eq. 3.3): z̈ + bż = f with f(s) = −c_r (K_i ∘ d_r)·Δ(s), so with v = o·z oriented
/// (o = +1 active, −1 inactive; v > 0 valid) and φ(σ) = (1 − e^{−bσ})/b ∈ [σ − bσ²/2, σ],
///
///     v(τ) = v + φ(τ)v̇ + ∫_0^τ φ(τ − s) o f(s) ds.
///
/// The energy E = ½‖Δ‖² + ½‖Ẇ‖² does not increase, so ‖Δ(s)‖ ≤ Δmax = √(2E) and
/// ‖Δ̇(s)‖ = ‖J_P Ẇ‖ ≤ √λmax(K) ‖Ẇ‖ ≤ V = √λmax(K) Δmax (λmax(K ∘ C/m) ≤ λmax(K), Schur).
/// Two lower bounds of v follow (both valid; the safe time is the larger first root):
/// - crude: |f| ≤ B = |c_r| ‖K_i ∘ d_r‖ Δmax gives, with ψ(τ) = ∫_0^τ φ = (τ − φ(τ))/b,
///   v(τ) ≥ g(τ) = v + φ(τ)v̇ − Bψ(τ) ≥ v + v̇τ − (b v̇⁺ + B) τ²/2. The quadratic's root is
///   found first; g itself, which keeps the friction's limit on the drift (φ ≤ 1/b, so a pair
///   further than v̇/b from its surface is safe until the forcing can bring it there; ψ grows
///   only linearly), then extends it: g'' = −e^{−bτ}(b v̇ + B), so g rises at most once and then
///   falls (or only falls), and with g(0) = v ≥ 0, g(τ) ≥ 0 at one τ implies g ≥ 0 on [0, τ].
///   The extension (tried when bτ > 0.05) doubles τ while g(τ) ≥ 0 and bisects the last
///   doubling four times;
/// - second order: |f(s) − f(0)| ≤ G s, G = |c_r| ‖K_i ∘ d_r‖ V, gives
///   v(τ) ≥ v + v̇τ + (o f(0) − b v̇⁺) τ²/2 − (G + b (o f(0))⁺) τ³/6.
///
/// Gradient flow (002 eq. 4.3, no sliding): ż = f and L does not increase, so ‖Δ‖ ≤ Δmax,
/// ‖Δ̇‖ = ‖H_P Δ‖ ≤ λmax(K) Δmax, and v(τ) ≥ v − B τ, v(τ) ≥ v + o f(0) τ − G τ²/2 with
/// G = |c_r| ‖K_i ∘ d_r‖ λmax(K) Δmax.
///
/// Nesterov (002 eq. 4.3, damping γ/t): from the instant t_e, z̈ + (γ/t)ż = f gives
/// v(τ) = v + φ(τ)v̇ + ∫_0^τ∫_0^σ w(u, σ) o f(t_e + u) du dσ with w = ((t_e + u)/(t_e + σ))^γ.
/// By Bernoulli's inequality 1 ≥ w ≥ 1 − (γ/t_e)(σ − u), the same lower bounds as e^{−b(σ−u)}
/// with b = γ/t_e, and φ(τ) ≥ τ − (γ/t_e)τ²/2 likewise; the mechanical energy
/// ½‖Δ‖² + ½‖Ẇ‖² does not increase (ℰ̇ = −(γ/t)‖Ẇ‖²). So both bounds above hold with
/// `friction` = γ/t_e at each instant, but not the friction extension, which assumes the
/// friction b for all later times (γ/t decreases): `extendsWithFriction` is false.
struct SafeTimeBound {
    let order: Int
    /// b (HBF), or γ/t_e set before each bound (Nesterov).
    var friction: Double
    /// Whether the exact constant-friction extension of the crude bound applies (HBF only).
    var extendsWithFriction = true
    /// √(2E) at or before the instant: a bound of ‖Δ‖ for all later times.
    var residualBound: Double
    /// √λmax(K).
    let gramRoot: Double

    /// The safe time from oriented v ≥ 0, its rate and forcing, |c_r| and ‖K_i ∘ d_r‖.
    func safeTime(value v: Double, rate s: Double, forcing f: Double, coupling c: Double, gramNorm g: Double) -> Double {
        let bound = c * g * residualBound
        if order == 1 {
            let lipschitz = bound * gramRoot * gramRoot
            let crude = bound > 0 ? v / bound : .infinity
            let second = ReLUSwitchingKernel.firstRoot(v: v, slope: f, curvature: -lipschitz) ?? .infinity
            return max(crude, second)
        }
        let lipschitz = bound * gramRoot
        let b = friction
        let sp = max(s, 0)
        var crude = ReLUSwitchingKernel.firstRoot(v: v, slope: s, curvature: -(b * sp + bound)) ?? .infinity
        // Below bτ ≈ 0.05, φ and ψ are within a few percent of τ and τ²/2: nothing to gain.
        if extendsWithFriction, b * crude > 0.05, crude.isFinite { crude = frictionExtension(from: crude, value: v, rate: s, forcingBound: bound) }
        // The cubic v + sτ + q τ² − k τ³ is at least the quadratic with q − k·cap on [0, cap].
        let q = 0.5 * (f - b * sp), k = (lipschitz + b * max(f, 0)) / 6
        var cap = max(2 * crude, 1e-300)
        if !cap.isFinite { cap = 1 }
        var second = 0.0
        for _ in 0..<6 {
            let root = ReLUSwitchingKernel.firstRoot(v: v, slope: s, curvature: 2 * (q - k * cap)) ?? .infinity
            if root < cap {
                second = root
                break
            }
            second = cap
            cap *= 4
        }
        return max(crude, second)
    }

    /// The largest τ found with g(σ) = v + φ(σ)s − Bψ(σ) ≥ 0 on [0, τ], from a τ0 where it holds
    /// (the quadratic's root): doublings while g(2τ) ≥ 0 (at most 24), then four bisections.
    /// g is evaluated with a margin of 8 ulps of its terms, ψ by its Taylor series for bσ < 1e-3
    /// (where τ − φ(τ) cancels).
    private func frictionExtension(from start: Double, value v: Double, rate s: Double, forcingBound bound: Double) -> Double {
        let b = friction
        func valid(_ t: Double) -> Bool {
            let x = b * t
            let phi = -expm1(-x) / b
            let psi = x < 1e-3 ? t * t * (0.5 - x / 6 + x * x / 24) : (t - phi) / b
            let terms = v + abs(phi * s) + bound * psi
            return v + phi * s - bound * psi >= 8 * Double.ulpOfOne * terms
        }
        var lo = start, hi = 2 * start, doublings = 0
        while doublings < 24, valid(hi) {
            lo = hi
            hi *= 2
            doublings += 1
        }
        if doublings == 0 { return lo }
        for _ in 0..<4 {
            let mid = 0.5 * (lo + hi)
            if valid(mid) { lo = mid } else { hi = mid }
        }
        return lo
    }
}
