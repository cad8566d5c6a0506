extension DenseMatrix {
    /// A Aᵀ for a row-major rows×columns array A (BLAS dgemm), row-major rows×rows.
    public static func gramOfRows(_ a: [Double], rows: Int, columns: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * rows)
        guard columns > 0 else { return out }
        a.withUnsafeBufferPointer { ap in
            out.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: rows, k: columns,
                          alpha: 1, a: ap.baseAddress!, lda: columns,
                          b: ap.baseAddress!, ldb: columns,
                          beta: 0, c: cp.baseAddress!, ldc: rows)
            }
        }
        return out
    }
}
