import GradFlow
import GradFlowExport

/// `compare --init-seeds`: the runs of several initialization seeds on fixed data, as a band
/// per run: the loss's mean, min and max over the seeds at each sample (`band.csv`), and the
/// final loss, minimum loss and time to ε as mean [min, max] (`band-summary.csv` and the
/// printed table).
struct InitializationBands {
    /// One table row per run and sample: run, t, k, seeds, loss mean, min, max.
    let seriesTable: Table
    /// One printed row per run: the summaries' bands.
    let summaryTable: Table
    /// `band-summary.csv`: the same at full precision.
    let summaryCSV: Table

    /// `results[s][r]` and `rows[s][r]` are run r of seed s; every seed has the same runs.
    init(seeds: [UInt64], results: [[RunResult]], rows: [[RateRow]]) {
        var series = Table(header: ["run", "t", "k", "seeds", "loss_mean", "loss_min", "loss_max"])
        var summary = Table(header: ["run", "seeds", "final loss", "min loss", "reached ε", "t to ε", "k to ε"])
        var csv = Table(header: ["run", "seeds", "final_loss_mean", "final_loss_min", "final_loss_max",
                                 "minimum_loss_mean", "minimum_loss_min", "minimum_loss_max", "reached_epsilon",
                                 "time_to_epsilon_mean", "time_to_epsilon_min", "time_to_epsilon_max",
                                 "iterations_to_epsilon_mean", "iterations_to_epsilon_min", "iterations_to_epsilon_max"])
        let count = seeds.count
        for r in results[0].indices {
            let name = results[0][r].run.name
            let solutions = results.map { $0[r].solution }
            let band = SeedBand(solutions.map { $0[.loss] ?? [] })
            // The axis of the rows: the sample times (flows), or k and its time (discrete runs;
            // t is left empty where the seeds' step sizes, hence times, differ).
            let times = solutions.map { $0[.time] ?? [] }
            let iterations = solutions[0][.iteration]
            for j in band.mean.indices {
                let t = times.allSatisfy { $0.count > j && $0[j] == times[0][j] } ? NumberFormat.roundTrip(times[0][j]) : ""
                series.rows.append([name, t, iterations.map { "\(Int($0[j]))" } ?? "", "\(band.count)",
                                    NumberFormat.roundTrip(band.mean[j]), NumberFormat.roundTrip(band.minimum[j]),
                                    NumberFormat.roundTrip(band.maximum[j])])
            }
            let summaries = rows.map { $0[r].summary }
            let final = SeedBand(values: summaries.map(\.finalLoss))
            let minimum = SeedBand(values: summaries.map(\.minimumLoss))
            let reachedTimes = summaries.compactMap(\.timeToEpsilon)
            let reachedIterations = summaries.compactMap(\.iterationsToEpsilon).map(Double.init)
            let timeBand = reachedTimes.isEmpty ? nil : SeedBand(values: reachedTimes)
            let iterationBand = reachedIterations.isEmpty ? nil : SeedBand(values: reachedIterations)
            func shown(_ b: SeedBand?, digits: Int = 3) -> String {
                guard let b else { return "-" }
                return "\(NumberFormat.short(b.mean[0], digits: digits)) [\(NumberFormat.short(b.minimum[0], digits: digits)), \(NumberFormat.short(b.maximum[0], digits: digits))]"
            }
            func full(_ b: SeedBand?) -> [String] {
                guard let b else { return ["", "", ""] }
                return [b.mean[0], b.minimum[0], b.maximum[0]].map(NumberFormat.roundTrip)
            }
            summary.rows.append([name, "\(count)", shown(final), shown(minimum), "\(reachedTimes.count)/\(count)",
                                 shown(timeBand, digits: 4), shown(iterationBand, digits: 4)])
            csv.rows.append([name, "\(count)"] + full(final) + full(minimum) + ["\(reachedTimes.count)"] + full(timeBand) + full(iterationBand))
        }
        seriesTable = series
        summaryTable = summary
        summaryCSV = csv
    }
}
