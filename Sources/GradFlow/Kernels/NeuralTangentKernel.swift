import Foundation

/// Gram matrices of the two-layer ReLU network (first layer trained): the empirical neural
/// tangent kernel H(W) and its infinite-width limit H^∞.
public enum NeuralTangentKernel {
    /// The empirical kernel of 002 eq. (2.6):
    ///
    ///     H(W)_ij = (1/m) x_iᵀx_j Σ_r 1[w_rᵀx_i ≥ 0] 1[w_rᵀx_j ≥ 0].
    ///
    /// `X` is n×d (row i = x_i); `W` is d×m (column r = w_r), the network's storage.
    /// Computed as (X Xᵀ) ⊙ (M Mᵀ) / m with Z = X W and the 0/1 mask M = 1[Z ≥ 0] — three
    /// BLAS products, O(n m d + n² (m + d)). M Mᵀ counts are integers, exact in doubles.
    /// The result is exactly symmetric (the upper triangle is copied from the lower).
    public static func empirical(inputs X: DenseMatrix, weights W: DenseMatrix) -> DenseMatrix {
        precondition(X.columns == W.rows,
                     "NTK: inputs are \(X.rows)x\(X.columns) but weights are \(W.rows)x\(W.columns) (need d×m)")
        let n = X.rows, m = W.columns
        guard n > 0 else { return DenseMatrix(rows: 0, columns: 0) }
        guard m > 0 else { return DenseMatrix(rows: n, columns: n) }
        let z = X * W
        var mask = [Double](repeating: 0, count: n * m)
        for e in 0..<(n * m) { mask[e] = z.elements[e] >= 0 ? 1 : 0 }
        let counts = DenseMatrix.gramOfRows(mask, rows: n, columns: m)
        let gram = DenseMatrix.gramOfRows(X.elements, rows: n, columns: X.columns)
        var h = DenseMatrix(rows: n, columns: n)
        let scale = 1.0 / Double(m)
        for i in 0..<n {
            for j in 0...i {
                let v = gram[i * n + j] * counts[i * n + j] * scale
                h[i, j] = v
                h[j, i] = v
            }
        }
        return h
    }

    /// The infinite-width limit, 002 Fact 2.2 (expectation over w ~ N(0, I_d)):
    ///
    ///     H^∞_ij = x_iᵀx_j (π − arccos(c_ij)) / (2π),  c_ij = x_iᵀx_j / (‖x_i‖ ‖x_j‖),
    ///
    /// c clamped to [−1, 1]; for non-unit inputs the cosine goes inside arccos. A pair with
    /// a zero-norm input contributes 0 (x_iᵀx_j = 0 there).
    ///
    /// Accuracy: arccos is ill-conditioned near c = ±1 (an error ε in c gives ≈ √(2ε) in the
    /// angle), so for |c| > 0.5 the angle is taken from Kahan's form
    /// θ = 2 atan2(‖u − v‖, ‖u + v‖), u = x_i/‖x_i‖, v = x_j/‖x_j‖, which is accurate for
    /// every angle; the diagonal uses θ = 0 exactly, giving H^∞_ii = ‖x_i‖²/2.
    public static func limit(inputs X: DenseMatrix) -> DenseMatrix {
        let n = X.rows, d = X.columns
        guard n > 0 else { return DenseMatrix(rows: 0, columns: 0) }
        let gram = DenseMatrix.gramOfRows(X.elements, rows: n, columns: d)
        let norms = (0..<n).map { gram[$0 * n + $0].squareRoot() }
        var h = DenseMatrix(rows: n, columns: n)
        for i in 0..<n {
            h[i, i] = 0.5 * gram[i * n + i]
            for j in 0..<i {
                let g = gram[i * n + j]
                guard norms[i] > 0, norms[j] > 0 else { continue }
                // √(G_ii G_jj) rather than ‖x_i‖‖x_j‖: equals |G_ii| exactly when G_ii = G_jj.
                let c = min(1, max(-1, g / (gram[i * n + i] * gram[j * n + j]).squareRoot()))
                let theta: Double
                if abs(c) <= 0.5 {
                    theta = acos(c)
                } else {
                    var diff = 0.0, sum = 0.0
                    for k in 0..<d {
                        let u = X[i, k] / norms[i], v = X[j, k] / norms[j]
                        diff += (u - v) * (u - v)
                        sum += (u + v) * (u + v)
                    }
                    theta = 2 * atan2(diff.squareRoot(), sum.squareRoot())
                }
                let v = g * (Double.pi - theta) / (2 * Double.pi)
                h[i, j] = v
                h[j, i] = v
            }
        }
        return h
    }
}
