@preconcurrency internal import CGSL

/// Repeated eigen-decompositions A = Q diag(μ) Qᵀ of small symmetric matrices of one size with
/// GSL's `gsl_eigen_symmv`, on buffers and a GSL workspace allocated once, so that a hot loop
/// (one decomposition per neuron per Gauss–Newton step) allocates nothing.
///
/// Write A row-major into `matrix` (GSL overwrites it), call `decompose()`, then read
/// `eigenvalue(k)` and column k of `vectors` (row-major). Eigenvalues are not sorted.
public final class SymmetricEigenWorkspace {
    public let size: Int
    public let matrix: DoubleBuffer
    public let vectors: DoubleBuffer
    private let values: DoubleBuffer
    private let workspace: UnsafeMutablePointer<gsl_eigen_symmv_workspace>

    public init(size: Int) {
        GSL.disableAbortOnError()
        precondition(size >= 1)
        self.size = size
        matrix = DoubleBuffer(count: size * size)
        vectors = DoubleBuffer(count: size * size)
        values = DoubleBuffer(count: size)
        workspace = gsl_eigen_symmv_alloc(size)!
    }

    deinit { gsl_eigen_symmv_free(workspace) }

    public func eigenvalue(_ k: Int) -> Double { values[k] }

    /// Decomposes `matrix` in place; throws a `GSLError` when GSL fails (it does not on finite
    /// symmetric input).
    public func decompose() throws {
        var a = gsl_matrix_view_array(matrix.base, size, size)
        var q = gsl_matrix_view_array(vectors.base, size, size)
        var mu = gsl_vector_view_array(values.base, size)
        try GSL.check(gsl_eigen_symmv(&a.matrix, &mu.vector, &q.matrix, workspace), "gsl_eigen_symmv")
    }
}
