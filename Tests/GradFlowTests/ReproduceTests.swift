import Foundation
import XCTest

/// `gradflow reproduce`: the catalogue, its refusals, the committed notebooks (valid
/// nbformat 4, executed, numbers equal to a fresh run of their command), seed bands and
/// reproducibility. Only the cheapest reproductions are run (000-theta, a closed form, and
/// 000-F2, 20 runs of 50 iterations at n = 5, m = 1000): a few seconds each, plus one
/// notebook execution each.
final class ReproduceTests: XCTestCase {
    /// The 19 experiments of the catalogue (EXPERIMENTS.md), typed here independently of the
    /// command's own list.
    static let catalogue = ["000-theta", "000-F2", "001-F1", "001-F2", "002-F1", "002-F2", "002-F3", "002-F4", "003-T1", "003-F2",
                            "003-F3", "003-F4", "003-F5", "003-F6", "004-T1", "004-F2", "004-F3", "004-F1", "004-F4"]
    /// Experiments whose models GradFlow lacks.
    static let needingModels = ["004-T1", "004-F1", "004-F4"]

    private var root: URL!
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static var notebooks: URL { packageRoot.appendingPathComponent("notebooks-export") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ReproduceTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: - Helpers

    /// Runs a program (found on PATH) in `root` with extra environment; returns status, stdout, stderr.
    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> GradflowRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = root.appendingPathComponent("out-\(UUID().uuidString).txt"), err = root.appendingPathComponent("err-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return GradflowRun(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                           stderr: try String(contentsOf: err, encoding: .utf8))
    }

    private func gradflow(_ arguments: [String], environment: [String: String] = [:]) throws -> GradflowRun {
        try run([try gradflowExecutable().path] + arguments, environment: environment)
    }

    /// Skips when Python lacks the notebook modules (python/setup-env installs them; the
    /// README's test command runs it first, so this skips only outside it).
    private func requirePython() throws {
        let probe = try run(["python3", "-c", "import nbformat, nbconvert, nbclient, ipykernel, matplotlib, numpy"])
        if probe.status != 0 { throw XCTSkip("python3 lacks the notebook modules: run python/setup-env") }
    }

    /// Runs a Python snippet with arguments; fails the test with its stderr on a non-zero exit.
    private func python(_ code: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(["python3", "-c", code] + arguments)
        XCTAssertEqual(result.status, 0, "python failed: \(result.stderr)", file: file, line: line)
        return result.stdout
    }

    /// Every file under `directory`, relative, hidden ones included.
    private func files(under directory: URL) -> [String] {
        (FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []).sorted()
    }

    /// The rows of a `# key=value`-headed CSV as dictionaries (cells with commas are quoted).
    private func readCSV(_ url: URL) throws -> [[String: String]] {
        let code = """
        import csv, json, sys
        lines = [l for l in open(sys.argv[1], encoding="utf-8") if not l.startswith("# ")]
        print(json.dumps(list(csv.DictReader(lines))))
        """
        return try JSONDecoder().decode([[String: String]].self, from: Data(try python(code, [url.path]).utf8))
    }

    /// The "paper says / GradFlow measured" rows a notebook shows: the output metadata of its
    /// table cell (written by the same cell that renders the Markdown table), and that Markdown.
    private func notebookTable(_ url: URL) throws -> (rows: [[String: String]], markdown: String) {
        let code = """
        import json, sys, nbformat
        nb = nbformat.read(sys.argv[1], as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if "gradflow_summary" in o.get("metadata", {}):
                    print(json.dumps({"rows": o["metadata"]["gradflow_summary"], "markdown": o["data"]["text/markdown"]}))
                    sys.exit(0)
        sys.exit("no table output in " + sys.argv[1])
        """
        struct Table: Decodable { var rows: [[String: String]]; var markdown: String }
        let table = try JSONDecoder().decode(Table.self, from: Data(try python(code, [url.path]).utf8))
        return (table.rows, table.markdown)
    }

    // MARK: - Catalogue and refusals

    func testListNamesEveryCatalogueExperiment() throws {
        let result = try gradflow(["reproduce", "--list"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for id in Self.catalogue {
            let line = try XCTUnwrap(lines.first { $0.hasPrefix(id + " ") }, "--list does not list \(id)")
            if Self.needingModels.contains(id) {
                XCTAssertTrue(line.contains("not available"), line)
                let next = lines[lines.firstIndex(of: line)! + 1]
                XCTAssertTrue(next.contains("needs "), "\(id): \(next)")
            }
        }
        XCTAssertEqual(lines.filter { !$0.hasPrefix(" ") }.count, Self.catalogue.count, "one line per experiment:\n\(result.stdout)")
        // At least the cheap ones exist.
        for id in ["000-theta", "000-F2", "001-F1", "002-F1", "003-F3", "003-F5"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix(id + " ") && $0.contains(" available ") }, "\(id) should be available")
        }
    }

    func testUnknownAndUnavailableIDsAreRefusedWithoutWriting() throws {
        let output = root.appendingPathComponent("data"), notebook = root.appendingPathComponent("nb/x.ipynb")
        for (id, mentions) in [("XYZ", ["\"XYZ\"", "000-F2", "004-F4"]), ("004-T1", ["004-T1", "not available", "needs", "000-F2"])] {
            let result = try gradflow(["reproduce", id, "--output", output.path, "--notebook", notebook.path])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("Error: reproduce ID: got "), result.stderr)
            for text in mentions { XCTAssertTrue(result.stderr.contains(text), "\(text) missing in: \(result.stderr)") }
        }
        let none = try gradflow(["reproduce"])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertEqual(none.stderrLines.count, 1, none.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: notebook.deletingLastPathComponent().path))
    }

    func testMissingPythonIsRefusedBeforeAnyRun() throws {
        // No python3 on PATH: one line naming python/setup-env, and no file.
        let output = root.appendingPathComponent("data")
        let result = try run([try gradflowExecutable().path, "reproduce", "000-theta", "--output", output.path,
                              "--notebook", root.appendingPathComponent("n.ipynb").path], environment: ["PATH": "/nonexistent"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("python/setup-env"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
    }

    // MARK: - Committed notebooks

    func testCommittedNotebooksAreValidExecutedNbformat4() throws {
        try requirePython()
        let list = try gradflow(["reproduce", "--list"]).stdout.split(separator: "\n")
        var available: [String] = []
        for line in list {
            let words = line.split(separator: " ")
            if words.count > 1, words[1] == "available" { available.append(String(words[0])) }
        }
        let committed = files(under: Self.notebooks).filter { $0.hasSuffix(".ipynb") && !$0.hasPrefix(".") }
        // One executed notebook per available experiment, and no other.
        XCTAssertEqual(Set(committed), Set(available.map { $0 + ".ipynb" }))
        XCTAssertGreaterThanOrEqual(committed.count, 4)
        let code = """
        import sys, nbformat, os
        for path in sys.argv[1:]:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
            assert nb.nbformat == 4, path
            code = [c for c in nb.cells if c.cell_type == "code"]
            assert code and all(c.execution_count is not None for c in code), path + ": not executed"
            outputs = [o for c in code for o in c.outputs]
            assert not [o for o in outputs if o.output_type == "error"], path + ": error output"
            assert any("image/png" in o.get("data", {}) for o in outputs), path + ": no figure"
            assert os.path.getsize(path) < 1_000_000, path + ": over 1 MB"
            print(path)
        """
        let checked = try python(code, committed.map { Self.notebooks.appendingPathComponent($0).path })
        XCTAssertEqual(checked.split(separator: "\n").count, committed.count)
    }

    /// A fresh run of the command writes the numbers the committed notebook shows, and the
    /// committed notebook, re-executed with nbconvert against the fresh data, shows them too.
    func testNotebookNumbersMatchAFreshRun() throws {
        try requirePython()
        for id in ["000-theta", "000-F2"] {
            let data = root.appendingPathComponent("data-\(id)"), fresh = root.appendingPathComponent("\(id).ipynb")
            let result = try gradflow(["reproduce", id, "--output", data.path, "--notebook", fresh.path, "--jobs", "2"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let summary = try readCSV(data.appendingPathComponent("summary.csv"))
            XCTAssertGreaterThanOrEqual(summary.count, 3, "\(id): the table has rows")
            let committed = try notebookTable(Self.notebooks.appendingPathComponent("\(id).ipynb"))
            let reexecuted = root.appendingPathComponent("re-\(id).ipynb")
            let execution = try run(["jupyter", "nbconvert", "--to", "notebook", "--execute", "--log-level=ERROR",
                                     "--output", reexecuted.path, Self.notebooks.appendingPathComponent("\(id).ipynb").path],
                                    environment: ["GRADFLOW_REPRODUCE_DATA": data.path])
            XCTAssertEqual(execution.status, 0, execution.stderr)
            for (name, table) in [("committed", committed), ("fresh", try notebookTable(fresh)), ("re-executed", try notebookTable(reexecuted))] {
                XCTAssertEqual(table.rows.map { $0["quantity"] }, summary.map { $0["quantity"] }, "\(id) \(name)")
                for (shown, measured) in zip(table.rows, summary) {
                    XCTAssertEqual(shown["measured"], measured["measured"], "\(id) \(name): \(measured["quantity"] ?? "")")
                    XCTAssertEqual(shown["verdict"], measured["verdict"], "\(id) \(name): \(measured["quantity"] ?? "")")
                    XCTAssertTrue(table.markdown.contains(measured["measured"]!), "\(id) \(name): the Markdown table shows the value")
                    // The same seed gives bit-identical CSVs and the value is written with the
                    // shortest round-trip decimal, so a tolerance only absorbs the last-ulp
                    // differences another machine's libm (exp, log) could make: 1e-12 relative.
                    if let a = shown["value"].flatMap(Double.init), let b = measured["value"].flatMap(Double.init) {
                        XCTAssertEqual(a, b, accuracy: 1e-12 * max(abs(b), 1e-300), "\(id) \(name): \(measured["quantity"] ?? "")")
                    } else {
                        XCTAssertEqual(shown["value"], measured["value"])
                    }
                }
            }
        }
    }

    // MARK: - Data

    /// A seed band's mean, min and max equal those of the separate single-seed runs it was
    /// made from, and the files are the same for --jobs 1 and 2.
    func testSeedBandMatchesSingleSeedRunsAndRunsAreReproducible() throws {
        let one = root.appendingPathComponent("one"), two = root.appendingPathComponent("two")
        for (dir, jobs) in [(one, "1"), (two, "2")] {
            let result = try gradflow(["reproduce", "000-F2", "--no-notebook", "--output", dir.path, "--jobs", jobs])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        // Same seed → the same bytes (JSON run records hold wall times, so only CSVs and the
        // manifest, whose compare commands name the output directory).
        let compared = files(under: one).filter { $0.hasSuffix(".csv") || $0 == "reproduction.json" }
        XCTAssertGreaterThan(compared.count, 20)
        XCTAssertEqual(compared, files(under: two).filter { $0.hasSuffix(".csv") || $0 == "reproduction.json" })
        for file in compared {
            let a = try String(contentsOf: one.appendingPathComponent(file), encoding: .utf8).replacingOccurrences(of: one.path, with: "DIR")
            let b = try String(contentsOf: two.appendingPathComponent(file), encoding: .utf8).replacingOccurrences(of: two.path, with: "DIR")
            XCTAssertEqual(a, b, file)
        }
        let band = try readCSV(one.appendingPathComponent("series/loss-hb.csv"))
        let seeds = try (0..<10).map { s in try readCSV(one.appendingPathComponent("runs/seed\(s)/hb.csv")).map { Double($0["loss"]!)! } }
        XCTAssertEqual(band.count, 51, "k = 0 … 50")
        for (k, row) in band.enumerated() {
            let values = seeds.map { $0[k] }
            XCTAssertEqual(Double(row["x"]!), Double(k))
            // min and max are values of the runs: exact.
            XCTAssertEqual(Double(row["min"]!), values.min())
            XCTAssertEqual(Double(row["max"]!), values.max())
            // The mean sums in seed order, as here; the decimals round-trip, so only the
            // summation could differ: the band's 10-term sum against this one, within 4 ulps.
            let mean = values.reduce(0, +) / Double(values.count)
            XCTAssertEqual(Double(row["mean"]!)!, mean, accuracy: 4 * mean.ulp)
        }
    }
}
