import Foundation
import GradFlow

extension Reproduction {
    /// 002 Fig. 4 (caption l.423, §5.1 l.405–418): multi-momentum with J = 2 vs HB and GD.
    static let paper002Figure4 = Reproduction(
        id: "002-F4", title: "002 Fig. 4: GD vs HB vs multi-momentum (J = 2), discrete and continuous",
        source: "papers/002 multi-momentum l.405–418 (update l.407, ODE l.411–416), caption l.423",
        scales: ("n = 20, d = 10, m = 1000, 3 initialization seeds, 100 iterations, flows to t = 40",
                 "m = 10000, 5 initialization seeds"),
        choices: [Paper002Setup.appendixChoice, Paper002Setup.problemChoice,
                  "η = 0.5 for all; HB β = 0.5; multi-momentum β = (0.5, 0.1); 100 iterations each.",
                  "Flows beside them: HBF with b = √(2λ0) and the third-order flow with (b1, b2) = (1.47, 4.31), the best constant pair "
                    + "a root grid found on this H(0) (EXPERIMENTS.md, 002-F4)."],
        availability: .available { scale, recorder in
            Paper002Setup.recordProblem(scale, recorder)
            recorder.parameter("methods", "gd:eta=0.5, hb:eta=0.5:beta=0.5, multi:eta=0.5:betas=0.5/0.1; 100 iterations")
            recorder.parameter("flows", "hbf (b = √(2λ0)), higher-order --coefficients 1.47,4.31; t ∈ [0, 40], 161 samples")
            let groups = try Paper002Setup.seeds(scale).map { seed in
                try recorder.compare(Paper002Setup.problem(scale, seed: seed) + [
                    "--flows", "hbf,higher-order", "--coefficients", "1.47,4.31",
                    "--methods", "gd:eta=0.5,hb:eta=0.5:beta=0.5,multi:eta=0.5:betas=0.5/0.1",
                    "--iterations", "100", "--t-end", "40", "--points", "161"], group: "seed\(seed)")
            }
            var series: [FigureSpecification.Series] = []
            for (run, label) in [("gd", "GD"), ("hb", "HB, β = 0.5"), ("multi", "multi-momentum, β = (0.5, 0.1)")] {
                series.append(try recorder.band("loss-\(run)", run: run, column: .loss, in: groups).series(label))
            }
            recorder.figure("002 Fig. 4: loss against iteration", x: "iteration k", y: "L", series: series)
            let hbf = try recorder.band("loss-hbf", run: "hbf", column: .loss, axis: .time, in: groups)
            let third = try recorder.band("loss-higher-order", run: "higher-order", column: .loss, axis: .time, in: groups)
            recorder.figure("002 Fig. 4, continuous: HBF and the third-order flow", x: "t", y: "L",
                            series: [hbf.series("HBF, b = √(2λ0)"), third.series("third order, b = (1.47, 4.31)")])

            let n = groups.count
            let reach = { (run: String) in groups.map { $0[run]!.solution.firstReaching(1e-6) } }
            let multi = reach("multi"), hb = reach("hb"), gd = reach("gd")
            let multiFirst = zip(multi, hb).filter { ($0 ?? .infinity) < ($1 ?? .infinity) }.count
            let hbBeforeGD = zip(hb, gd).filter { ($0 ?? .infinity) < ($1 ?? .infinity) }.count
            recorder.claim("multi-momentum reaches L ≤ 1e-6 before HB", paper: "\"higher momentum … faster convergence rate than GD and HB\" (l.423)",
                           measured: Claim.count(multiFirst, of: n), value: Double(multiFirst) / Double(n), verdict: multiFirst == n ? .agrees : .disagrees)
            recorder.claim("HB reaches L ≤ 1e-6 before GD", paper: "HB faster than GD (l.423)",
                           measured: Claim.count(hbBeforeGD, of: n), value: Double(hbBeforeGD) / Double(n), verdict: hbBeforeGD == n ? .agrees : .disagrees)
            for (name, values) in [("multi-momentum", multi), ("HB", hb), ("GD", gd)] {
                let r = Claim.reach(values, limit: "100 iterations")
                recorder.claim("iterations to L ≤ 1e-6, \(name)", paper: "not stated", measured: r.text, value: r.mean, verdict: .noClaim)
            }
            let rates = { (run: String) in SeedBand(values: groups.map { RateSummary(run: run, trajectory: $0[run]!.solution, law: .exponential, epsilon: 1e-6).fit?.rate ?? .nan }) }
            let rHBF = rates("hbf"), rThird = rates("higher-order")
            let thirdFaster = zip(rThird.minimum, rHBF.maximum).allSatisfy { $0 > $1 }
            recorder.claim("continuous: third-order flow's fitted loss rate above HBF's", paper: "higher-order momentum ODE (l.411–416) converges faster",
                           measured: "third order \(Claim.display(rThird, digits: 3)); HBF \(Claim.display(rHBF, digits: 3))",
                           value: rThird.mean[0], verdict: thirdFaster ? .agrees : .disagrees)
            recorder.disagreement = "The discrete multi-momentum method beats HB, as 002 says; the continuous third-order flow does not beat "
                + "HBF with b = √(2λ0): its fitted loss rate is \(NumberFormat.short(rThird.mean[0], digits: 3)) against HBF's "
                + "\(NumberFormat.short(rHBF.mean[0], digits: 3)). With constant coefficients the slowest characteristic root of "
                + "s³ + b2 s² + b1 s + λ on H(0)'s smallest eigenvalue limits the rate, and no constant (b1, b2) lifts it to HBF's; "
                + "002's Fig. 4 is about the discrete methods (l.480)."
        })
}
