import Foundation
import GradFlow

extension Reproduction {
    /// 004 Fig. 2 (l.110–114): a sketch of the data (D) (l.229–248), X_i projected on the
    /// signal direction w* and a noise direction n: large-margin points near ±αw*,
    /// small-margin points near ±βw*, both spread along n by the noise patches.
    static let paper004Figure2 = Reproduction(
        id: "004-F2", title: "004 Fig. 2: the small/large-margin data (D) projected on w* and a noise direction",
        source: "papers/004 caption l.110–114; data (D) l.229–248",
        scales: ("N = 2000, d = 30, P = 5, data seed 0 (004-F3's default training set)", "N = 20000 (004-F3's --full training set)"),
        choices: [
            "The data are `--model margin-cnn`'s (D) with its documented defaults at d = 30: w* = e₁, α = d^0.49, β = 0.3, "
                + "σ = log(d)/√d, μ = 1/d, P = 5, and the signal patch's position uniform over the P patches; seed 0, the "
                + "training set 004-F3 trains on.",
            "004's figure is a sketch without axes' values. Here each sample is one point: x = ⟨X[P(X)], w*⟩, the signal "
                + "patch's coordinate along w* (c = αy or βy), and y = ⟨X[j], n⟩ for the first noise patch j, along n = e₂.",
            "The table checks the drawn data against the definition of (D): the signal values, the fraction μ of small-margin "
                + "points and the noise's σ, with 3-standard-error tolerances for the random quantities.",
        ],
        availability: .available { scale, recorder in
            let samples = scale == .full ? 20_000 : 2000
            let d = 30
            var specification = ProblemSpecification()
            specification.model = "margin-cnn"
            specification.samples = samples
            specification.dimension = d
            specification.seed = 0
            recorder.parameter("data", "(D) of --model margin-cnn --samples \(samples) --dimension \(d) --seed 0 (training set)")
            guard let model = try specification.build().model as? MarginPatchCNN else { return }
            let data = model.train, p = model.parameters
            recorder.parameter("α, β, σ, μ, P", [p.alpha, p.beta, p.sigma, p.mu].map { NumberFormat.short($0, digits: 4) }.joined(separator: ", ") + ", \(p.patches)")
            recorder.parameter("projection", "x = ⟨X[P(X)], w*⟩ with w* = e₁; y = ⟨X[j], e₂⟩ for the first noise patch j")
            // Per sample: the signal coordinate (the patches' e₁ entries sum to c, the noise
            // patches having e₁-coordinate 0) and the first noise patch's e₂ coordinate.
            var signal: [Double] = [], noise: [Double] = []
            var noiseOnSignalAxis = 0.0
            var noiseValues: [Double] = []
            for i in 0..<data.count {
                var c = 0.0, first: Double?
                for j in 0..<p.patches {
                    let row = (i * p.patches + j) * d
                    let patch = data.patches[row..<(row + d)]
                    if patch.dropFirst().allSatisfy({ $0 == 0 }) {
                        c += patch[row]
                    } else {
                        noiseOnSignalAxis = max(noiseOnSignalAxis, abs(patch[row]))
                        noiseValues += patch.dropFirst()
                        if first == nil { first = patch[row + 1] }
                    }
                }
                signal.append(c)
                noise.append(first ?? 0)
            }
            var series: [FigureSpecification.Series] = []
            for (small, kind) in [(false, "large margin"), (true, "small margin")] {
                for (label, y) in [("y = +1", 1.0), ("y = −1", -1.0)] {
                    let members = (0..<data.count).filter { data.isSmallMargin[$0] == small && data.labels[$0] == y }
                    let file = try recorder.series("\(small ? "small" : "large")-\(y > 0 ? "plus" : "minus")",
                                                   x: members.map { signal[$0] }, band: SeedBand([members.map { noise[$0] }]),
                                                   description: "\(kind), \(label): x = ⟨X[P(X)], w*⟩, mean = ⟨first noise patch, e₂⟩ (min = max = mean)")
                    series.append(FigureSpecification.Series(label: "\(kind), \(label) (\(members.count))", file: file, style: .scatter,
                                                             color: (small ? 2 : 0) + (y > 0 ? 0 : 1)))
                }
            }
            recorder.figure("004 Fig. 2: data (D) on the signal direction w* and a noise direction", x: "⟨X[P(X)], w*⟩",
                            y: "⟨X[j], n⟩, first noise patch", yScale: "linear", series: series)

            let large = data.indices(smallMargin: false), small = data.indices(smallMargin: true)
            let largeError = large.map { abs(signal[$0] - p.alpha * data.labels[$0]) }.max() ?? 0
            let smallError = small.map { abs(signal[$0] - p.beta * data.labels[$0]) }.max() ?? 0
            recorder.claim("large-margin signal ⟨X[P(X)], w*⟩", paper: "αy with probability 1 − μ (l.233–238), α = d^0.49 (l.241)",
                           measured: "\(large.count) points, max |c − αy| = \(NumberFormat.short(largeError, digits: 3)) (α = \(NumberFormat.short(p.alpha, digits: 4)))",
                           value: largeError, verdict: largeError <= 1e-12 * p.alpha ? .agrees : .disagrees)
            recorder.claim("small-margin signal ⟨X[P(X)], w*⟩", paper: "βy with probability μ (l.233–238), β < α (l.242, garbled; 0.3 chosen)",
                           measured: "\(small.count) points, max |c − βy| = \(NumberFormat.short(smallError, digits: 3)) (β = \(NumberFormat.short(p.beta, digits: 4)))",
                           value: smallError, verdict: smallError <= 1e-12 * p.alpha && p.beta < p.alpha ? .agrees : .disagrees)
            // The fraction of small-margin points is binomial(N, μ)/N: within 3 standard errors.
            let fraction = Double(small.count) / Double(data.count)
            let fractionSE = (p.mu * (1 - p.mu) / Double(data.count)).squareRoot()
            recorder.claim("fraction of small-margin points", paper: "μ = 1/poly(d) (l.246; 1/d chosen)",
                           measured: "\(NumberFormat.short(fraction, digits: 4)) (μ = \(NumberFormat.short(p.mu, digits: 4)), standard error \(NumberFormat.short(fractionSE, digits: 2)))",
                           value: fraction, verdict: abs(fraction - p.mu) <= 3 * fractionSE ? .agrees : .disagrees)
            // The noise entries are N(0, σ²) off w*: their sample standard deviation has standard
            // error ≈ σ/√(2M) for M entries.
            let count = Double(noiseValues.count)
            let spread = (noiseValues.map { $0 * $0 }.reduce(0, +) / count).squareRoot()
            let spreadSE = p.sigma / (2 * count).squareRoot()
            recorder.claim("noise patches: N(0, σ²(I − w*w*ᵀ))", paper: "orthogonal to w*, standard deviation σ (l.239; σ garbled at l.242, log(d)/√d chosen)",
                           measured: "max |⟨X[j], w*⟩| = \(NumberFormat.short(noiseOnSignalAxis, digits: 3)); rms of \(noiseValues.count) entries "
                            + "\(NumberFormat.short(spread, digits: 4)) (σ = \(NumberFormat.short(p.sigma, digits: 4)))",
                           value: spread, verdict: noiseOnSignalAxis == 0 && abs(spread - p.sigma) <= 3 * spreadSE ? .agrees : .disagrees)
            // The caption's reading: large-margin points ≈ αw* (small noise component relative
            // to the signal), small-margin points spread along n (noise component larger).
            func spreadRatio(_ members: [Int]) -> Double {
                members.map { abs(noise[$0]) }.reduce(0, +) / max(members.map { abs(signal[$0]) }.reduce(0, +), .leastNonzeroMagnitude)
            }
            let largeRatio = spreadRatio(large), smallRatio = spreadRatio(small)
            recorder.claim("mean |noise component| / mean |signal component|", paper: "large margin: small noise component, ≈ αw*; small margin: "
                            + "large noise component, well spread along n (caption l.110–114)",
                           measured: "large margin \(NumberFormat.short(largeRatio, digits: 3)), small margin \(NumberFormat.short(smallRatio, digits: 3))",
                           value: smallRatio, verdict: largeRatio < 1 && smallRatio > 1 ? .agrees : .disagrees)
            let positive = data.labels.filter { $0 > 0 }.count
            let balanceSE = (0.25 / Double(data.count)).squareRoot()
            let share = Double(positive) / Double(data.count)
            recorder.claim("labels", paper: "y uniform on {±1} (l.231)", measured: "\(positive) of \(data.count) are +1 (\(NumberFormat.short(share, digits: 4)))",
                           value: share, verdict: abs(share - 0.5) <= 3 * balanceSE ? .agrees : .disagrees)
        })
}
