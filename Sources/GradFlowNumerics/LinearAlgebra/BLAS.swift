@preconcurrency internal import CGSL

/// Thin wrappers around the CBLAS routines that OpenBLAS provides. Internal: only the
/// linear-algebra layer and the model kernels built on it call these.
public enum BLAS {
    @inline(__always)
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Double, a: UnsafePointer<Double>, lda: Int,
                     b: UnsafePointer<Double>, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// The upper triangle of C ← Aᵀ A for a row-major k×n matrix A (C n×n row-major, the
    /// strictly lower triangle untouched): dsyrk, half the flops of the GEMM.
    @inline(__always)
    public static func gramOfColumns(n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                                     c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), 1, a, Int32(lda), 0, c, Int32(ldc))
    }

    /// y ← A x for a row-major m×n matrix A.
    @inline(__always)
    public static func gemv(m: Int, n: Int, a: UnsafePointer<Double>, x: UnsafePointer<Double>,
                     y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(n), x, 1, 0, y, 1)
    }

    /// y ← A x for a row-major m×n matrix held in a buffer.
    @inline(__always)
    public static func multiply(_ a: DoubleBuffer, rows m: Int, columns n: Int, _ x: VectorView, into y: MutableVectorView) {
        gemv(m: m, n: n, a: UnsafePointer(a.base), x: x.base, y: y.base)
    }

    /// C ← A B for row-major A (m×k), B (k×n), C (m×n) held in buffers.
    @inline(__always)
    public static func multiply(_ a: DoubleBuffer, _ b: DoubleBuffer, into c: DoubleBuffer, m: Int, n: Int, k: Int) {
        gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: UnsafePointer(a.base), lda: k,
             b: UnsafePointer(b.base), ldb: n, beta: 0, c: c.base, ldc: n)
    }

    @inline(__always)
    public static func norm2(_ x: UnsafeBufferPointer<Double>) -> Double {
        x.isEmpty ? 0 : cblas_dnrm2(Int32(x.count), x.baseAddress!, 1)
    }

    @inline(__always)
    public static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        cblas_ddot(Int32(count), x, 1, y, 1)
    }
}

/// OpenBLAS threading, chosen explicitly because two threads on a loaded two-core
/// machine can be many times slower than one.
public enum BLASThreads {
    /// Sets the number of OpenBLAS threads (at least 1).
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var current: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build configuration string, for the output's version record. Read once:
    /// `openblas_get_config` assembles the string in a static buffer, so two threads calling
    /// it at once (parallel runs writing their records) can get it doubled.
    public static let configuration: String = String(cString: openblas_get_config())

    /// The CPU kernel OpenBLAS selected (read once, as `configuration`).
    public static let coreName: String = String(cString: openblas_get_corename())
}
