import Foundation

/// 004's synthetic data distribution (D) (l.229–248): P patches in R^d, one signal patch
/// X[P(X)] = c·w* with c = αy (large margin, probability 1 − μ) or βy (small margin,
/// probability μ), and noise patches X[j] ~ N(0, σ²(I − w*w*ᵀ)) on the others; y uniform ±1.
///
/// **Choices where the extraction is garbled or silent** (documented in the README's model
/// reference and recorded in every output):
/// - w* = e₁. The noise patches and the N(0, σ0²I) initialization are rotation invariant,
///   so this loses no generality; the noise then has e₁-coordinate 0 and N(0, σ²) entries
///   elsewhere.
/// - The signal patch's position P(X) is uniform over the P patches.
/// - The defaults take polylog(d) := log d and poly(d) := d: α = d^0.49 (legible, l.242),
///   σ = log(d)/√d, μ = 1/d, so at d = 30: α ≈ 5.30, σ ≈ 0.62, μ ≈ 0.033. The small-margin
///   signal β is illegible ("β = …α"); the default β = 0.3, with the initialization
///   variance σ0² = 10⁻³ of `MarginPatchCNN`, was chosen by a sweep (β ∈ {0.1, 0.3, 1},
///   σ0² ∈ {10⁻⁴, 10⁻³, 10⁻², log(d)/d}; N = 2000, d = 30, GD η = 0.5 against GD+M η = 2,
///   γ = 0.9, 2000 iterations) as a setting where both fit the training set and GD
///   memorizes the small-margin points while GD+M does not, the regime 004 analyses. At
///   β = 1 both generalize; at σ0² = log(d)/d the cubic outputs at initialization are so
///   large that the first step fits everything.
/// - The held-out set is drawn with the margin kind fixed: half large-margin, half
///   small-margin, so that the small-margin accuracy is measured on as many points as the
///   large-margin one (an unconditioned test set of 2000 would hold only about 2000μ ≈ 67
///   small-margin points).
///
/// Draw order from the seed: for each training sample y, the margin kind, the signal
/// position, then the noise patches (patch by patch, coordinates 2…d); then the test samples
/// the same way with the kind fixed (large-margin half first).
public struct MarginData: Sendable {
    /// The (N·P)×d patches, row-major; the patches of sample i are rows iP … iP + P − 1.
    public var patches: [Double]
    public var labels: [Double]
    /// True for the small-margin samples (c = βy).
    public var isSmallMargin: [Bool]
    public let patchesPerSample: Int
    public let dimension: Int

    public var count: Int { labels.count }

    /// The parameters of (D).
    public struct Parameters: Sendable, Equatable {
        public var alpha: Double
        public var beta: Double
        public var sigma: Double
        public var mu: Double
        public var patches: Int

        /// The documented defaults at dimension d (see the type's documentation).
        public static func defaults(dimension d: Int) -> Parameters {
            let logD = log(Double(max(d, 2)))
            return Parameters(alpha: pow(Double(d), 0.49), beta: 0.3, sigma: logD / Double(d).squareRoot(),
                              mu: 1 / Double(d), patches: 5)
        }
    }

    /// Draws `count` samples of (D); `smallMargin` fixes the kind (nil: small with probability μ).
    public static func draw(count: Int, dimension d: Int, parameters p: Parameters, smallMargin: Bool?,
                            random: RandomSource) -> MarginData {
        var data = MarginData(patches: [], labels: [], isSmallMargin: [], patchesPerSample: p.patches, dimension: d)
        data.patches.reserveCapacity(count * p.patches * d)
        for _ in 0..<count {
            let y = random.sign()
            let small = smallMargin ?? (random.uniform() < p.mu)
            let position = min(Int(random.uniform() * Double(p.patches)), p.patches - 1)
            let c = (small ? p.beta : p.alpha) * y
            for j in 0..<p.patches {
                if j == position {
                    data.patches.append(c)
                    data.patches.append(contentsOf: repeatElement(0, count: d - 1))
                } else {
                    data.patches.append(0)
                    for _ in 1..<d { data.patches.append(p.sigma * random.gaussian()) }
                }
            }
            data.labels.append(y)
            data.isSmallMargin.append(small)
        }
        return data
    }

    /// The samples whose kind is `small`, in order.
    public func indices(smallMargin small: Bool) -> [Int] {
        (0..<count).filter { isSmallMargin[$0] == small }
    }
}
