extension SafeTimeBound {
    /// How long a sliding pair certainly keeps sliding (gradient flow, 002 eq. 4.3 with the
    /// sliding of §4), and the kernel-change budget under which that holds.
    ///
    /// Its sliding values v (`SlidingValue`; it exits when one turns negative) are linear
    /// functionals v = ℓ·Δ of the errors, with ‖ℓ‖ ≤ N (`norm`, `KineticSlidingNeurons`) fixed
    /// while the neuron's mask and sliding set are (its pairs are re-bounded when they change).
    /// L does not increase, so ‖Δ(s)‖ ≤ D = min(Δmax, ‖Δ(t)‖) for s ≥ t, and ‖H_P‖ ≤ λ = λmax(K)
    /// (H_P ⪯ K ∘ C/m: the projections only remove). Two lower bounds of v(t + τ):
    /// - first order: |v̇| ≤ N ‖Δ̇‖ = N ‖H_P Δ‖ ≤ NλD, so v ≥ v(t) − NλDτ, whatever happens
    ///   elsewhere;
    /// - second order: between switches Δ̈ = −H_P Δ̇, so ‖Δ̇‖ does not increase and
    ///   |v̈| ≤ Nλ‖Δ̇‖; at a switch anywhere H_P changes by ΔH and Δ̇ jumps by −ΔH Δ, at most
    ///   ‖ΔH‖D. With Ψ = Σ‖ΔH‖ over the switches in (t, t + τ] and D₁ = ‖Δ̇(t)‖, ‖Δ̇‖ ≤ D₁ + DΨ
    ///   and v ≥ v(t) + v̇(t)τ − Nλ(D₁ + DΨ)τ²/2 − NDΨτ. The safe time τ* is the first root of
    ///   v(t)/2 + v̇(t)τ − NλD₁τ²/2, valid while Ψ ≤ budget = v(t)/(2ND(τ* + λτ*²/2)) (the Ψ
    ///   terms then take at most the other half of v(t)); the solver re-bounds the pair when
    ///   the switches' Ψ exceeds the budget first (`KineticPiecesSolver.expireBudgets`).
    /// The second is used when it is longer. (The O(e) jumps of Δ at switches, located to the
    /// event tolerance e, are neglected here as in the crossing bounds.)
    func exitTime(margin v: Double, rate s: Double, norm: Double, residualNorm: Double,
                  rateNorm: Double) -> (time: Double, budget: Double) {
        let bound = min(residualBound, residualNorm * (1 + 1e-9))
        let lambda = gramRoot * gramRoot
        let drift = norm * lambda * bound
        let linear = drift > 0 ? max(v, 0) / drift : .infinity
        guard v > 0, norm * bound > 0 else { return (linear, .infinity) }
        let curvature = norm * lambda * rateNorm * (1 + 1e-9)
        guard let second = ReLUSwitchingKernel.firstRoot(v: 0.5 * v, slope: s, curvature: -curvature),
              second > linear else { return (linear, .infinity) }
        return (second, 0.5 * v / (norm * bound * (second + 0.5 * lambda * second * second)))
    }
}
