import Foundation
import GradFlow

extension Reproduction {
    /// 000 Fig. 1 and Remark 3 (l.267–307): θ(α) = log(1 − α)/log(1 − √α), the ratio of the
    /// iterations HB and GD need (T_m/T_g, eq. 11) at α = ηλ.
    static let paper000Theta = Reproduction(
        id: "000-theta",
        title: "000 Fig. 1: θ(α) = log(1−α)/log(1−√α), HB's iteration count over GD's",
        source: "papers/000 Remark 3 l.267–306, caption l.307",
        scales: ("closed form on 400 values of α in [1e-4, 0.99]", "the same"),
        choices: [
            "Eq. (11) at l.291–296 is garbled (it reads like ηλ/2 inside the logs); the caption's θ(α) = log(1−α)/log(1−√α) is used: "
                + "it is the form that gives the quoted values (the α/2 variant gives 0.415 / 0.068 / 0.007).",
            "A claim agrees when GradFlow's value rounds to the printed one at the printed number of decimals.",
        ],
        availability: .available { _, recorder in
            recorder.parameter("θ(α)", "log(1 − α)/log(1 − √α) (000 Fig. 1 caption, l.307)")
            recorder.parameter("α grid", "400 log-spaced values in [1e-4, 0.99]")
            func theta(_ a: Double) -> Double { log(1 - a) / log(1 - a.squareRoot()) }
            recorder.disagreement = "θ(0.5) = log(0.5)/log(1 − √0.5) = \(NumberFormat.short(theta(0.5), digits: 4)), which does not round "
                + "to the printed 0.55 (\(NumberFormat.short(100 * (theta(0.5) / 0.55 - 1), digits: 2)) % off); the closed form is exact, "
                + "so the printed value is a slip of the paper's rounding."
            let alphas = (0..<400).map { k in pow(10, -4 + Double(k) / 399 * (log10(0.99) + 4)) }
            let curve = try recorder.curve("theta", x: alphas, values: [alphas.map(theta)], description: "θ(α) = log(1−α)/log(1−√α)")
            let diagonal = try recorder.curve("sqrt-alpha", x: alphas, values: [alphas.map { $0.squareRoot() / 2 }],
                                              description: "√α/2, the small-α limit of θ(α)")
            recorder.figure("000 Fig. 1: θ(α) = T_m/T_g", x: "α = ηλ", y: "θ(α)", xScale: "log",
                            series: [curve.series("θ(α)", style: .band), diagonal.series("√α/2 (small-α limit)", style: .bound)])
            for (alpha, printed, line) in [(0.5, "0.55", "≈ 0.55 at α = 0.5 (l.300)"), (1e-2, "0.1", "≈ 0.1 at α = 1e-2 (l.302)"),
                                           (1e-4, "0.01", "= 0.01 at α = 1e-4 (l.304)")] {
                let value = theta(alpha)
                let decimals = printed.split(separator: ".").last?.count ?? 0
                let scale = pow(10, Double(decimals))
                let agrees = (value * scale).rounded() == (Double(printed)! * scale).rounded()
                recorder.claim("θ(\(NumberFormat.short(alpha)))", paper: "θ \(line)", measured: NumberFormat.short(value, digits: 4),
                               value: value, verdict: agrees ? .agrees : .disagrees)
            }
            let ratio = theta(1e-4)
            recorder.claim("T_m/T_g at ηλ = 1e-4", paper: "\"T_m ≤ 0.01·T_g\" (l.305)", measured: NumberFormat.short(ratio, digits: 4),
                           value: ratio, verdict: ratio <= 0.01 ? .agrees : .disagrees)
        })
}
