import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

/// One point of a sweep: a width, a seed and one of the runs.
struct SweepPoint: Codable, Equatable {
    var id: String
    var width: Int
    var seed: UInt64
    var run: String
    var runIndex: Int
    /// `--init-seeds`: the initialization seed (the data stay those of `seed`).
    var initSeed: UInt64?
}

/// The plan of a sweep: its configuration and its points, in order.
struct SweepPlan: Codable, Equatable {
    var configuration: [String: String]
    /// True when rows carry seed and run columns.
    var labelled: Bool
    var points: [SweepPoint]
    var gradflow = ToolVersion.current
    /// `--init-seeds`, when given: rows gain an `init seed` column and the merge writes bands.
    var initializationSeeds: [UInt64]?
}

/// A finished point: its summary row and its checks.
struct SweepPointResult: Codable {
    var id: String
    var row: [String]
    var detail: [[String]]
    var stop: String?
    /// With `--init-seeds`: the point's loss samples, for the bands.
    var series: SweepPointSeries?
}

/// A point's samples kept in its manifest record for the bands over initialization seeds.
struct SweepPointSeries: Codable {
    var time: [Double]
    /// Discrete runs: k.
    var iteration: [Double]?
    var loss: [Double]
    var maxWeightDistance: Double?
}

/// The manifest in OUTPUT/sweep-manifest/: `plan.json`, and one `<point>.json` per finished
/// point, written atomically after the point's own files, so a point is done exactly when
/// its record exists. Shards share it; a rerun skips the points it marks done.
struct SweepManifest {
    let directory: String

    var folder: String { directory + "/sweep-manifest" }
    var planPath: String { folder + "/plan.json" }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }()

    /// Writes the plan, or checks that an existing one is the same sweep.
    func record(_ plan: SweepPlan) throws {
        if let existing = try? loadPlan() {
            guard existing.configuration == plan.configuration, existing.points == plan.points else {
                let differing = Set(existing.configuration.keys).union(plan.configuration.keys)
                    .filter { existing.configuration[$0] != plan.configuration[$0] }.sorted()
                throw CommandLineInputError(message: "--output: got \(directory), which holds another sweep (its plan differs in \(differing.isEmpty ? "points" : differing.joined(separator: ", "))); use a new directory or the same options")
            }
            return
        }
        try Self.write(String(decoding: try Self.encoder.encode(plan), as: UTF8.self) + "\n", to: planPath)
    }

    func loadPlan() throws -> SweepPlan {
        guard let data = FileManager.default.contents(atPath: planPath) else {
            throw CommandLineInputError(message: "--output: got \(directory); it has no sweep plan (\(planPath)); run gradflow sweep --plan first")
        }
        do {
            return try JSONDecoder().decode(SweepPlan.self, from: data)
        } catch {
            throw CommandLineInputError(message: "--output: got \(directory); its plan \(planPath) is not a sweep plan (\(error))")
        }
    }

    private func recordPath(_ id: String) -> String { folder + "/\(id).json" }

    func isDone(_ point: SweepPoint) -> Bool { result(point.id) != nil }

    func result(_ id: String) -> SweepPointResult? {
        guard let data = FileManager.default.contents(atPath: recordPath(id)) else { return nil }
        return try? JSONDecoder().decode(SweepPointResult.self, from: data)
    }

    func markDone(_ result: SweepPointResult) throws {
        try Self.write(String(decoding: try Self.encoder.encode(result), as: UTF8.self) + "\n", to: recordPath(result.id))
    }

    /// One JSON file, written atomically by the export layer.
    private static func write(_ json: String, to path: String) throws {
        let outputs = OutputSet()
        try outputs.add(.json(json), as: JSONRecordWriter(), to: path)
        try outputs.commit()
    }
}

/// Joins the finished points of a sweep into its tables.
enum SweepMerge {
    static func merge(manifest: SweepManifest, flowLine: String?) throws {
        let plan = try manifest.loadPlan()
        var results: [SweepPointResult] = []
        var missing: [String] = []
        for point in plan.points {
            if let r = manifest.result(point.id) { results.append(r) } else { missing.append(point.id) }
        }
        guard missing.isEmpty else {
            throw CommandLineInputError(message: "--output: got \(manifest.directory); \(missing.count) of \(plan.points.count) points are not done (\(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")); run or resubmit their shards")
        }
        let lead = plan.labelled ? ["m", "seed"] + (plan.initializationSeeds == nil ? [] : ["init seed"]) + ["run"] : ["m"]
        var table = Table(header: lead + ["checks held", "failed checks", "max weight distance", "pattern change ratio",
                                          "min λ_min(H(t))", "final loss"])
        var detail = Table(header: lead + ["check", "verdict"])
        for r in results {
            table.rows.append(r.row)
            detail.rows += r.detail
        }
        if let flowLine { print(flowLine) }
        print(AlignedTextTableWriter().render(table), terminator: "")
        let outputs = OutputSet()
        let directory = manifest.directory
        try outputs.add(.report(Report(sections: [.table(table), .table(detail)])), as: MarkdownTableWriter(), to: "\(directory)/sweep.md")
        try outputs.add(.table(table, caption: nil), as: CSVTableWriter(), to: "\(directory)/sweep.csv")
        try outputs.add(.table(detail, caption: nil), as: CSVTableWriter(), to: "\(directory)/checks.csv")
        if let initSeeds = plan.initializationSeeds {
            let bands = try SweepBands(plan: plan, results: results)
            print("over the initialization seeds \(initSeeds.map(String.init).joined(separator: ",")) (data fixed by each seed): mean [min, max]")
            print(AlignedTextTableWriter().render(bands.summaryTable), terminator: "")
            let metadata: [(String, String)] = [("gradflow", plan.gradflow), ("gsl", GSL.version), ("command", "sweep")]
                + plan.configuration.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            try outputs.add(.annotatedTable(bands.seriesTable, metadata: metadata), as: CSVTableWriter(), to: "\(directory)/band.csv")
            try outputs.add(.annotatedTable(bands.summaryCSV, metadata: metadata), as: CSVTableWriter(), to: "\(directory)/band-summary.csv")
        }
        try outputs.commit()
        print("wrote \(directory)/sweep.md, sweep.csv, checks.csv and one CSV/JSON per point (\(plan.points.count) points)")
    }
}
