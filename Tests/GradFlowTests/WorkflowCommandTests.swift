import Foundation
import XCTest

/// The research workflow's general commands: seed bands in `compare --init-seeds`
/// (data fixed, initialization varied), lists of flow parameters in `sweep` (`--flows
/// nesterov:gamma=3,nesterov:gamma=7`), and `reproduce --plan`. Every problem is tiny (n = 6,
/// d = 4, m = 32, t ≤ 4), so the whole class runs in a few seconds.
final class WorkflowCommandTests: XCTestCase {
    private var root: URL!
    private static let tiny = ["--samples", "6", "--dimension", "4", "--width", "32", "--t-end", "4", "--points", "5"]

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("WorkflowCommandTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func gradflow(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> GradflowRun {
        let result = try runGradflow(arguments, in: root, timeout: 120)
        XCTAssertEqual(result.status, 0, "gradflow \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result
    }

    /// A `# key=value`-headed CSV without quoted cells: its header and rows.
    private func csv(_ path: String) throws -> (header: [String], rows: [[String]]) {
        let lines = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("# ") }
        let split = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return (split[0], Array(split.dropFirst()))
    }

    /// One column of a CSV as numbers.
    private func column(_ name: String, of path: String) throws -> [Double] {
        let table = try csv(path)
        let j = try XCTUnwrap(table.header.firstIndex(of: name), "\(path) has no column \(name)")
        return table.rows.map { Double($0[j])! }
    }

    /// Every file under a directory, relative, hidden ones included.
    private func files(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: root.appendingPathComponent(directory).path)?.compactMap { $0 as? String } ?? []).sorted()
    }

    // MARK: - compare --init-seeds

    /// The band's mean, min and max equal those of separate single-seed runs
    /// (`compare --init-seed s`), whose files are the band's per-seed files byte for byte; the
    /// files are the same for --jobs 1 and 2.
    func testInitSeedBandMatchesSingleSeedRuns() throws {
        let seeds = [0, 1, 2]
        let common = Self.tiny + ["--seed", "4", "--flows", "gradient-flow,hbf", "--methods", "gd:eta=0.5,hb:recipe=000-experiment",
                                  "--iterations", "12"]
        _ = try gradflow(["compare"] + common + ["--init-seeds", "0,1,2", "--jobs", "1", "--output", "one"])
        _ = try gradflow(["compare"] + common + ["--init-seeds", "0,1,2", "--jobs", "2", "--output", "two"])
        for s in seeds { _ = try gradflow(["compare"] + common + ["--init-seed", "\(s)", "--jobs", "1", "--output", "single\(s)"]) }

        // --jobs 1 and 2: the same files, the same bytes (JSON records hold wall times).
        let written = files("one").filter { !$0.hasSuffix(".json") && !$0.hasPrefix(".") }
        XCTAssertEqual(written, files("two").filter { !$0.hasSuffix(".json") && !$0.hasPrefix(".") })
        XCTAssertTrue(written.contains("band.csv") && written.contains("band-summary.csv") && written.contains("init-seed2/hb.csv"), "\(written)")
        XCTAssertFalse(files("one").contains { $0.contains(".gradflow-resume") }, "the resume folders are removed")
        for file in written {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent("one/\(file)").path, isDirectory: &isDirectory),
                  !isDirectory.boolValue else { continue }
            XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("one/\(file)")),
                           try Data(contentsOf: root.appendingPathComponent("two/\(file)")), file)
        }

        let runs = ["gradient-flow", "hbf", "gd", "hb"]
        let band = try csv("one/band.csv")
        XCTAssertEqual(band.header, ["run", "t", "k", "seeds", "loss_mean", "loss_min", "loss_max"])
        for run in runs {
            // Each seed's files are those of the single-seed command.
            for s in seeds {
                XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("one/init-seed\(s)/\(run).csv")),
                               try Data(contentsOf: root.appendingPathComponent("single\(s)/\(run).csv")), "\(run), seed \(s)")
            }
            let losses = try seeds.map { try column("loss", of: "single\($0)/\(run).csv") }
            let times = try column("t", of: "single0/\(run).csv")
            let rows = band.rows.filter { $0[0] == run }
            XCTAssertEqual(rows.count, losses[0].count, "\(run): one band row per sample")
            let discrete = run == "gd" || run == "hb"
            // Discrete runs sample the iterations nearest the sample times, and always k = K.
            let iterations = discrete ? try column("k", of: "single0/\(run).csv") : []
            if discrete { XCTAssertEqual(iterations.last, 12, "\(run): K = 12") } else { XCTAssertEqual(rows.count, 5, run) }
            for (j, row) in rows.enumerated() {
                let values = losses.map { $0[j] }
                XCTAssertEqual(row[3], "3")
                // min and max are values of the runs, written at round-trip precision: exact.
                XCTAssertEqual(Double(row[5]), values.min(), "\(run) row \(j)")
                XCTAssertEqual(Double(row[6]), values.max(), "\(run) row \(j)")
                // The mean sums in seed order as here; only rounding of a 3-term sum could
                // differ: within 4 ulps.
                let mean = values.reduce(0, +) / 3
                XCTAssertEqual(Double(row[4])!, mean, accuracy: 4 * mean.ulp, "\(run) row \(j)")
                if run == "gradient-flow" || run == "hbf" {
                    XCTAssertEqual(Double(row[1]), times[j], "flows: the sample time")
                    XCTAssertEqual(row[2], "")
                } else {
                    XCTAssertEqual(row[2], "\(Int(iterations[j]))", "discrete runs: k")
                }
            }
            // hb's recipe reads H(0), which differs between initializations: so do its step
            // size and its times, and t is left empty after k = 0; gd's η is fixed.
            if run == "hb" { XCTAssertEqual(rows.dropFirst().map { $0[1] }, Array(repeating: "", count: rows.count - 1)) }
            if run == "gd" { XCTAssertEqual(Double(rows.last![1])!, 12 * 0.5, accuracy: 1e-12) }
        }
        // The summary's band of the final and minimum loss.
        let summary = try csv("one/band-summary.csv")
        for run in runs {
            let row = try XCTUnwrap(summary.rows.first { $0[0] == run })
            func value(_ name: String) -> Double { Double(row[summary.header.firstIndex(of: name)!])! }
            let finals = try seeds.map { try column("loss", of: "single\($0)/\(run).csv").last! }
            let minima = try seeds.map { try column("loss", of: "single\($0)/\(run).csv").min()! }
            XCTAssertEqual(value("final_loss_min"), finals.min())
            XCTAssertEqual(value("final_loss_max"), finals.max())
            XCTAssertEqual(value("minimum_loss_min"), minima.min())
            XCTAssertEqual(value("minimum_loss_max"), minima.max())
            let mean = finals.reduce(0, +) / 3
            XCTAssertEqual(value("final_loss_mean"), mean, accuracy: 4 * mean.ulp)
        }
        // The data are fixed, the initialization varies: the runs differ between seeds, and
        // each record names its seeds.
        XCTAssertNotEqual(try column("loss", of: "single0/gd.csv"), try column("loss", of: "single1/gd.csv"))
        let header = try String(contentsOf: root.appendingPathComponent("one/band.csv"), encoding: .utf8)
        for line in ["# seed=4", "# init_seeds=0,1,2", "# gradflow=", "# gsl="] { XCTAssertTrue(header.contains(line), line) }
    }

    // MARK: - sweep with a list of flow parameters

    /// `--flows nesterov:gamma=3,nesterov:gamma=7` runs one point per γ, each equal to a
    /// sweep of that γ alone given with `--gamma`; a method list works the same way.
    func testSweepRunsAListOfFlowParameters() throws {
        let common = ["sweep", "--samples", "6", "--dimension", "4", "--widths", "16,32", "--t-end", "3", "--points", "4"]
        _ = try gradflow(common + ["--flows", "nesterov:gamma=3,nesterov:gamma=7,hbf:b=0.5",
                                   "--methods", "nag-gamma:eta=0.1:gamma=3,nag-gamma:eta=0.1:gamma=7", "--iterations", "7", "--output", "list"])
        _ = try gradflow(common + ["--flows", "nesterov", "--gamma", "7", "--output", "g7"])
        _ = try gradflow(common + ["--flows", "hbf", "--friction", "0.5", "--output", "b05"])
        let table = try csv("list/sweep.csv")
        XCTAssertEqual(table.rows.map { "\($0[0]) \($0[2])" },
                       ["16 nesterov-gamma3", "16 nesterov-gamma7", "16 hbf-b0.5", "16 nag-gamma", "16 nag-gamma-2",
                        "32 nesterov-gamma3", "32 nesterov-gamma7", "32 hbf-b0.5", "32 nag-gamma", "32 nag-gamma-2"])
        for m in [16, 32] {
            // The keyed entry is the flag's run: the same samples, bit for bit.
            XCTAssertEqual(try column("loss", of: "list/m\(m)-nesterov-gamma7.csv"), try column("loss", of: "g7/m\(m).csv"))
            XCTAssertEqual(try column("energy", of: "list/m\(m)-hbf-b0.5.csv"), try column("energy", of: "b05/m\(m).csv"))
            XCTAssertNotEqual(try column("loss", of: "list/m\(m)-nesterov-gamma3.csv"), try column("loss", of: "g7/m\(m).csv"))
            let record = try String(contentsOf: root.appendingPathComponent("list/m\(m)-nesterov-gamma7.csv"), encoding: .utf8)
            XCTAssertTrue(record.contains("# gamma=7.0\n"), "the run records its γ")
            // --iterations K: each method runs k = 0 … 7, each with its own γ.
            XCTAssertEqual(try column("k", of: "list/m\(m)-nag-gamma-2.csv"), (0...7).map(Double.init))
            let nag = try String(contentsOf: root.appendingPathComponent("list/m\(m)-nag-gamma-2.csv"), encoding: .utf8)
            XCTAssertTrue(nag.contains("# gamma=7.0\n"), nag)
        }
    }
    /// `sweep --init-seeds`: per width and run, the band over the initialization seeds equals
    /// the separate sweeps `--init-seed s`; a sharded sweep merges to the same bytes.
    func testSweepInitSeedBandMatchesSingleSeedSweeps() throws {
        let common = ["sweep", "--samples", "6", "--dimension", "4", "--widths", "16,32", "--flows", "hbf", "--methods", "gd:eta=0.5",
                      "--iterations", "6", "--t-end", "3", "--points", "4", "--seed", "2"]
        _ = try gradflow(common + ["--init-seeds", "0,1,2", "--jobs", "2", "--output", "band"])
        for s in 0..<3 { _ = try gradflow(common + ["--init-seed", "\(s)", "--output", "single\(s)"]) }
        _ = try gradflow(common + ["--init-seeds", "0,1,2", "--plan", "--output", "sharded"])
        for shard in ["1/2", "2/2"] { _ = try gradflow(common + ["--init-seeds", "0,1,2", "--shard", shard, "--output", "sharded"]) }
        _ = try gradflow(["merge", "--output", "sharded"])
        for file in ["band.csv", "band-summary.csv", "sweep.csv", "checks.csv"] {
            XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("band/\(file)")),
                           try Data(contentsOf: root.appendingPathComponent("sharded/\(file)")), file)
        }
        let band = try csv("band/band.csv")
        XCTAssertEqual(band.header, ["m", "seed", "run", "t", "k", "seeds", "loss_mean", "loss_min", "loss_max"])
        let summary = try csv("band/band-summary.csv")
        for m in [16, 32] {
            for run in ["hbf", "gd"] {
                // The band's point files are the single sweeps' files, and its rows their band.
                let losses = try (0..<3).map { try column("loss", of: "single\($0)/m\(m)-\(run).csv") }
                for s in 0..<3 { XCTAssertEqual(try column("loss", of: "band/m\(m)-init\(s)-\(run).csv"), losses[s], "m\(m) \(run) init \(s)") }
                let rows = band.rows.filter { $0[0] == "\(m)" && $0[1] == "2" && $0[2] == run }
                XCTAssertEqual(rows.count, run == "gd" ? 7 : 4, "m\(m) \(run): k = 0 … 6, or 4 sample times")
                for (j, row) in rows.enumerated() {
                    let values = losses.map { $0[j] }
                    XCTAssertEqual(Double(row[7]), values.min())
                    XCTAssertEqual(Double(row[8]), values.max())
                    // A 3-term sum in seed order, as here: within 4 ulps.
                    let mean = values.reduce(0, +) / 3
                    XCTAssertEqual(Double(row[6])!, mean, accuracy: 4 * mean.ulp)
                    XCTAssertEqual(row[4], run == "gd" ? "\(j)" : "")
                }
                let line = try XCTUnwrap(summary.rows.first { $0[0] == "\(m)" && $0[2] == run })
                XCTAssertEqual(Double(line[5]), losses.map { $0.last! }.min())
                XCTAssertEqual(Double(line[6]), losses.map { $0.last! }.max())
                let distances = try (0..<3).map { try column("max_weight_distance", of: "single\($0)/m\(m)-\(run).csv").max()! }
                XCTAssertEqual(Double(line[11]), distances.min())
                XCTAssertEqual(Double(line[12]), distances.max())
            }
        }
    }

    // MARK: - reproduce --full --plan

    /// The value of each flag of a printed `gradflow compare` command (the last, if repeated).
    private func flags(_ line: Substring) -> [String: String] {
        let words = line.split(separator: " ").map(String.init)
        var out: [String: String] = [:]
        for (k, w) in words.enumerated() where w.hasPrefix("--") && k + 1 < words.count { out[w] = words[k + 1] }
        return out
    }

    /// Every available reproduction's `--full --plan` runs nothing, writes nothing, and lists
    /// commands whose options parse (the command checks them) at the paper's sizes, as
    /// EXPERIMENTS.md lists them (typed here, not taken from the code).
    func testEveryFullPlanHasThePapersSizes() throws {
        let list = try gradflow(["reproduce", "--list"]).stdout.split(separator: "\n")
        let available = list.compactMap { line -> String? in
            let words = line.split(separator: " ")
            return words.count > 1 && words[1] == "available" ? String(words[0]) : nil
        }
        XCTAssertEqual(available.count, 16, "\(available)")
        var commands: [String: [[String: String]]] = [:]
        for id in available {
            let output = "plan-\(id)"
            let result = try gradflow(["reproduce", id, "--full", "--plan", "--output", output, "--jobs", "2"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(output).path), "\(id): --plan writes nothing")
            XCTAssertTrue(result.stdout.contains("nothing run or written"), result.stdout)
            let lines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  gradflow compare ") }
            XCTAssertTrue(result.stdout.contains("\(lines.count) compare commands"), "\(id): the count matches the listing")
            commands[id] = lines.map(flags)
        }
        func values(_ id: String, _ flag: String) -> Set<String> { Set((commands[id] ?? []).compactMap { $0[flag] }) }
        // 000 Fig. 2 / 001 Fig. 1 (App. D l.954–968, App. H.1): n = 5, d = 10, m = 1000, 50 iterations.
        for id in ["000-F2", "001-F1"] {
            XCTAssertEqual(values(id, "--samples"), ["5"], id)
            XCTAssertEqual(values(id, "--dimension"), ["10"], id)
            XCTAssertEqual(values(id, "--width"), ["1000"], id)
            XCTAssertEqual(values(id, "--iterations"), ["50"], id)
        }
        // 001 Fig. 2 (App. H.2): L = 100, m = 50, d = 20, n = 5.
        XCTAssertEqual(values("001-F2", "--model"), ["deep-linear:layers=100:hidden=50"])
        XCTAssertEqual(values("001-F2", "--samples"), ["5"])
        XCTAssertEqual(values("001-F2", "--dimension"), ["20"])
        // 002: widths in 10³–10⁴ (l.480); Fig. 3 averages 10 runs.
        for id in ["002-F1", "002-F2", "002-F3", "002-F4"] {
            let widths = values(id, "--width").compactMap { Int($0) }
            XCTAssertFalse(widths.isEmpty, id)
            XCTAssertTrue(widths.allSatisfy { (1000...10_000).contains($0) }, "\(id): \(widths)")
        }
        XCTAssertEqual(values("002-F3", "--init-seed").count, 10)
        // 003 Figs. 2–6 (l.287–340): m = 20 000 (Figs. 2, 5, 6), m ∈ {1250, …, 20 000} (Figs. 3–4), 5 seeds.
        for id in ["003-F2", "003-F5", "003-F6"] { XCTAssertEqual(values(id, "--width"), ["20000"], id) }
        for id in ["003-F3", "003-F4"] {
            XCTAssertEqual(values(id, "--width"), ["1250", "2500", "5000", "10000", "20000"], id)
            XCTAssertEqual(commands[id]?.count, 25, "\(id): 5 widths × 5 seeds")
        }
        for id in ["003-F2", "003-F3", "003-F4", "003-F5", "003-F6"] { XCTAssertEqual(values(id, "--init-seed"), ["0", "1", "2", "3", "4"], id) }
        // 004 Fig. 3 (caption l.157–159): N = 20 000, d = 30 (m = 5, P = 5 and 2000 test points are margin-cnn's defaults).
        XCTAssertEqual(values("004-F3", "--samples"), ["20000"])
        XCTAssertEqual(values("004-F3", "--dimension"), ["30"])
        XCTAssertEqual(values("004-F3", "--model"), ["margin-cnn"])
        // The closed form runs no command.
        XCTAssertEqual(commands["000-theta"]?.count, 0)
    }
}
