/// Which iterations a discrete run samples when no explicit list is given (`SolveOptions`).
public enum DiscreteSampling: Sendable, Equatable {
    /// Every iteration 0…K.
    case everyIteration
    /// The iteration nearest each sample time, clamped to 0…K, without repeats, and K — when
    /// the iterator sees every iterate's loss (`DiscreteIterator.knowsEveryLoss`); otherwise
    /// `solve` falls back to every iteration.
    case nearestSampleTimes

    /// The sampled iterations of a run of K iterations of `method` observed at `times`.
    func iterations(_ k: Int, method: any DiscreteMethod, times: [Double]) -> [Int] {
        switch self {
        case .everyIteration:
            return Array(0...k)
        case .nearestSampleTimes:
            var chosen = Set(times.map { min(k, method.iterations(toReach: $0)) })
            chosen.insert(k)
            return chosen.sorted()
        }
    }
}
