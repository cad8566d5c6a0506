import Foundation
import GradFlow

/// 003 Figs. 3–4 (l.301–322): NAG's max_r‖w_r(k) − w_r(0)‖ (Fig. 3) and activation-pattern
/// difference ratio (Fig. 4) against iteration for m ∈ {1250, …, 20 000}, 5 initializations
/// each on fixed data; Remark 3 (l.283–285) bounds both by O(1/√m).
enum Paper003WidthStudy {
    static let iterations = 200

    /// The quantity a figure shows.
    enum Quantity {
        case distance, pattern

        var column: Observable { self == .distance ? .maxWeightDistance : .patternChangeRatio }
        var scale: Double { self == .distance ? 1 : 100 }
        var label: String { self == .distance ? "max_r ‖w_r(k) − w_r(0)‖" : "pattern difference ratio (%)" }
        var name: String { self == .distance ? "distance" : "pattern" }
    }

    static let choices = [
        "Data: 003 uses MNIST/FMNIST/CIFAR10 (first two classes, 10 000 points) and UCI sets, none of which ship here; the bundled "
            + "digits01-64 (handwritten 0 vs 1, n = 64, d = 64, unit norm, ±1; --full: digits01, n = 360) stands in for MNIST's first two classes.",
        "Widths: default 250, 500, 1000, 2000; --full the paper's 1250, 2500, 5000, 10 000, 20 000.",
        "Iterations: 200 (003 gives no count). NAG in the two-sequence form of 003 Algorithm 1, η and β from 003 Table 1 on the "
            + "analytic H̄ = H∞ (recipe 003-nag, unadjusted κ).",
        "Seeds: the data are fixed; initialization seeds 0–4 vary W(0) and a (--init-seed), as 003's 5 runs.",
        "A claim of O(1/√m) agrees when the log-log slope of the mean over seeds at k = 200 against m is ≤ −0.4.",
    ]

    static func run(_ quantity: Quantity, figure: String, scale: Reproduction.Scale, recorder: ReproductionRecorder) throws {
        let widths = scale == .full ? [1250, 2500, 5000, 10_000, 20_000] : [250, 500, 1000, 2000]
        let dataset = scale == .full ? "digits01" : "digits01-64"
        let seeds = Array(0..<5)
        recorder.parameter("model", "two-layer ReLU, only W trained (003 eq. 7)")
        recorder.parameter("data", "--dataset \(dataset) (fixed)")
        recorder.parameter("widths m", widths.map(String.init).joined(separator: ", "))
        recorder.parameter("initialization seeds", "0–4")
        recorder.parameter("method", "nag:recipe=003-nag (η = 1/(2λmax(H∞)), β = (3√κ − 2)/(3√κ + 2))")
        recorder.parameter("iterations K", "\(iterations)")
        var finals: [[Double]] = []
        var series: [FigureSpecification.Series] = []
        for m in widths {
            var groups: [[String: RunResult]] = []
            for seed in seeds {
                groups.append(try recorder.compare(["--dataset", dataset, "--width", "\(m)", "--init-seed", "\(seed)", "--flows", "none",
                                                    "--methods", "nag:recipe=003-nag", "--iterations", "\(iterations)", "--points", "2"],
                                                   group: "m\(m)-seed\(seed)"))
            }
            let band = try recorder.band("\(quantity.name)-m\(m)", run: "nag", column: quantity.column, scale: quantity.scale, in: groups)
            series.append(band.series("m = \(m)"))
            finals.append(groups.map { $0["nag"]!.solution.final(quantity.column) * quantity.scale })
        }
        recorder.figure("\(figure): NAG, \(quantity.label) against iteration", x: "iteration k", y: quantity.label, yScale: "linear",
                        series: series)
        let widthAxis = widths.map(Double.init)
        let atK = try recorder.series("\(quantity.name)-vs-width", x: widthAxis, band: SeedBand(finals.map { $0 }.transposedBand()),
                                      description: "\(quantity.name) at k = \(iterations) against m, over initialization seeds")
        let means = finals.map { $0.reduce(0, +) / Double($0.count) }
        let reference = widthAxis.map { means[0] * (widthAxis[0] / $0).squareRoot() }
        let slope = Self.slope(x: widthAxis.map(log), y: means.map(log))
        let guide = try recorder.curve("\(quantity.name)-sqrt-reference", x: widthAxis, values: [reference],
                                       description: "c/√m through the smallest width's mean")
        recorder.figure("\(figure): NAG, \(quantity.label) at k = \(iterations) against width", x: "width m", y: quantity.label,
                        xScale: "log", yScale: "log",
                        series: [FigureSpecification.Series(label: "at k = \(iterations)", file: atK, style: .band), guide.series("∝ 1/√m", style: .bound)])
        let decreasing = zip(means, means.dropFirst()).allSatisfy { $0 > $1 }
        recorder.claim("\(quantity.label) at k = \(iterations) decreases with m", paper: "decreases as m grows (\(figure), l.301–308)",
                       measured: means.enumerated().map { "m=\(widths[$0.offset]): \(NumberFormat.short($0.element, digits: 3))" }.joined(separator: ", "),
                       value: means.last, verdict: decreasing ? .agrees : .disagrees)
        recorder.claim("log-log slope against m", paper: "O(1/√m), slope ≤ −½ (Remark 3, l.283–285)",
                       measured: NumberFormat.short(slope, digits: 3), value: slope, verdict: slope <= -0.4 ? .agrees : .disagrees)
        recorder.disagreement = "The mean \(quantity.name == "distance" ? "distance" : "pattern ratio") at k = \(iterations) falls with m at slope "
            + "\(NumberFormat.short(slope, digits: 3)) on log-log axes rather than −½: at these widths (smaller than the paper's by default) "
            + "the run is not yet in the regime of Remark 3's bound, whose constants hold only for m large enough."
    }

    /// Least-squares slope of y against x.
    static func slope(x: [Double], y: [Double]) -> Double {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +), sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        return sxy / sxx
    }
}

extension Array where Element == [Double] {
    /// Per-width values over seeds → per-seed arrays over widths (the layout `SeedBand` takes).
    func transposedBand() -> [[Double]] {
        guard let count = first?.count else { return [] }
        return (0..<count).map { s in map { $0[s] } }
    }
}

extension Reproduction {
    static let paper003Figure3 = Reproduction(
        id: "003-F3", title: "003 Fig. 3: NAG's max distance from initialization against iteration, for five widths",
        source: "papers/003 l.301–308, caption l.315; Remark 3 l.283–285",
        scales: ("digits01-64, m ∈ {250, 500, 1000, 2000}, 5 initialization seeds, 200 iterations",
                 "digits01, m ∈ {1250, 2500, 5000, 10000, 20000}, 5 seeds, 200 iterations"),
        choices: Paper003WidthStudy.choices,
        availability: .available { scale, recorder in try Paper003WidthStudy.run(.distance, figure: "003 Fig. 3", scale: scale, recorder: recorder) })

    static let paper003Figure4 = Reproduction(
        id: "003-F4", title: "003 Fig. 4: NAG's activation-pattern difference ratio against iteration, for five widths",
        source: "papers/003 l.301–308, caption l.322; Remark 3 l.283–285",
        scales: ("digits01-64, m ∈ {250, 500, 1000, 2000}, 5 initialization seeds, 200 iterations",
                 "digits01, m ∈ {1250, 2500, 5000, 10000, 20000}, 5 seeds, 200 iterations"),
        choices: Paper003WidthStudy.choices,
        availability: .available { scale, recorder in try Paper003WidthStudy.run(.pattern, figure: "003 Fig. 4", scale: scale, recorder: recorder) })
}
