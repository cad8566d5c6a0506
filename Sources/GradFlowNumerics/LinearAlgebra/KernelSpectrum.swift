@preconcurrency internal import CGSL

/// Extreme eigenvalues of a kernel matrix (GSL `gsl_eigen_symmv` through
/// `SymmetricEigensystem`): λ_min (λ0 when the matrix is H^∞), λ_max and κ = λ_max/λ_min.
public struct KernelSpectrum: Sendable {
    /// All eigenvalues, ascending.
    public let eigenvalues: [Double]
    public let lambdaMin: Double
    public let lambdaMax: Double
    /// λ_max / λ_min, or +∞ when λ_min ≤ 0 (a singular or numerically indefinite kernel).
    public let conditionNumber: Double

    /// The spectrum given by its eigenvalues (any order; at least one), for kernels whose
    /// eigenvalues come from a smaller matrix (JJᵀ from JᵀJ plus zeros).
    public init(eigenvalues values: [Double]) {
        precondition(!values.isEmpty)
        eigenvalues = values.sorted()
        lambdaMin = eigenvalues[0]
        lambdaMax = eigenvalues[eigenvalues.count - 1]
        conditionNumber = lambdaMin > 0 ? lambdaMax / lambdaMin : .infinity
    }

    /// Throws `GSLError` for a non-square, empty or non-finite matrix, or a GSL failure.
    public init(_ H: DenseMatrix) throws {
        guard H.rows > 0, H.isSquare else {
            throw GSLError(status: H.isSquare ? Int(GSL_EBADLEN) : Int(GSL_ENOTSQR),
                           context: "kernel spectrum of a \(H.rows)x\(H.columns) matrix (need a non-empty square matrix)")
        }
        let system = try SymmetricEigensystem(H)
        eigenvalues = system.values
        lambdaMin = system.minimum
        lambdaMax = system.maximum
        conditionNumber = lambdaMin > 0 ? lambdaMax / lambdaMin : .infinity
    }
}
