import GradFlow

extension Reproduction {
    /// 001 Fig. 1 and Appendix H.1 (l.8620–8658): GD vs HB with η = 1/λ̂max, β = (1 − 1/(2√κ̂))², κ̂ of H(0).
    static let paper001Figure1 = Reproduction(
        id: "001-F1",
        title: "001 Fig. 1 + App. H.1: GD vs Polyak's HB on a two-layer ReLU net with η = 1/λ̂max(H0), β = (1 − 1/(2√κ̂))²",
        source: "papers/001 caption l.580–583; App. H.1 l.8620–8658",
        scales: ("n = 5, d = 10, m = 1000 (the paper's sizes), 50 iterations, seeds 0–9", "the same sizes, seeds 0–19"),
        choices: [
            "Iterations: 50, as in 000 Fig. 2 (the extraction gives no count).",
            "The paper shows one run without a seed; 10 independent draws (data and initialization) give the band.",
            "GD uses HB's η = 1/λmax(H(0)) (l.8639); β = (1 − ½·1/√κ̂)² as in l.8626–8638 (recipe 001-experiment).",
            "Pattern change measured at k = 50 (not stated in the paper).",
        ],
        availability: .available { scale, recorder in
            let m = try SmallNetworkHeavyBall.run(.init(recipe: .paper001Experiment, figure: "001 Fig. 1", patternLines: "001 l.8657–8658"),
                                                  scale: scale, recorder: recorder)
            recorder.disagreement = "With these settings GD contracts the error by 1 − 1/κ̂ per iteration and HB by √β = 1 − 1/(2√κ̂) in the "
                + "linear regime, so GD is faster whenever κ̂ < 4. With n = 5 points in d = 10, H(0) is well conditioned: κ̂ = "
                + "\(NumberFormat.short(m.kappa.minimum[0], digits: 3))–\(NumberFormat.short(m.kappa.maximum[0], digits: 3)) here, and HB "
                + "reached L ≤ 1e-6 first in \(m.hbFirst) of \(m.seeds) seeds. 001 also prints 000's pattern-change percentages "
                + "(0.76 % / 0.55 %) word for word although its η is 10× larger; GradFlow measures "
                + "\(NumberFormat.short(m.patternHB, digits: 3)) % / \(NumberFormat.short(m.patternGD, digits: 3)) % here."
        })
}
