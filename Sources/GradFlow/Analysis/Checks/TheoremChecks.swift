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
/// with their constants computed from the run.
public enum TheoremChecks {
    public static func checks(flow: any ContinuousFlow, constants c: CheckConstants, initialEnergy: Double) -> [BoundCheck] {
        let l0 = c.lambda0, loss0 = c.initialLoss, pseudo0 = c.initialPseudoLoss
        let n = Double(c.sampleCount)
        var checks: [BoundCheck] = []
        switch flow {
        case is GradientFlow:
            checks.append(BoundCheck(name: "Thm 1: L(t) ≤ e^{-λ0 t} L(0)", source: "002 Theorem 1 (Du et al. 2019 Thm 3.2)",
                                     column: "loss", fromTime: .leastNonzeroMagnitude) { t in exp(-l0 * t) * loss0 })
            if let m = c.width {
                let r = 2 * n.squareRoot() * (2 * loss0).squareRoot() / (Double(m).squareRoot() * l0)
                checks.append(BoundCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R' = 2√n‖Δ(0)‖/(√m λ0) = \(NumberFormat.short(r, digits: 4))",
                                         source: "Du et al. 2019 Lemma 3.3 (behind 002 Theorem 1)",
                                         column: "max_weight_distance") { _ in r })
            }
        case let hb as HeavyBallFlow:
            let alpha = hb.energyRate
            checks.append(BoundCheck(name: "Thm 2: V(t) ≤ e^{-αt} V(0), α = \(NumberFormat.short(alpha, digits: 4))",
                                     source: "002 Lemma 3.3 proof (V̇ ≤ −αV)", column: "energy",
                                     fromTime: .leastNonzeroMagnitude) { t in exp(-alpha * t) * initialEnergy })
            let rate = (l0 / 2).squareRoot()
            checks.append(BoundCheck(name: "Thm 2: L(t) ≤ (4/λ0) e^{-√(λ0/2) t} L̂(0)", source: "002 Theorem 2",
                                     column: "loss") { t in 4 / l0 * exp(-rate * t) * pseudo0 })
            if let m = c.width {
                let a = (l0 / 2).squareRoot()
                let r = (32 * n * pseudo0 / (9 * Double(m) * pow(a, 6))).squareRoot()
                checks.append(BoundCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R' = √(32nL̂(0)/(9mα⁶)) = \(NumberFormat.short(r, digits: 4))",
                                         source: "002 Lemma 3.3", column: "max_weight_distance") { _ in r })
            }
        case let nag as NesterovFlow:
            checks.append(BoundCheck(name: "ℰ(t) ≤ ℰ(0) (mechanical energy non-increasing)", source: "002 §4 (Polyak & Shcherbakov)",
                                     column: "mechanical_energy", fromTime: .leastNonzeroMagnitude) { _ in
                                         nag.mechanicalEnergy(EnergyInputs(time: 0, loss: loss0, pseudoLoss: pseudo0,
                                                                            potential: c.width == nil ? pseudo0 : loss0,
                                                                            velocityNormSquared: 0, residual: [], residualRate: []))
                                     })
        default:
            break
        }
        if c.width != nil {
            let r = c.lemma32Radius
            checks.append(BoundCheck(name: "lazy: max_r‖w_r(t)−w_r(0)‖ ≤ R = cδλ0/n² = \(NumberFormat.short(r, digits: 4)) (c = \(c.radiusConstant), δ = \(c.failureProbability))",
                                     source: "002 Lemma 3.2", column: "max_weight_distance") { _ in r })
        }
        checks.append(BoundCheck(name: "λ_min(H(t)) ≥ λ0/2", source: "002 Lemma 3.2", column: "lambda_min",
                                 isLowerBound: true) { _ in l0 / 2 })
        return checks
    }

    /// The smallest A with L(t) ≤ A t^{−α} L(0) over the samples with t ≥ `fromTime` > 0
    /// (002 Theorem 3 states such an A exists; the run measures it).
    public static func theorem3Constant(trajectory: Trajectory, alpha: Double, fromTime: Double) -> (constant: Double, atTime: Double)? {
        guard let t = trajectory.column("t"), let loss = trajectory.column("loss"), let l0 = loss.first, l0 > 0 else { return nil }
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
    /// V(0) read from its first sample. Nesterov runs also get Theorem 3's smallest constant.
    public static func verdicts(flow: any ContinuousFlow, trajectory: Trajectory, lambda0: Double, sampleCount: Int,
                                width: Int?, radiusConstant: Double = 1, failureProbability: Double = 0.1) -> [CheckVerdict] {
        guard let first = trajectory.rows.first,
              let lossIndex = trajectory.columns.firstIndex(of: "loss"),
              let pseudoIndex = trajectory.columns.firstIndex(of: "pseudo_loss"),
              let energyIndex = trajectory.columns.firstIndex(of: "energy") else { return [] }
        var constants = CheckConstants(lambda0: lambda0, sampleCount: sampleCount, width: width,
                                       initialLoss: first[lossIndex], initialPseudoLoss: first[pseudoIndex])
        constants.radiusConstant = radiusConstant
        constants.failureProbability = failureProbability
        var out = checks(flow: flow, constants: constants, initialEnergy: first[energyIndex]).compactMap { $0.evaluate(trajectory) }
        if let nag = flow as? NesterovFlow, let positive = trajectory.column("t")?.first(where: { $0 > 0 }),
           let a = theorem3Constant(trajectory: trajectory, alpha: nag.energyExponent, fromTime: positive) {
            out.append(CheckVerdict(name: "Thm 3: L(t) ≤ A t^-α L(0), α = \(NumberFormat.short(nag.energyExponent, digits: 4))",
                                    source: "002 Theorem 3", held: true, worstRatio: a.constant, worstTime: a.atTime,
                                    firstFailureTime: nil, firstFailureRatio: nil, sampleCount: trajectory.rows.count,
                                    note: "smallest A along the run: \(NumberFormat.short(a.constant, digits: 4)) (attained at t = \(NumberFormat.short(a.atTime, digits: 4)))"))
        }
        return out
    }
}
