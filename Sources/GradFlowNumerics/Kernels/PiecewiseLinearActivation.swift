/// A continuous piecewise-linear activation (002 §6: ReLU, leaky ReLU, and any activation
/// given by breakpoints and slopes): slopes s_0 … s_K on (−∞, c_1), (c_1, c_2), …, (c_K, ∞),
/// anchored at σ(0) = 0, so σ(z) = ∫_0^z σ'(t) dt. ReLU is c = (0), s = (0, 1); leaky ReLU
/// with slope s is c = (0), s = (s, 1). At a breakpoint σ' takes the slope on its left.
public struct PiecewiseLinearActivation: Sendable, Equatable {
    public let breakpoints: [Double]
    public let slopes: [Double]
    /// σ(c_k), the value at each breakpoint.
    private let values: [Double]

    /// Nil unless the breakpoints are finite and strictly increasing and there is one more
    /// slope than breakpoints, all finite.
    public init?(breakpoints: [Double], slopes: [Double]) {
        guard slopes.count == breakpoints.count + 1, slopes.allSatisfy(\.isFinite), breakpoints.allSatisfy(\.isFinite),
              zip(breakpoints, breakpoints.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        self.breakpoints = breakpoints
        self.slopes = slopes
        // σ(c_k) = ∫_0^{c_k} σ': walk from the piece holding 0.
        var v = [Double](repeating: 0, count: breakpoints.count)
        for (k, c) in breakpoints.enumerated() {
            var integral = 0.0
            let (lo, hi, sign) = c >= 0 ? (0.0, c, 1.0) : (c, 0.0, -1.0)
            var left = -Double.infinity
            for (p, s) in slopes.enumerated() {
                let right = p < breakpoints.count ? breakpoints[p] : .infinity
                let a = max(left, lo), b = min(right, hi)
                if b > a { integral += s * (b - a) }
                left = right
            }
            v[k] = sign * integral
        }
        values = v
    }

    public static let relu = PiecewiseLinearActivation(breakpoints: [0], slopes: [0, 1])!

    /// Leaky ReLU with slope `s` for z < 0.
    public static func leaky(_ s: Double) -> PiecewiseLinearActivation? {
        PiecewiseLinearActivation(breakpoints: [0], slopes: [s, 1])
    }

    /// The index of the piece holding z (z at a breakpoint belongs to the piece on its left).
    @inline(__always) public func piece(_ z: Double) -> Int {
        var k = 0
        while k < breakpoints.count && z > breakpoints[k] { k += 1 }
        return k
    }

    /// σ'(z).
    @inline(__always) public func slope(_ z: Double) -> Double { slopes[piece(z)] }

    /// σ(z).
    @inline(__always) public func value(_ z: Double) -> Double {
        let k = piece(z)
        if k == 0 {
            return breakpoints.isEmpty ? slopes[0] * z : values[0] + slopes[0] * (z - breakpoints[0])
        }
        return values[k - 1] + slopes[k] * (z - breakpoints[k - 1])
    }

    /// Piece k's affine function at any z (its extension beyond the piece): σ_k(z), equal to
    /// σ(z) on piece k. A switching solver holds each pair on its piece inside a step.
    @inline(__always) public func value(_ z: Double, onPiece k: Int) -> Double {
        if k == 0 {
            return breakpoints.isEmpty ? slopes[0] * z : values[0] + slopes[0] * (z - breakpoints[0])
        }
        return values[k - 1] + slopes[k] * (z - breakpoints[k - 1])
    }

    /// How far z lies inside piece k: min(z − c_k, c_{k+1} − z) over the piece's finite ends
    /// (negative outside, +∞ when the piece is the whole line).
    @inline(__always) public func margin(_ z: Double, onPiece k: Int) -> Double {
        let lower = k > 0 ? z - breakpoints[k - 1] : .infinity
        let upper = k < breakpoints.count ? breakpoints[k] - z : .infinity
        return min(lower, upper)
    }

    /// True for a single breakpoint at 0: positively homogeneous (the leaky-ReLU family),
    /// whose infinite-width kernel has a closed form.
    public var isHomogeneous: Bool { breakpoints == [0] }
}
