import GradFlow

/// A staged series and the band behind it.
struct StagedBand {
    let file: String
    let x: [Double]
    let band: SeedBand

    /// The notebook's series for it.
    func series(_ label: String, style: FigureSpecification.Series.Style = .band, color: Int? = nil) -> FigureSpecification.Series {
        FigureSpecification.Series(label: label, file: file, style: style, color: color)
    }
}

extension ReproductionRecorder {
    /// Stages as `series/<name>.csv` the band over `groups` (one per seed, from `compare`) of
    /// `column` of run `run`, times `scale`, against `axis` (the iteration k by default).
    func band(_ name: String, run: String, column: Observable, axis: Observable = .iteration, scale: Double = 1,
              in groups: [[String: RunResult]]) throws -> StagedBand {
        let solutions = groups.map { $0[run]!.solution }
        let values = solutions.map { ($0[column] ?? []).map { $0 * scale } }
        let x = solutions.map { $0[axis] ?? [] }.min { $0.count < $1.count } ?? []
        let band = SeedBand(values)
        let file = try series(name, x: x, band: band,
                              description: "\(column.rawValue)\(scale == 1 ? "" : " x \(NumberFormat.roundTrip(scale))") of run \(run) against \(axis.rawValue)")
        return StagedBand(file: file, x: x, band: band)
    }

    /// Stages a curve computed from the runs (a bound, a reference line) as a band over seeds.
    func curve(_ name: String, x: [Double], values: [[Double]], description: String) throws -> StagedBand {
        let band = SeedBand(values)
        return StagedBand(file: try series(name, x: x, band: band, description: description), x: x, band: band)
    }
}

/// Measurements of one run's samples.
extension Solution {
    /// The iteration (or time, for flows) at which the loss first is ≤ ε.
    func firstReaching(_ epsilon: Double, axis: Observable = .iteration) -> Double? {
        guard let loss = self[.loss], let x = self[axis], let i = loss.firstIndex(where: { $0 <= epsilon }) else { return nil }
        return x[i]
    }

    /// The last value of a column.
    func final(_ column: Observable) -> Double { self[column]?.last ?? .nan }
}
