import Foundation

/// The constants a run's theorem checks are built from, taken from the run itself.
public struct CheckConstants: Sendable {
    /// λ0 = λ_min(H^∞) (002 Fact 2.2).
    public var lambda0: Double
    /// n and, for weight runs, the width m.
    public var sampleCount: Int
    public var width: Int?
    /// L(0), L̂(0) and the flow's energy V(0) from the first sample.
    public var initialLoss: Double
    public var initialPseudoLoss: Double
    /// c and δ of R = cδλ0/n² (002 Lemma 3.2; the paper leaves c unspecified).
    public var radiusConstant: Double = 1
    public var failureProbability: Double = 0.1

    public init(lambda0: Double, sampleCount: Int, width: Int?, initialLoss: Double, initialPseudoLoss: Double) {
        self.lambda0 = lambda0
        self.sampleCount = sampleCount
        self.width = width
        self.initialLoss = initialLoss
        self.initialPseudoLoss = initialPseudoLoss
    }

    /// R = cδλ0/n² (002 Lemma 3.2).
    public var lemma32Radius: Double { radiusConstant * failureProbability * lambda0 / Double(sampleCount * sampleCount) }
}

/// The inequalities of 002 (and Du et al.'s, quoted as 002 Theorem 1) that apply to a flow,
/// with their constants computed from the run: the flow's own theorem checks (stated in its
/// file), then the lazy-training radius of Lemma 3.2 (weight runs; listed as not applicable
/// on the other models) and λ_min(H(t)) ≥ λ0/2.
public enum TheoremChecks {
    public static func checks(flow: any ContinuousFlow, constants c: CheckConstants, initialEnergy: Double) -> [any SolutionCheck] {
        let l0 = c.lambda0
        var checks = flow.theoremChecks(constants: c, initialEnergy: initialEnergy)
        if c.width != nil {
            let r = c.lemma32Radius
            checks.append(BoundCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R = cδλ0/n² = \(NumberFormat.short(r, digits: 4)) (c = \(c.radiusConstant), δ = \(c.failureProbability))",
                                     source: "002 Lemma 3.2", column: .maxWeightDistance) { _ in r })
        } else {
            checks.append(NotApplicableCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R = cδλ0/n²", source: "002 Lemma 3.2",
                                             reason: NotApplicableCheck.withoutNeurons))
        }
        checks.append(BoundCheck(name: "λ_min(H(t)) ≥ λ0/2", source: "002 Lemma 3.2", column: .lambdaMin,
                                 isLowerBound: true) { _ in l0 / 2 })
        return checks
    }

    /// The smallest A with L(t) ≤ A t^{−α} L(0) over the samples with t ≥ `fromTime` > 0
    /// (002 Theorem 3 states such an A exists; the run measures it).
    public static func theorem3Constant(solution trajectory: Solution, alpha: Double, fromTime: Double) -> (constant: Double, atTime: Double)? {
        guard let t = trajectory[.time], let loss = trajectory[.loss], let l0 = loss.first, l0 > 0 else { return nil }
        var best = -Double.infinity, at = Double.nan
        for (ti, li) in zip(t, loss) where ti >= fromTime && ti > 0 && li.isFinite {
            let a = pow(ti, alpha) * li / l0
            if a > best { best = a; at = ti }
        }
        return best.isFinite ? (best, at) : nil
    }
}

extension TheoremChecks {
    /// Every check that applies to `flow`, evaluated on `trajectory`, with L(0), L̂(0) and
    /// V(0) read from its first sample, and the flow's measured verdicts (Theorem 3's A).
    public static func verdicts(flow: any ContinuousFlow, trajectory: Solution, lambda0: Double, sampleCount: Int,
                                width: Int?, radiusConstant: Double = 1, failureProbability: Double = 0.1) -> [CheckVerdict] {
        guard let first = trajectory.rows.first,
              let lossIndex = trajectory.columns.firstIndex(of: .loss),
              let pseudoIndex = trajectory.columns.firstIndex(of: .pseudoLoss),
              let energyIndex = trajectory.columns.firstIndex(of: .energy) else { return [] }
        var constants = CheckConstants(lambda0: lambda0, sampleCount: sampleCount, width: width,
                                       initialLoss: first[lossIndex], initialPseudoLoss: first[pseudoIndex])
        constants.radiusConstant = radiusConstant
        constants.failureProbability = failureProbability
        var out = checks(flow: flow, constants: constants, initialEnergy: first[energyIndex]).compactMap { $0.evaluate(trajectory) }
        out += flow.measuredVerdicts(trajectory)
        return out
    }
}
