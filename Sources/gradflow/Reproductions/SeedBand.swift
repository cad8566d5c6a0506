/// The mean and the min–max band of one quantity over seeds, sampled on a common axis, as
/// 003 draws its Figures 2–6 ("the dashed line is the mean of 5 seeds, the band min to max")
/// and 002 averages its Figure 3 over 10 runs.
struct SeedBand: Equatable {
    let mean: [Double]
    let minimum: [Double]
    let maximum: [Double]
    /// The number of seeds.
    let count: Int

    /// The band of `runs` (one array per seed, on the same axis). Runs of different lengths
    /// (one stopped early) are cut to the shortest. The mean sums in seed order, so the same
    /// runs always give the same bits.
    init(_ runs: [[Double]]) {
        precondition(!runs.isEmpty, "a band needs at least one run")
        let length = runs.map(\.count).min() ?? 0
        var mean = [Double](repeating: 0, count: length)
        var minimum = [Double](repeating: .infinity, count: length)
        var maximum = [Double](repeating: -.infinity, count: length)
        for run in runs {
            for j in 0..<length {
                mean[j] += run[j]
                minimum[j] = Swift.min(minimum[j], run[j])
                maximum[j] = Swift.max(maximum[j], run[j])
            }
        }
        self.mean = mean.map { $0 / Double(runs.count) }
        self.minimum = minimum
        self.maximum = maximum
        count = runs.count
    }

    /// The band of single values (one per seed): mean, min and max of `values`.
    init(values: [Double]) {
        self.init(values.map { [$0] })
    }
}
