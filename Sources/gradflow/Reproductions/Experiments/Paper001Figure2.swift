import GradFlow

extension Reproduction {
    /// 001 Fig. 2 and Appendix H.2 (l.8660–8683): a 100-layer deep linear network, GD vs HB
    /// with η = d_y/(Lσ²max(X)), β = (1 − 1/(2√κ))² (Theorem 10, l.1817–1850).
    static let paper001Figure2 = Reproduction(
        id: "001-F2", title: "001 Fig. 2 + App. H.2: deep linear network (L = 100, m = 50, d = d_y = 20, n = 5), GD vs HB",
        source: "papers/001 model l.772–777, init l.739–765, App. H.2 l.8660–8681, caption l.8683, Theorem 10 l.1817–1850",
        scales: ("the paper's sizes, seeds 0–9, 100 iterations", "the same sizes, seeds 0–19"),
        choices: [
            "Iterations: 100 (not extracted).",
            "The paper shows one run without a seed; 10 independent draws of X, W̄ and the orthogonal initialization give the band.",
            "β = (1 − 1/(2√κ))² with κ = σ²max(X)/σ²min(X) (Theorem 10; H.2's (1 − ½√(ηλ))² with its η and λ); GD uses the same η (l.8680).",
        ],
        availability: .available { scale, recorder in
            let seeds = Array(0..<(scale == .full ? 20 : 10))
            recorder.parameter("model", "deep linear N(x) = (m^{L−1}d_y)^{−1/2} W_L⋯W_1 x, all layers trained, orthogonal init (001 l.739–777)")
            recorder.parameter("L, m, d = d_y, n", "100, 50, 20, 5")
            recorder.parameter("data", "X ~ N(0, 1) (20×5), Y = (I + 0.1 W̄)X, drawn per seed")
            recorder.parameter("seeds", "\(seeds.first!)–\(seeds.last!)")
            recorder.parameter("methods", "gd:recipe=001-deep-linear, hb:recipe=001-deep-linear; 100 iterations")
            var kappas: [Double] = []
            let groups = try seeds.map { seed in
                try recorder.compare(["--model", "deep-linear:layers=100:hidden=50", "--samples", "5", "--dimension", "20",
                                      "--seed", "\(seed)", "--flows", "none", "--methods", "gd:recipe=001-deep-linear,hb:recipe=001-deep-linear",
                                      "--iterations", "100", "--points", "2"], group: "seed\(seed)") { problem in
                    kappas.append(problem.initialSpectrum?.conditionNumber ?? problem.conditionNumber)
                    return "gd:recipe=001-deep-linear,hb:recipe=001-deep-linear"
                }
            }
            let gd = try recorder.band("loss-gd", run: "gd", column: .loss, in: groups)
            let hb = try recorder.band("loss-hb", run: "hb", column: .loss, in: groups)
            recorder.figure("001 Fig. 2: training loss of the deep linear network", x: "iteration k", y: "½‖U − Y‖²_F",
                            series: [gd.series("GD"), hb.series("HB (momentum)")])
            let n = seeds.count
            let reachGD = groups.map { $0["gd"]!.solution.firstReaching(1e-6) }, reachHB = groups.map { $0["hb"]!.solution.firstReaching(1e-6) }
            let hbFirst = zip(reachHB, reachGD).filter { ($0 ?? .infinity) < ($1 ?? .infinity) }.count
            recorder.claim("HB reaches L ≤ 1e-6 in fewer iterations than GD", paper: "momentum accelerates (caption l.8683)",
                           measured: Claim.count(hbFirst, of: n), value: Double(hbFirst) / Double(n), verdict: hbFirst * 2 > n ? .agrees : .disagrees)
            for (name, reach) in [("HB", reachHB), ("GD", reachGD)] {
                let r = Claim.reach(reach, limit: "100 iterations")
                recorder.claim("iterations to L ≤ 1e-6, \(name)", paper: "not stated", measured: r.text, value: r.mean, verdict: .noClaim)
            }
            let kappa = SeedBand(values: kappas)
            let below4 = kappas.filter { $0 < 4 }.count
            recorder.claim("κ = σ²max(X)/σ²min(X)", paper: "not stated (GD beats HB per iteration when κ < 4)",
                           measured: Claim.display(kappa) + "; κ < 4 in \(Claim.count(below4, of: n))", value: kappa.mean[0], verdict: .noClaim)
            recorder.disagreement = "HB's per-iteration contraction √β = 1 − 1/(2√κ) beats GD's 1 − 1/κ only when κ > 4; X is 20×5 Gaussian, "
                + "so κ is small (κ < 4 in \(below4) of \(n) seeds here) and GD keeps up with or beats HB in many draws. 001 shows one draw."
        })
}
