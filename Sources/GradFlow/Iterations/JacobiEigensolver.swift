/// Eigen-decomposition A = V diag(μ) Vᵀ of a small symmetric matrix by the cyclic Jacobi
/// method (Golub & Van Loan, Matrix Computations, Alg. 8.5.3), on preallocated buffers so
/// that repeated decompositions (one per neuron per Gauss–Newton step) allocate nothing.
/// GSL's `gsl_eigen_symmv` (`SymmetricEigensystem`) allocates its workspaces on every call.
///
/// Each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal
/// Frobenius norm is ≤ 1e-15·‖A‖_F (quadratic convergence: typically 5–8 sweeps), at most
/// 64 sweeps. Eigenvalues are accurate to about ε‖A‖₂ and the eigenvectors orthonormal to
/// about ε·size.
final class JacobiEigensolver {
    let size: Int
    /// The matrix to decompose (row-major size×size; write it, then call `decompose()`).
    /// On return its diagonal holds the eigenvalues (unsorted).
    let matrix: DoubleBuffer
    /// On return, column k is the unit eigenvector of eigenvalue(k).
    let vectors: DoubleBuffer

    init(size: Int) {
        self.size = size
        matrix = DoubleBuffer(count: size * size)
        vectors = DoubleBuffer(count: size * size)
    }

    func eigenvalue(_ k: Int) -> Double { matrix[k * size + k] }

    /// Diagonalizes `matrix` in place; returns the number of sweeps used.
    @discardableResult
    func decompose() -> Int {
        let d = size
        let a = matrix.view, v = vectors.view
        for i in 0..<(d * d) { v[i] = 0 }
        for i in 0..<d { v[i * d + i] = 1 }
        var total = 0.0
        for i in 0..<(d * d) { total += a[i] * a[i] }
        let tolerance = 1e-30 * total
        var sweeps = 0
        while sweeps < 64 {
            var off = 0.0
            for i in 0..<d { for j in 0..<d where j != i { off += a[i * d + j] * a[i * d + j] } }
            if off <= tolerance || off == 0 { break }
            sweeps += 1
            for p in 0..<d {
                for q in (p + 1)..<d {
                    let apq = a[p * d + q]
                    if apq == 0 { continue }
                    // Symmetric Schur decomposition of the (p, q) 2×2 block (GVL Alg. 8.5.1).
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * apq)
                    // √(θ² + 1), written as |θ| where θ² would overflow.
                    let root = abs(theta) > 1e150 ? abs(theta) : (theta * theta + 1).squareRoot()
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + root)
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    // A ← A J (columns p, q), then A ← Jᵀ A (rows p, q), V ← V J.
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    // The rotation zeroes (p, q) in exact arithmetic; store the exact zero.
                    a[p * d + q] = 0
                    a[q * d + p] = 0
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return sweeps
    }
}
