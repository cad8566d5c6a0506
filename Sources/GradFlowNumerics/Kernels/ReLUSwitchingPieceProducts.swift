/// Products used by the piecewise-exact propagation (`ExactPiecesSolver`). With the pattern
/// fixed, Â_kr = (a_r/√m) mask_kr (n×m) carries everything the piece needs:
///
/// - the piece kernel H = G ∘ (Â Âᵀ) (before the sliding corrections);
/// - the pre-activation response to an n-vector φ, T = (G diag φ) Â, i.e.
///   T_ir = (a_r/√m) Σ_k G_ik mask_kr φ_k = x_iᵀ (J_Pᵀ φ)_r;
/// - the weight response J_Pᵀφ = Xᵀ (diag φ Â), column r = (a_r/√m) Σ_k mask_kr φ_k x_k.
extension ReLUSwitchingKernel {
    /// out (n×m) ← Â = (a_r/√m) mask.
    public func scaledMask(_ mask: VectorView, into out: MutableVectorView) {
        let ones = DoubleBuffer(count: n, repeating: 1)
        fillMaskedResidual(ones.readOnly, mask: mask, into: out)
    }

    /// Â Âᵀ, n×n row-major.
    public func maskOuterProduct(_ scaled: VectorView) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        out.withUnsafeMutableBufferPointer { c in
            BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: m, alpha: 1,
                      a: scaled.base, lda: m, b: scaled.base, ldb: m, beta: 0, c: c.baseAddress!, ldc: n)
        }
        return out
    }

    /// out (rows: one n×m block per φ) ← (G diag φ) Â for each φ in `phis`, as one GEMM.
    public func preactivationResponse(_ phis: [[Double]], scaledMask: VectorView, into out: MutableVectorView) {
        let count = phis.count
        var left = [Double](repeating: 0, count: count * n * n)
        for (b, phi) in phis.enumerated() {
            for i in 0..<n {
                for k in 0..<n { left[(b * n + i) * n + k] = gram.base[i * n + k] * phi[k] }
            }
        }
        leftMultiply(left, rows: count * n, times: scaledMask, into: out)
    }

    /// (G diag φ Â)_ir for one pair: (a_r/√m) Σ_k G_ik mask_kr φ_k.
    @inline(__always)
    public func preactivationResponse(sample i: Int, neuron r: Int, phi: [Double], scaledMask: VectorView) -> Double {
        var s = 0.0
        for k in 0..<n { s += gram.base[i * n + k] * scaledMask.base[k * m + r] * phi[k] }
        return s
    }

    /// out (d×m) ← Xᵀ diag(φ) Â = J_Pᵀφ.
    public func weightResponse(_ phi: [Double], scaledMask: VectorView, into out: MutableVectorView, workspace: MutableVectorView) {
        for i in 0..<n {
            let f = phi[i]
            let src = scaledMask.base + i * m, dst = workspace.base + i * m
            for r in 0..<m { dst[r] = f * src[r] }
        }
        inputsTransposed(times: workspace.readOnly, into: out)
    }

    /// out ← Σ_l c_l base_l + addend, elementwise over equal-length blocks.
    public func combine(_ coefficients: [Double], _ bases: [VectorView], plus addend: VectorView?, into out: MutableVectorView) {
        let count = out.count
        let o = out.base
        if let addend {
            o.update(from: addend.base, count: count)
        } else {
            o.update(repeating: 0, count: count)
        }
        for (c, b) in zip(coefficients, bases) where c != 0 {
            let s = b.base
            for k in 0..<count { o[k] += c * s[k] }
        }
    }

    /// Subtracts from column r of a d×m block its component in span{x_k : k ∈ samples}:
    /// v_r ← v_r − X_Kᵀ G_KK⁻¹ X_K v_r (the projection Π_r of a sliding neuron).
    public func projectColumn(neuron r: Int, samples: [Int], inverseGram: [Double], of v: MutableVectorView) {
        project(neuron: r, samples: samples, inverseGram: inverseGram, weights: v)
    }
}
