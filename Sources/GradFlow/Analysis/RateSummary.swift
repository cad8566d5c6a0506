import Foundation

/// One row of a rate table: how fast a run's loss L = ½‖Δ‖² decays, predicted and measured.
public struct RateSummary: Sendable {
    public var run: String
    public var law: RateFit.Law
    /// The theorem's (or spectral radius's) rate per unit time and where it comes from.
    public var theoryRate: Double?
    public var theorySource: String
    /// The rate of the linearized model on the frozen kernel, per unit time.
    public var linearizedRate: Double?
    /// Least-squares fit of ln L against t (or ln t).
    public var fit: RateFit?
    /// Discrete runs: the predicted contraction of ‖[ξ_k; ξ_{k−1}]‖ per iteration (the spectral
    /// radius ρ of the transition matrix) and the fitted one, exp(slope/2) of ln L against k.
    public var predictedFactorPerIteration: Double?
    public var fittedFactorPerIteration: Double?
    /// First time / iteration at which L ≤ ε (time interpolated log-linearly between samples;
    /// discrete runs: over every iterate when `iterateLosses` recorded ε).
    public var timeToEpsilon: Double?
    public var iterationsToEpsilon: Int?
    public var finalLoss: Double
    /// The smallest loss and the time (or, for discrete runs, the iteration) where it is first
    /// reached: 002 Fig. 3's "minimum MSE" for runs that do not decrease monotonically (NAG).
    /// Discrete runs take it over every iterate when the solution has `iterateLosses` (or
    /// every iteration is sampled), so for them it is exact; for flows it is the minimum over
    /// the sample times.
    public var minimumLoss: Double
    public var minimumLossAt: Double
    public var evaluations: Int
    public var steps: Int

    /// Measures a trajectory (columns t, loss and, for discrete runs, k).
    public init(run: String, trajectory: Solution, law: RateFit.Law, epsilon: Double) {
        self.run = run
        self.law = law
        theorySource = ""
        let t = trajectory[.time] ?? [], loss = trajectory[.loss] ?? []
        fit = try? RateFit(times: t, losses: loss, law: law)
        finalLoss = loss.last ?? .nan
        let smallest = loss.indices.min { loss[$0] < loss[$1] || (loss[$0] == loss[$1] && $0 < $1) }
        minimumLoss = smallest.map { loss[$0] } ?? .nan
        minimumLossAt = smallest.map { (trajectory[.iteration] ?? t)[$0] } ?? .nan
        evaluations = trajectory.statistics.evaluations
        steps = trajectory.statistics.steps
        let k = trajectory[.iteration]
        if let i = loss.firstIndex(where: { $0 <= epsilon }) {
            if i > 0, loss[i - 1] > 0, loss[i] > 0, k == nil {
                let a = log(loss[i - 1]), b = log(loss[i]), target = log(epsilon)
                timeToEpsilon = t[i - 1] + (t[i] - t[i - 1]) * (a - target) / (a - b)
            } else {
                timeToEpsilon = t[i]
            }
            iterationsToEpsilon = k.map { Int($0[i]) }
        }
        if let record = trajectory.iterateLosses {
            // Every iterate's loss, from the iterator: the exact minimum and first crossing.
            // An iterate that was sampled keeps its sampled (monitor) loss, which can differ
            // from the iterator's by rounding.
            let sampled = k?.contains(Double(record.minimumIteration)) ?? false
            if !sampled, minimumLoss.isNaN || record.minimumLoss < minimumLoss
                || (record.minimumLoss == minimumLoss && Double(record.minimumIteration) < minimumLossAt) {
                minimumLoss = record.minimumLoss
                minimumLossAt = Double(record.minimumIteration)
            }
            if record.level == epsilon, let first = record.firstAtOrBelowLevel,
               iterationsToEpsilon.map({ first < $0 }) ?? true {
                iterationsToEpsilon = first
                timeToEpsilon = record.firstAtOrBelowLevelTime
            }
        }
        if let k, let perIteration = try? RateFit(times: k, losses: loss, law: .exponential) {
            // ln L ≈ c − r k, so ‖ξ‖ ∝ √L contracts by e^{−r/2} per iteration.
            fittedFactorPerIteration = exp(-perIteration.rate / 2)
        }
    }
}
