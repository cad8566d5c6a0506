import GradFlow

/// 003 Figs. 2, 5 and 6 (l.299–340): GD, HB and NAG with 003 Table 1's parameters on one
/// data set and width, 5 initializations: training loss (Fig. 2, mean and min–max band),
/// max distance from initialization (Fig. 5) and pattern difference ratio (Fig. 6) against
/// iteration.
enum Paper003MethodStudy {
    static let iterations = 200
    static let methods = ["gd", "hb", "nag"]

    enum Quantity {
        case loss, distance, pattern

        var column: Observable {
            switch self {
            case .loss: return .loss
            case .distance: return .maxWeightDistance
            case .pattern: return .patternChangeRatio
            }
        }
        var scale: Double { self == .pattern ? 100 : 1 }
        var label: String {
            switch self {
            case .loss: return "training loss L = ½Σ(f − y)²"
            case .distance: return "max_r ‖w_r(k) − w_r(0)‖"
            case .pattern: return "pattern difference ratio (%)"
            }
        }
    }

    static func choices(datasets: String) -> [String] {
        [
            "Data: 003 uses FMNIST, MNIST, CIFAR10 (first two classes, 10 000 points) and UCI ENERGY/HOUSING/YACHT, none of which ship "
                + "here; \(datasets) stand in (bundled, unit-norm rows, ±1 labels; see Datasets/README.md).",
            "Width: default m = 2000; --full the paper's m = 20 000.",
            "Iterations: 200 for every method (003 gives no count).",
            "Parameters from 003 Table 1 on the analytic H̄ = H∞ with the unadjusted κ (recipes 003-gd, 003-hb, 003-nag; GD's Θ(1/λmax) "
                + "constant taken as 1). NAG in the two-sequence form of Algorithm 1, HB with w_{−1} = w_0.",
            "Seeds: the data are fixed; initialization seeds 0–4 vary W(0) and a (--init-seed), as 003's 5 runs.",
        ]
    }

    /// Runs the three methods on `dataset` and returns the runs by seed.
    static func runs(dataset: String, scale: Reproduction.Scale, recorder: ReproductionRecorder) throws -> [[String: RunResult]] {
        let m = scale == .full ? 20_000 : 2000
        recorder.parameter("data \(dataset)", "--dataset \(dataset) (fixed), width m = \(m), initialization seeds 0–4, \(iterations) iterations")
        return try (0..<5).map { seed in
            try recorder.compare(["--dataset", dataset, "--width", "\(m)", "--init-seed", "\(seed)", "--flows", "none",
                                  "--methods", "gd:recipe=003-gd,hb:recipe=003-hb,nag:recipe=003-nag",
                                  "--iterations", "\(iterations)", "--points", "2"], group: "\(dataset)-seed\(seed)")
        }
    }

    /// The figure of `quantity` for one data set's runs.
    static func figure(_ quantity: Quantity, _ figure: String, dataset: String, groups: [[String: RunResult]],
                       recorder: ReproductionRecorder) throws -> [String: SeedBand] {
        var bands: [String: SeedBand] = [:]
        var series: [FigureSpecification.Series] = []
        for method in methods {
            let b = try recorder.band("\(dataset)-\(quantity.column.rawValue)-\(method)", run: method, column: quantity.column,
                                      scale: quantity.scale, in: groups)
            series.append(b.series(method.uppercased()))
            bands[method] = SeedBand(values: groups.map { $0[method]!.solution.final(quantity.column) * quantity.scale })
        }
        recorder.figure("\(figure), \(dataset): \(quantity.label)", x: "iteration k", y: quantity.label,
                        yScale: quantity == .loss ? "log" : "linear", series: series)
        return bands
    }

    static func recordParameters(_ recorder: ReproductionRecorder) {
        recorder.parameter("model", "two-layer ReLU, only W trained (003 eq. 7)")
        recorder.parameter("methods", "gd:recipe=003-gd, hb:recipe=003-hb, nag:recipe=003-nag (003 Table 1 on H∞)")
    }

    /// Seeds where `a` < `b` at the last iteration.
    static func count(_ groups: [[String: RunResult]], _ column: Observable, _ a: String, below b: String) -> Int {
        groups.filter { $0[a]!.solution.final(column) < $0[b]!.solution.final(column) }.count
    }
}

extension Reproduction {
    static let paper003Figure2 = Reproduction(
        id: "003-F2", title: "003 Fig. 2: training loss of GD, HB and NAG against iteration, mean and min–max over 5 initializations",
        source: "papers/003 l.287–299, caption l.306; Table 1 l.186–191",
        scales: ("digits01-64, m = 2000, 5 initialization seeds, 200 iterations", "digits01 and breast_cancer, m = 20000, 5 seeds, 200 iterations"),
        choices: Paper003MethodStudy.choices(datasets: "digits01-64 (default) and, with --full, digits01 and breast_cancer"),
        availability: .available { scale, recorder in
            Paper003MethodStudy.recordParameters(recorder)
            let datasets = scale == .full ? ["digits01", "breast_cancer"] : ["digits01-64"]
            for dataset in datasets {
                let groups = try Paper003MethodStudy.runs(dataset: dataset, scale: scale, recorder: recorder)
                let bands = try Paper003MethodStudy.figure(.loss, "003 Fig. 2", dataset: dataset, groups: groups, recorder: recorder)
                let n = groups.count
                let nagGD = Paper003MethodStudy.count(groups, .loss, "nag", below: "gd")
                let nagHB = Paper003MethodStudy.count(groups, .loss, "nag", below: "hb")
                recorder.claim("\(dataset): NAG's loss below GD's at k = \(Paper003MethodStudy.iterations)", paper: "NAG faster than GD (l.306)",
                               measured: Claim.count(nagGD, of: n), value: Double(nagGD) / Double(n), verdict: nagGD == n ? .agrees : .disagrees)
                recorder.claim("\(dataset): NAG's loss below HB's at k = \(Paper003MethodStudy.iterations)",
                               paper: "NAG comparable to or better than HB (l.306)", measured: Claim.count(nagHB, of: n),
                               value: Double(nagHB) / Double(n), verdict: nagHB * 2 >= n ? .agrees : .disagrees)
                for method in Paper003MethodStudy.methods {
                    recorder.claim("\(dataset): loss at k = \(Paper003MethodStudy.iterations), \(method.uppercased())", paper: "not stated",
                                   measured: Claim.display(bands[method]!), value: bands[method]!.mean[0], verdict: .noClaim)
                }
            }
            recorder.disagreement = "NAG's loss is not below the other's in every initialization at k = \(Paper003MethodStudy.iterations); "
                + "003's claim is for its data sets and widths, which GradFlow cannot load here."
        })

    static let paper003Figure5 = Reproduction(
        id: "003-F5", title: "003 Fig. 5: max distance from initialization of GD, HB and NAG at the largest width",
        source: "papers/003 l.310–317, caption l.331; Remark 3 l.283–285",
        scales: ("digits01-64, m = 2000, 5 initialization seeds, 200 iterations", "digits01-64, m = 20000, 5 seeds, 200 iterations"),
        choices: Paper003MethodStudy.choices(datasets: "digits01-64"),
        availability: .available { scale, recorder in try methodComparison(.distance, "003 Fig. 5", scale: scale, recorder: recorder) })

    static let paper003Figure6 = Reproduction(
        id: "003-F6", title: "003 Fig. 6: activation-pattern difference ratio of GD, HB and NAG at the largest width",
        source: "papers/003 l.310–317, caption l.340; Remark 3 l.283–285",
        scales: ("digits01-64, m = 2000, 5 initialization seeds, 200 iterations", "digits01-64, m = 20000, 5 seeds, 200 iterations"),
        choices: Paper003MethodStudy.choices(datasets: "digits01-64"),
        availability: .available { scale, recorder in try methodComparison(.pattern, "003 Fig. 6", scale: scale, recorder: recorder) })

    /// Figs. 5 and 6: NAG moves further than GD (by Remark 3's O(√κ) factor) and not further than HB.
    private static func methodComparison(_ quantity: Paper003MethodStudy.Quantity, _ figure: String, scale: Reproduction.Scale,
                                         recorder: ReproductionRecorder) throws {
        Paper003MethodStudy.recordParameters(recorder)
        let groups = try Paper003MethodStudy.runs(dataset: "digits01-64", scale: scale, recorder: recorder)
        let bands = try Paper003MethodStudy.figure(quantity, figure, dataset: "digits01-64", groups: groups, recorder: recorder)
        let n = groups.count
        let gdBelow = Paper003MethodStudy.count(groups, quantity.column, "gd", below: "nag")
        let nagBelow = Paper003MethodStudy.count(groups, quantity.column, "nag", below: "hb")
        recorder.claim("NAG > GD at k = \(Paper003MethodStudy.iterations)", paper: "NAG's is larger than GD's (O(√κ) factor, Remark 3)",
                       measured: Claim.count(gdBelow, of: n), value: Double(gdBelow) / Double(n), verdict: gdBelow == n ? .agrees : .disagrees)
        recorder.claim("NAG < HB at k = \(Paper003MethodStudy.iterations)", paper: "NAG's is comparable to or smaller than HB's",
                       measured: Claim.count(nagBelow, of: n), value: Double(nagBelow) / Double(n), verdict: nagBelow * 2 >= n ? .agrees : .disagrees)
        for method in Paper003MethodStudy.methods {
            recorder.claim("\(quantity.label) at k = \(Paper003MethodStudy.iterations), \(method.uppercased())", paper: "not stated",
                           measured: Claim.display(bands[method]!), value: bands[method]!.mean[0], verdict: .noClaim)
        }
        recorder.disagreement = "At k = \(Paper003MethodStudy.iterations) the ordering differs from 003's in some initializations: the "
            + "methods converge at different rates (on digits01-64, κ(H∞) is large), so at a fixed iteration they are at different "
            + "stages of training; 003 does not give its iteration count."
    }
}
