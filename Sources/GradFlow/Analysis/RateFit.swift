import Foundation

/// A decay rate fitted to a sampled loss curve by least squares (GSL `gsl_fit_linear`).
public struct RateFit: Sendable {
    /// How the loss is modelled.
    public enum Law: String, Sendable {
        /// L ≈ C e^{−rate·t}: slope of ln L against t.
        case exponential
        /// L ≈ C t^{−rate}: slope of ln L against ln t.
        case power
    }

    public let law: Law
    /// The fitted rate (positive for decay).
    public let rate: Double
    /// Its standard error from the fit.
    public let standardError: Double
    /// The window [start, end] of times the fit used.
    public let window: ClosedRange<Double>
    public let pointCount: Int

    /// Fits `law` to (t, loss) samples over a window chosen from the data: it ends at the last
    /// sample before the loss reaches the floating-point floor `floorRatio`·L(0) and starts
    /// `startFraction` of the way into that usable range, past the initial transient. Needs
    /// at least 3 points in the window.
    public init(times: [Double], losses: [Double], law: Law,
                startFraction: Double = 0.25, floorRatio: Double = 1e-24) throws {
        guard times.count == losses.count, let first = losses.first, let tEnd = times.last else {
            throw InputError("rate fit", value: "\(times.count) times and \(losses.count) losses", allowed: "equal, non-empty samples")
        }
        let floor = max(first * floorRatio, Double.leastNormalMagnitude)
        // The usable samples end before the loss first reaches the floor (or stops being finite
        // and positive); the window is the part of that range after `startFraction` of it.
        var end = 0
        while end < losses.count, losses[end].isFinite, losses[end] > 0, losses[end] >= floor { end += 1 }
        let t0 = times.first ?? 0
        let lastUsable = end > 0 ? times[end - 1] : tEnd
        let tStart = t0 + startFraction * (lastUsable - t0)
        var xs: [Double] = [], ys: [Double] = [], used: [Double] = []
        for i in 0..<end {
            let t = times[i]
            if t < tStart || (law == .power && t <= 0) { continue }
            xs.append(law == .power ? log(t) : t)
            ys.append(log(losses[i]))
            used.append(t)
        }
        guard xs.count >= 3 else {
            throw InputError("rate fit", value: "\(xs.count) usable samples",
                             allowed: "at least 3 samples above the floating-point floor are needed after t = \(tStart)")
        }
        let fit = try LinearFit(x: xs, y: ys)
        self.law = law
        rate = -fit.slope
        standardError = fit.slopeStandardError
        window = used.first!...used.last!
        pointCount = xs.count
    }
}
