@preconcurrency internal import CGSL

extension DenseMatrix {
    /// Solves A x = b for square A by LU decomposition with partial pivoting
    /// (`gsl_linalg_LU_decomp`, `gsl_linalg_LU_solve`); throws when A is singular.
    public func solve(_ b: [Double]) throws -> [Double] {
        GSL.disableAbortOnError()
        guard isSquare, b.count == rows, rows > 0 else {
            throw GSLError(status: Int(GSL_EBADLEN), context: "solve: a \(rows)x\(columns) system with \(b.count) right-hand sides")
        }
        let n = rows
        let a = gsl_matrix_alloc(n, n)!, x = gsl_vector_alloc(n)!, rhs = gsl_vector_alloc(n)!
        let permutation = gsl_permutation_alloc(n)!
        defer { gsl_matrix_free(a); gsl_vector_free(x); gsl_vector_free(rhs); gsl_permutation_free(permutation) }
        for i in 0..<n {
            gsl_vector_set(rhs, i, b[i])
            for j in 0..<n { gsl_matrix_set(a, i, j, self[i, j]) }
        }
        var sign: Int32 = 0
        try GSL.check(gsl_linalg_LU_decomp(a, permutation, &sign), "LU decomposition")
        var smallest = Double.infinity, largest = 0.0
        for i in 0..<n {
            let d = abs(gsl_matrix_get(a, i, i))
            smallest = min(smallest, d)
            largest = max(largest, d)
        }
        guard smallest > 1e-14 * largest else {
            throw GSLError(status: Int(GSL_ESING), context: "solve: the matrix is singular to working precision")
        }
        try GSL.check(gsl_linalg_LU_solve(a, permutation, rhs, x), "LU solve")
        return (0..<n).map { gsl_vector_get(x, $0) }
    }
}
