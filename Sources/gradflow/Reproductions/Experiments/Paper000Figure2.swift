import GradFlow

extension Reproduction {
    /// 000 Fig. 2 and Appendix D (l.952–980): GD vs HB with η = 1/(10 λmax(H0)), β = (1 − √(ηλmin(H0)))².
    static let paper000Figure2 = Reproduction(
        id: "000-F2",
        title: "000 Fig. 2 + App. D: GD vs Polyak's HB on a two-layer ReLU net, risk against iteration; pattern change",
        source: "papers/000 l.952–980 (App. D); HB Algorithm 1 l.52–73; pattern-change fraction l.973–980",
        scales: ("n = 5, d = 10, m = 1000 (the paper's sizes), 50 iterations, seeds 0–9", "the same sizes, seeds 0–19"),
        choices: [
            "Iterations: 50, from Fig. 2's tick labels 5…50 (l.968); the extraction gives no count.",
            "The paper shows one run without a seed; 10 independent draws (data and initialization from the seed) give the band.",
            "The iteration at which the pattern change (0.76 % HB, 0.55 % GD) was measured is not stated; k = 50 is used.",
            "GD's η is HB's η = 1/(10 λmax(H(0))) (\"the same step size\", l.967), computed per seed from H(0).",
        ],
        availability: .available { scale, recorder in
            let m = try SmallNetworkHeavyBall.run(.init(recipe: .paper000Experiment, figure: "000 Fig. 2", patternLines: "000 l.973–980"),
                                                  scale: scale, recorder: recorder)
            recorder.disagreement = "GradFlow's pattern change at k = 50 is \(NumberFormat.short(m.patternHB, digits: 3)) % (HB) and "
                + "\(NumberFormat.short(m.patternGD, digits: 3)) % (GD) on average, \(NumberFormat.short(m.patternHB / 0.76, digits: 2))× and "
                + "\(NumberFormat.short(m.patternGD / 0.55, digits: 2))× 000's printed 0.76 % / 0.55 %. 000 does not say at which iteration, "
                + "seed or data it measured them, so the difference may come from the iteration; the ordering HB > GD, and the "
                + "acceleration, agree."
        })
}
