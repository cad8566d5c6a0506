import Foundation
import GradFlow

/// The experiment of 000 Fig. 2 (App. D, l.952–980) and 001 Fig. 1 (App. H.1, l.8620–8658):
/// GD and Polyak's HB with the same step on the two-layer ReLU net, n = 5 unit-norm Gaussian
/// points in R^10, ±1 labels, m = 1000, η and β from λ_min, λ_max of H(0); 50 iterations;
/// risk against iteration, and the fraction of changed activation patterns.
enum SmallNetworkHeavyBall {
    static let iterations = 50
    static let epsilon = 1e-6

    /// What differs between the two papers: the recipe (η, β from H(0)) and the printed
    /// pattern-change percentages (the same in both).
    struct Setting {
        var recipe: ParameterRecipe
        var figure: String
        var patternLines: String
    }

    /// Numbers the entries' explanations quote.
    struct Measured {
        /// Mean pattern change at the last iteration (%), HB and GD.
        var patternHB: Double, patternGD: Double
        /// κ̂ of H(0) over the seeds.
        var kappa: SeedBand
        /// Seeds where HB reached ε first, of all seeds.
        var hbFirst: Int, seeds: Int
    }

    static func run(_ setting: Setting, scale: Reproduction.Scale, recorder: ReproductionRecorder) throws -> Measured {
        // The papers show one run with no seed given; 10 draws (data and initialization)
        // show the spread. The sizes are the papers' at both scales.
        let seeds = Array(0..<(scale == .full ? 20 : 10))
        recorder.parameter("model", "two-layer ReLU, only W trained (000 eq. 1)")
        recorder.parameter("n, d, m", "5, 10, 1000")
        recorder.parameter("data", "unit-norm Gaussian x, ±1 labels, drawn per seed")
        recorder.parameter("seeds", "\(seeds.first!)–\(seeds.last!) (data and initialization)")
        recorder.parameter("iterations K", "\(iterations)")
        recorder.parameter("HB", "recipe \(setting.recipe.rawValue): \(setting.recipe.source)")
        recorder.parameter("GD", "the same η as HB (papers: \"the same step size\")")
        recorder.parameter("ε (iterations to ε)", NumberFormat.roundTrip(epsilon))
        var groups: [[String: RunResult]] = []
        var conditionNumbers: [Double] = []
        for seed in seeds {
            let args = ["--samples", "5", "--dimension", "10", "--width", "1000", "--seed", "\(seed)",
                        "--flows", "none", "--iterations", "\(iterations)", "--points", "2"]
            groups.append(try recorder.compare(args, group: "seed\(seed)") { problem in
                let h0 = problem.initialSpectrum!
                conditionNumbers.append(h0.conditionNumber)
                let eta = try setting.recipe.parameters(lambdaMin: h0.lambdaMin, lambdaMax: h0.lambdaMax).stepSize
                return "gd:eta=\(NumberFormat.roundTrip(eta)),hb:recipe=\(setting.recipe.rawValue)"
            })
        }
        let lossGD = try recorder.band("loss-gd", run: "gd", column: .loss, in: groups)
        let lossHB = try recorder.band("loss-hb", run: "hb", column: .loss, in: groups)
        recorder.figure("\(setting.figure): risk L(W_k) against iteration", x: "iteration k", y: "L(W_k) = ½Σ(f − y)²",
                        series: [lossGD.series("GD"), lossHB.series("HB")])
        let patternGD = try recorder.band("pattern-gd", run: "gd", column: .patternChangeRatio, scale: 100, in: groups)
        let patternHB = try recorder.band("pattern-hb", run: "hb", column: .patternChangeRatio, scale: 100, in: groups)
        recorder.figure("\(setting.figure): activation patterns changed since k = 0", x: "iteration k", y: "pattern change (%)",
                        yScale: "linear", series: [patternGD.series("GD"), patternHB.series("HB")])

        let n = seeds.count
        let finalGD = groups.map { $0["gd"]!.solution.final(.loss) }, finalHB = groups.map { $0["hb"]!.solution.final(.loss) }
        let hbBelow = zip(finalHB, finalGD).filter { $0 < $1 }.count
        let reachGD = groups.map { $0["gd"]!.solution.firstReaching(epsilon) }
        let reachHB = groups.map { $0["hb"]!.solution.firstReaching(epsilon) }
        let hbFirst = zip(reachHB, reachGD).filter { ($0 ?? .infinity) < ($1 ?? .infinity) }.count
        recorder.claim("HB's risk below GD's at k = \(iterations)", paper: "\"Polyak's momentum accelerates the optimization\" (\(setting.figure))",
                       measured: Claim.count(hbBelow, of: n), value: Double(hbBelow) / Double(n), verdict: hbBelow == n ? .agrees : .disagrees)
        recorder.claim("HB reaches L ≤ 1e-6 in fewer iterations than GD", paper: "HB faster (\(setting.figure))",
                       measured: Claim.count(hbFirst, of: n), value: Double(hbFirst) / Double(n), verdict: hbFirst == n ? .agrees : .disagrees)
        for (name, reach) in [("HB", reachHB), ("GD", reachGD)] {
            let r = Claim.reach(reach, limit: "\(iterations) iterations")
            recorder.claim("iterations to L ≤ 1e-6, \(name)", paper: "not stated", measured: r.text, value: r.mean, verdict: .noClaim)
        }
        let kappa = SeedBand(values: conditionNumbers)
        let above4 = conditionNumbers.filter { $0 > 4 }.count
        recorder.claim("κ̂ = λmax/λmin of H(0)", paper: "not stated (HB beats GD per iteration iff κ̂ > 4 in the linear regime)",
                       measured: Claim.display(kappa) + "; κ̂ > 4 in \(Claim.count(above4, of: n))", value: kappa.mean[0], verdict: .noClaim)
        for (name, printed, runs) in [("HB", 0.76, "hb"), ("GD", 0.55, "gd")] {
            let values = groups.map { $0[runs]!.solution.final(.patternChangeRatio) * 100 }
            let band = SeedBand(values: values)
            let inside = band.minimum[0] <= printed && printed <= band.maximum[0]
            recorder.claim("pattern change at k = \(iterations), \(name) (%)", paper: "≈ \(printed) % (\(setting.patternLines))",
                           measured: Claim.display(band, digits: 3, unit: " %"), value: band.mean[0], verdict: inside ? .agrees : .disagrees)
        }
        let patterns = ["hb", "gd"].map { run in SeedBand(values: groups.map { $0[run]!.solution.final(.patternChangeRatio) * 100 }).mean[0] }
        let more = groups.filter { $0["hb"]!.solution.final(.patternChangeRatio) > $0["gd"]!.solution.final(.patternChangeRatio) }.count
        recorder.claim("HB changes more patterns than GD at k = \(iterations)", paper: "yes (0.76 % > 0.55 %)",
                       measured: Claim.count(more, of: n), value: Double(more) / Double(n), verdict: more * 2 > n ? .agrees : .disagrees)
        return Measured(patternHB: patterns[0], patternGD: patterns[1], kappa: kappa, hbFirst: hbFirst, seeds: n)
    }
}
