import Foundation
import GradFlow

extension Reproduction {
    /// 002 Fig. 2 (caption l.324, text l.313–315): NAG with β_k = (k−1)/(k+γ−1) (eq. 4.1) vs
    /// GD; polynomial decay, faster than GD, but "in the long run NAG may be outperformed by GD".
    static let paper002Figure2 = Reproduction(
        id: "002-F2", title: "002 Fig. 2: NAG with β_k = (k−1)/(k+γ−1) vs GD, polynomial vs exponential decay (log-log)",
        source: "papers/002 NAG (4.1) l.283–289, ODE (4.2) l.291–296, Theorem 3 l.307, text l.313–315, caption l.324",
        scales: ("n = 20, d = 10, m = 1000, 3 initialization seeds, 1000 iterations, flows to t = 100",
                 "m = 10000, 5 initialization seeds"),
        choices: [Paper002Setup.appendixChoice, Paper002Setup.problemChoice,
                  "γ = 3 (Su et al.'s constant; 002 gives none), η = 0.1 for GD and NAG, 1000 iterations each.",
                  "Flows beside them: gradient flow and Nesterov's ODE with γ/t, γ = 3 (solver auto: exact Nesterov pieces), t ∈ [0, 100].",
                  "\"Faster\" is read per iteration, at k = 100 (the figure's axis is not extracted)."],
        availability: .available { scale, recorder in
            Paper002Setup.recordProblem(scale, recorder)
            recorder.parameter("methods", "gd:eta=0.1, nag-gamma:eta=0.1:gamma=3; 1000 iterations")
            recorder.parameter("flows", "gradient-flow, nesterov (γ = 3); t ∈ [0, 100], 201 samples")
            let groups = try Paper002Setup.seeds(scale).map { seed in
                try recorder.compare(Paper002Setup.problem(scale, seed: seed) + [
                    "--flows", "gradient-flow,nesterov", "--gamma", "3", "--methods", "gd:eta=0.1,nag-gamma:eta=0.1:gamma=3",
                    "--iterations", "1000", "--t-end", "100", "--points", "201"], group: "seed\(seed)")
            }
            let gd = try recorder.band("loss-gd", run: "gd", column: .loss, in: groups)
            let nag = try recorder.band("loss-nag-gamma", run: "nag-gamma", column: .loss, in: groups)
            recorder.figure("002 Fig. 2: loss against iteration (log-log)", x: "iteration k", y: "L", xScale: "log",
                            series: [gd.series("GD, η = 0.1"), nag.series("NAG, β_k = (k−1)/(k+2)")])
            let gf = try recorder.band("loss-gradient-flow", run: "gradient-flow", column: .loss, axis: .time, in: groups)
            let nf = try recorder.band("loss-nesterov", run: "nesterov", column: .loss, axis: .time, in: groups)
            recorder.figure("002 Fig. 2, continuous: gradient flow and Nesterov's ODE (log-log)", x: "t", y: "L", xScale: "log",
                            series: [gf.series("gradient flow"), nf.series("Nesterov ODE, γ = 3")])

            let n = groups.count
            let at100 = groups.map { ($0["nag-gamma"]!.solution[.loss]![100], $0["gd"]!.solution[.loss]![100]) }
            let nagBelow = at100.filter { $0.0 < $0.1 }.count
            let ratio = SeedBand(values: at100.map { $0.0 / $0.1 })
            recorder.claim("NAG's loss below GD's at k = 100", paper: "\"NAG … converges faster than GD\" (l.324)",
                           measured: "\(Claim.count(nagBelow, of: n)); L_NAG/L_GD = \(Claim.display(ratio))", value: ratio.mean[0],
                           verdict: nagBelow == n ? .agrees : .disagrees)
            let power = groups.map { RateSummary(run: "nag-gamma", trajectory: $0["nag-gamma"]!.solution, law: .power, epsilon: 1e-6).fit?.rate ?? .nan }
            let band = SeedBand(values: power)
            recorder.claim("NAG: fitted power r of L ∝ t^{−r}", paper: "polynomial decay, a line on log-log axes (l.315, l.324)",
                           measured: Claim.display(band), value: band.mean[0], verdict: .noClaim)
            let flowPower = SeedBand(values: groups.map { RateSummary(run: "nesterov", trajectory: $0["nesterov"]!.solution, law: .power, epsilon: 1e-6).fit?.rate ?? .nan })
            recorder.claim("Nesterov ODE: fitted power r of L ∝ t^{−r}", paper: "O(t^{−α}) for γ > 6 (Theorem 3); γ = 3 here",
                           measured: Claim.display(flowPower), value: flowPower.mean[0], verdict: .noClaim)
            // The first sample time after which the gradient flow stays below the Nesterov flow.
            let crossings = groups.map { g -> Double? in
                let t = g["nesterov"]!.solution[.time]!, a = g["gradient-flow"]!.solution[.loss]!, b = g["nesterov"]!.solution[.loss]!
                guard let last = (0..<min(a.count, b.count)).last(where: { a[$0] >= b[$0] }), last + 1 < t.count else { return nil }
                return t[last + 1]
            }
            let crossing = Claim.reach(crossings, limit: "t = 100")
            recorder.claim("flows: time after which gradient flow stays below Nesterov's ODE", paper: "\"in the long run … NAG may be outperformed by GD\" (l.315)",
                           measured: crossing.text, value: crossing.mean, verdict: crossings.allSatisfy { $0 != nil } ? .agrees : .disagrees)
            let gdBelowAtEnd = groups.filter { $0["gd"]!.solution.final(.loss) < $0["nag-gamma"]!.solution.final(.loss) }.count
            recorder.claim("discrete: GD's loss below NAG's at k = 1000", paper: "possible in the long run (l.315)",
                           measured: Claim.count(gdBelowAtEnd, of: n), value: Double(gdBelowAtEnd) / Double(n), verdict: .noClaim)
            recorder.disagreement = "On this stand-in problem the ordering depends on the axis: per iteration NAG leads, while on the "
                + "time axis the gradient flow overtakes Nesterov's ODE (crossing in the table), as l.315 allows."
        })
}
