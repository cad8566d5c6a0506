extension KineticErrorSeries {
    /// Δ̇(t) (the first n-block's derivative) from the series: with y(t_b + sh) = Σ_k c_k s^k,
    /// ẏ = Σ_k k c_k s^{k−1}/h by Horner's rule, O(terms·n) instead of the n² product −H Δ
    /// (gradient flow, 002 eq. 4.3: Δ̇ = −H_P Δ on the current pattern, to the series'
    /// truncation). From the current step or, for t before it, the previous one, like `evaluate`.
    public func evaluateRate(at t: Double, into out: MutableVectorView) {
        let usePrevious = t < base && previousTerms > 0
        let c = usePrevious ? previous : coefficients
        let count = usePrevious ? previousTerms : terms
        let h = usePrevious ? previousLength : length
        let s = (t - (usePrevious ? previousBase : base)) / h
        let dim = dimension
        precondition(out.count >= n)
        let o = out.base
        if count < 2 {
            for i in 0..<n { o[i] = 0 }
            return
        }
        let last = c.base + (count - 1) * dim
        let top = Double(count - 1)
        for i in 0..<n { o[i] = top * last[i] }
        var k = count - 2
        while k >= 1 {
            let ck = c.base + k * dim, f = Double(k)
            for i in 0..<n { o[i] = o[i] * s + f * ck[i] }
            k -= 1
        }
        let scale = 1 / h
        for i in 0..<n { o[i] *= scale }
    }
}
