@preconcurrency internal import CGSL

/// Least-squares straight line y ≈ c0 + c1 x through GSL's `gsl_fit_linear`.
public struct LinearFit: Sendable {
    public let intercept: Double
    public let slope: Double
    /// Standard error of the slope, √cov11.
    public let slopeStandardError: Double
    /// Residual sum of squares.
    public let residualSumOfSquares: Double

    public init(x: [Double], y: [Double]) throws {
        GSL.disableAbortOnError()
        guard x.count == y.count, x.count >= 2 else {
            throw GSLError(status: GSL_EINVAL, context: "a line fit needs at least 2 points, got \(x.count)")
        }
        var c0 = 0.0, c1 = 0.0, cov00 = 0.0, cov01 = 0.0, cov11 = 0.0, sumsq = 0.0
        let status = x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                gsl_fit_linear(xp.baseAddress!, 1, yp.baseAddress!, 1, x.count,
                               &c0, &c1, &cov00, &cov01, &cov11, &sumsq)
            }
        }
        try GSL.check(status, "gsl_fit_linear")
        intercept = c0
        slope = c1
        slopeStandardError = cov11.squareRoot()
        residualSumOfSquares = sumsq
    }
}
