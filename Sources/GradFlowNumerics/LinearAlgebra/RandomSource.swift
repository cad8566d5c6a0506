@preconcurrency internal import CGSL

/// A seeded Mersenne-Twister stream (GSL's `gsl_rng_mt19937`): the same seed gives the
/// same numbers on every machine, so synthetic problems are reproducible bit for bit.
public final class RandomSource {
    private let rng: UnsafeMutablePointer<gsl_rng>
    public let seed: UInt64

    public init(seed: UInt64) {
        GSL.disableAbortOnError()
        rng = gsl_rng_alloc(gsl_rng_mt19937)!
        self.seed = seed
        gsl_rng_set(rng, UInt(seed))
    }

    deinit { gsl_rng_free(rng) }

    /// A standard normal draw (Box–Muller in `gsl_ran_gaussian`).
    public func gaussian() -> Double { gsl_ran_gaussian(rng, 1.0) }

    /// A uniform draw in [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// +1 or −1 with equal probability.
    public func sign() -> Double { gsl_rng_uniform(rng) < 0.5 ? -1 : 1 }
}
