import GradFlow
import GradFlowExport

/// `sweep --init-seeds`: for each width, data seed and run, the band over the initialization
/// seeds of its points: the loss's mean, min and max per sample (`band.csv`), and the final
/// loss, minimum loss and largest weight distance as mean, min and max (`band-summary.csv`).
struct SweepBands {
    let seriesTable: Table
    let summaryTable: Table
    let summaryCSV: Table

    /// `results` are the plan's points' results, in plan order.
    init(plan: SweepPlan, results: [SweepPointResult]) throws {
        var series = Table(header: ["m", "seed", "run", "t", "k", "seeds", "loss_mean", "loss_min", "loss_max"])
        var summary = Table(header: ["m", "seed", "run", "seeds", "final loss", "min loss", "max weight distance"])
        var csv = Table(header: ["m", "seed", "run", "seeds", "final_loss_mean", "final_loss_min", "final_loss_max",
                                 "minimum_loss_mean", "minimum_loss_min", "minimum_loss_max",
                                 "max_weight_distance_mean", "max_weight_distance_min", "max_weight_distance_max"])
        // Groups of points that differ only in the initialization seed, in plan order.
        var order: [String] = []
        var groups: [String: [SweepPointSeries]] = [:]
        var keys: [String: SweepPoint] = [:]
        for (point, result) in zip(plan.points, results) {
            guard let s = result.series else {
                throw CommandLineInputError(message: "--output: point \(point.id) of the sweep's manifest has no samples for the bands; rerun it with this gradflow")
            }
            let key = "\(point.width) \(point.seed) \(point.run)"
            if groups[key] == nil { order.append(key); keys[key] = point }
            groups[key, default: []].append(s)
        }
        func full(_ b: SeedBand) -> [String] { [b.mean[0], b.minimum[0], b.maximum[0]].map(NumberFormat.roundTrip) }
        func shown(_ b: SeedBand) -> String {
            "\(NumberFormat.short(b.mean[0], digits: 3)) [\(NumberFormat.short(b.minimum[0], digits: 3)), \(NumberFormat.short(b.maximum[0], digits: 3))]"
        }
        for key in order {
            let point = keys[key]!, members = groups[key]!
            let lead = ["\(point.width)", "\(point.seed)", point.run]
            let band = SeedBand(members.map(\.loss))
            for j in band.mean.indices {
                let t = members.allSatisfy { $0.time.count > j && $0.time[j] == members[0].time[j] } ? NumberFormat.roundTrip(members[0].time[j]) : ""
                series.rows.append(lead + [t, members[0].iteration.map { "\(Int($0[j]))" } ?? "", "\(band.count)",
                                           NumberFormat.roundTrip(band.mean[j]), NumberFormat.roundTrip(band.minimum[j]),
                                           NumberFormat.roundTrip(band.maximum[j])])
            }
            let final = SeedBand(values: members.map { $0.loss.last ?? .nan })
            let minimum = SeedBand(values: members.map { $0.loss.min() ?? .nan })
            let distance = SeedBand(values: members.map { $0.maxWeightDistance ?? .nan })
            summary.rows.append(lead + ["\(members.count)", shown(final), shown(minimum), shown(distance)])
            csv.rows.append(lead + ["\(members.count)"] + full(final) + full(minimum) + full(distance))
        }
        seriesTable = series
        summaryTable = summary
        summaryCSV = csv
    }
}
