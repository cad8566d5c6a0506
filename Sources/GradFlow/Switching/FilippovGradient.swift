/// The pattern-dependent half of the ReLU switching kernel: the Filippov gradient with
/// the sliding pairs' equivalent control (DESIGN §7; see `ReLUSwitchingKernel`).
extension ReLUSwitchingKernel {
    /// The Filippov gradient of L with the pattern frozen (see the type's comment), written
    /// into g (d×m). Δ is left in `lastResidual`.
    func filippovGradient(at w: VectorView, pattern: SwitchingPattern, into g: MutableVectorView) {
        let z = workspace
        preactivations(w, into: z)
        let mask = pattern.mask.readOnly
        residual(preactivations: z.readOnly, mask: mask, into: lastResidual.view)
        fillMaskedResidual(lastResidual.readOnly, mask: mask, into: z)
        for group in pattern.groups {
            let u = equivalentControl(neuron: group.neuron, samples: group.samples,
                                      inverseGram: group.inverseGram, residual: lastResidual.readOnly, mask: mask)
            let a = scaledOutputWeight(group.neuron)
            for (q, k) in group.samples.enumerated() { z[k * m + group.neuron] = a * u[q] }
        }
        inputsTransposed(times: z.readOnly, into: g)
    }

    /// The time derivative of the Filippov gradient along the flow for a residual rate Δ̇
    /// (pattern frozen): (a_r/√m) Π_r Σ_i Δ̇_i mask_ir x_i, written into g (d×m). Gradient
    /// flow needs it for z̈ = −x_iᵀ(∇L)˙_r.
    func filippovGradientRate(residualRate rate: VectorView, pattern: SwitchingPattern, into g: MutableVectorView) {
        let s = workspace
        let mask = pattern.mask.readOnly
        fillMaskedResidual(rate, mask: mask, into: s)
        for group in pattern.groups {
            let u = equivalentControl(neuron: group.neuron, samples: group.samples,
                                      inverseGram: group.inverseGram, residual: rate, mask: mask)
            let a = scaledOutputWeight(group.neuron)
            for (q, k) in group.samples.enumerated() { s[k * m + group.neuron] = a * u[q] }
        }
        inputsTransposed(times: s.readOnly, into: g)
    }
}
