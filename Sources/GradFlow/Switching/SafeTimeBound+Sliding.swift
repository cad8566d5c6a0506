extension SafeTimeBound {
    /// How long a sliding pair certainly keeps sliding (gradient flow, 002 eq. 4.3 with the
    /// sliding of §4): its sliding values v (`SlidingValue`; it exits when one turns negative)
    /// are linear functionals v = ℓ·Δ of the errors with ‖ℓ‖ ≤ `norm`
    /// (`KineticSlidingNeurons`), so |v̇| ≤ norm ‖Δ̇‖ = norm ‖H_P Δ‖ ≤ norm λmax(K) Δmax
    /// (H_P ⪯ K ∘ C/m, whose λmax ≤ λmax(K): the projections only remove) and
    /// v(τ) ≥ v − norm λmax(K) Δmax τ. First order only: Δ̇ jumps at every switch of another
    /// neuron, so v̇ has no Lipschitz bound.
    func exitTime(margin v: Double, norm: Double) -> Double {
        let rate = norm * gramRoot * gramRoot * residualBound
        return rate > 0 ? max(v, 0) / rate : .infinity
    }
}
