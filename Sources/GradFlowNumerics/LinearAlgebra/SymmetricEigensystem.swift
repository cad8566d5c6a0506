@preconcurrency internal import CGSL

/// Eigen-decomposition A = Q diag(λ) Qᵀ of a real symmetric matrix, computed with GSL's
/// `gsl_eigen_symmv`. Eigenvalues are sorted ascending; column k of `vectors` belongs to
/// `values[k]`.
public struct SymmetricEigensystem: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Orthogonal matrix whose columns are the eigenvectors.
    public let vectors: DenseMatrix

    public var minimum: Double { values.first ?? .nan }
    public var maximum: Double { values.last ?? .nan }
    /// λ_max / λ_min.
    public var conditionNumber: Double { maximum / minimum }

    /// Decomposes `matrix`, which must be square and symmetric to 1e-10 relative.
    public init(_ matrix: DenseMatrix) throws {
        GSL.disableAbortOnError()
        guard matrix.isSquare else {
            throw GSLError(status: GSL_ENOTSQR, context: "eigen-decomposition of a \(matrix.rows)x\(matrix.columns) matrix")
        }
        guard matrix.elements.allSatisfy(\.isFinite) else {
            throw GSLError(status: GSL_EDOM, context: "eigen-decomposition of a matrix with NaN or Inf")
        }
        let n = matrix.rows
        if n == 0 { values = []; vectors = DenseMatrix(rows: 0, columns: 0); return }
        let a = gsl_matrix_alloc(n, n)!
        let evec = gsl_matrix_alloc(n, n)!
        let eval = gsl_vector_alloc(n)!
        let work = gsl_eigen_symmv_alloc(n)!
        defer {
            gsl_matrix_free(a); gsl_matrix_free(evec); gsl_vector_free(eval); gsl_eigen_symmv_free(work)
        }
        // Symmetrize: GSL reads only the lower triangle; averaging removes rounding asymmetry.
        for i in 0..<n {
            for j in 0..<n {
                gsl_matrix_set(a, i, j, 0.5 * (matrix[i, j] + matrix[j, i]))
            }
        }
        try GSL.check(gsl_eigen_symmv(a, eval, evec, work), "gsl_eigen_symmv")
        try GSL.check(gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_ASC), "gsl_eigen_symmv_sort")
        values = (0..<n).map { gsl_vector_get(eval, $0) }
        var q = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { q[i, j] = gsl_matrix_get(evec, i, j) } }
        vectors = q
    }

    /// Qᵀ v: coordinates of `v` in the eigenbasis.
    public func coordinates(of v: [Double]) -> [Double] {
        let n = values.count
        var out = [Double](repeating: 0, count: n)
        for k in 0..<n {
            var s = 0.0
            for i in 0..<n { s += vectors[i, k] * v[i] }
            out[k] = s
        }
        return out
    }

    /// Q c: the vector whose eigenbasis coordinates are `c`.
    public func vector(fromCoordinates c: [Double]) -> [Double] {
        let n = values.count
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for k in 0..<n { s += vectors[i, k] * c[k] }
            out[i] = s
        }
        return out
    }
}
