import Foundation
import XCTest

/// End-to-end tests of the `gradflow` executable: every bad input must fail with a non-zero
/// status, one line on stderr naming the input, and no file in the output directory; good
/// runs must write their CSV/JSON (reproducibly), and a divergent run must keep its samples.
///
/// Every run is tiny (n = 4, d = 3, m = 16, a few sample times) so the class stays fast in a
/// debug build.
final class CommandLineTests: XCTestCase {
    /// Fresh per test: input files live here, logs of the child process too.
    private var root: URL!
    /// The output directory given to `--output`; created empty, must stay empty on errors.
    private var outputDirectory: URL!

    private static let tiny = ["--samples", "4", "--dimension", "3", "--width", "16", "--t-end", "1", "--points", "3"]

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("CommandLineTests-\(UUID().uuidString)")
        outputDirectory = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: - Helpers

    private typealias Result = GradflowRun

    /// The built `gradflow` (see `gradflowExecutable`).
    private func executable() throws -> URL { try gradflowExecutable() }

    /// Runs `gradflow` with `arguments` in `root` (outputs to files there, not the output directory).
    private func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        try runGradflow(arguments, in: root)
    }

    /// Writes `text` to `name` in `root` (inputs, never in the output directory).
    private func write(_ text: String, to name: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Every file under the output directory, hidden ones (temporary files) included.
    private func outputFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: outputDirectory.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.sorted()
    }

    /// `--output` prefix inside the output directory.
    private func prefix(_ name: String = "run") -> String {
        outputDirectory.appendingPathComponent(name).path
    }

    /// Runs `gradflow simulate` (or the given subcommand) and checks the contract for bad
    /// input: non-zero exit, exactly one stderr line that names one of `names`, no output file.
    private func assertRejected(_ arguments: [String], naming names: [String],
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(arguments + ["--output", prefix()], file: file, line: line)
        let shown = "gradflow \(arguments.joined(separator: " ")) -> status \(result.status), stderr:\n\(result.stderr)"
        // A bad input is an error: scripts must see a failing status.
        XCTAssertNotEqual(result.status, 0, shown, file: file, line: line)
        // The contract is one line (ArgumentParser's "Error: " prefix is fine); a multi-line
        // usage dump would mean the input was not validated by our own message.
        XCTAssertEqual(result.stderrLines.count, 1, shown, file: file, line: line)
        // The message must say which input is wrong, by option name or by file.
        XCTAssertTrue(names.contains { result.stderr.contains($0) },
                      "stderr should name one of \(names): \(shown)", file: file, line: line)
        // Validation happens before any output: no CSV, JSON or temporary file may remain.
        XCTAssertEqual(outputFiles(), [], "output directory must stay empty: \(shown)", file: file, line: line)
    }

    /// Splits a trajectory CSV into its `# key=value` metadata, header and data rows.
    private func parseTrajectory(_ text: String) -> (metadata: [String: String], header: String, rows: [String]) {
        var metadata: [String: String] = [:]
        var body: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if body.isEmpty, line.hasPrefix("# ") {
                let pair = line.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
                metadata[pair[0]] = pair.count > 1 ? pair[1] : ""
            } else {
                body.append(line)
            }
        }
        return (metadata, body.first ?? "", Array(body.dropFirst()))
    }

    // MARK: - 1. Missing data file

    func testMissingDataFileIsRejected() throws {
        try assertRejected(["simulate"] + Self.tiny + ["--data", "/nonexistent.csv"],
                           naming: ["--data", "/nonexistent.csv"])
    }

    // MARK: - 2. Wrong dimensions

    func testWeightsWithWrongColumnCountAreRejected() throws {
        // d = 3 (columns x1,x2,x3,y) but W(0) has rows of 2 values.
        let data = try write("x1,x2,x3,y\n1,0,0,1\n0,1,0,-1\n0,0,1,1\n1,1,0,-1\n", to: "data.csv")
        let weights = try write("w1,w2\n0.5,-0.25\n1,2\n", to: "W.csv")
        let output = try write("a\n1\n-1\n", to: "a.csv")
        try assertRejected(["simulate", "--t-end", "1", "--points", "3", "--data", data,
                            "--weights", weights, "--output-weights", output],
                           naming: ["--weights", weights])
    }

    func testKernelOfWrongSizeIsRejected() throws {
        // n = 4 synthetic samples, but the kernel file is 2×2.
        let kernel = try write("1,0\n0,1\n", to: "K.csv")
        try assertRejected(["simulate"] + Self.tiny + ["--model", "errors", "--kernel", kernel],
                           naming: ["--kernel", kernel])
    }

    // MARK: - 3. NaN in the data

    func testNaNInDataIsRejected() throws {
        let data = try write("x1,x2,x3,y\n1,0,0,1\n0,nan,0,-1\n0,0,1,1\n", to: "nan.csv")
        try assertRejected(["simulate", "--width", "16", "--t-end", "1", "--points", "3", "--data", data],
                           naming: ["--data", data])
    }

    // MARK: - 4. Zero width

    func testZeroWidthIsRejected() throws {
        try assertRejected(["simulate", "--samples", "4", "--dimension", "3", "--width", "0",
                            "--t-end", "1", "--points", "3"],
                           naming: ["--width"])
    }

    // MARK: - 5. Nesterov γ ≤ 0

    func testNonPositiveNesterovGammaIsRejected() throws {
        // γ/t damping needs γ > 0; both 0 and a negative value (written as a separate
        // argument, which must still be read as the value of --gamma) are invalid.
        try assertRejected(["simulate"] + Self.tiny + ["--flow", "nesterov", "--gamma", "0"], naming: ["--gamma"])
        try assertRejected(["simulate"] + Self.tiny + ["--flow", "nesterov", "--gamma", "-1"], naming: ["--gamma"])
    }

    // MARK: - 6. Negative damping

    func testNegativeDampingIsRejected() throws {
        // A negative friction pumps energy in: not a damped flow.
        try assertRejected(["simulate"] + Self.tiny + ["--flow", "hbf", "--friction", "-0.5"], naming: ["--friction"])
        // Likewise every b_j of the higher-order flow must be ≥ 0.
        try assertRejected(["simulate"] + Self.tiny + ["--flow", "higher-order", "--coefficients", "1,-2"],
                           naming: ["--coefficients"])
    }

    // MARK: - 7. Unknown stepper

    func testUnknownStepperIsRejected() throws {
        // "euler" is not a GSL odeiv2 stepper.
        try assertRejected(["simulate"] + Self.tiny + ["--stepper", "euler"], naming: ["--stepper"])
    }

    // MARK: - 8. Sample times not strictly increasing

    func testNonIncreasingTimesAreRejected() throws {
        let base = ["simulate", "--samples", "4", "--dimension", "3", "--width", "16"]
        // Decreasing and repeated times both break "strictly increasing".
        try assertRejected(base + ["--times", "0,2,1"], naming: ["--times"])
        try assertRejected(base + ["--times", "0,1,1"], naming: ["--times"])
    }

    // MARK: - 9. Other invalid combinations

    func testUnknownFlowIsRejected() throws {
        try assertRejected(["simulate"] + Self.tiny + ["--flow", "sgd"], naming: ["--flow"])
    }

    func testExactSolverNeedsErrorModel() throws {
        // The modal solution exists only for the linear error model, not for the network.
        try assertRejected(["simulate"] + Self.tiny + ["--model", "network", "--solver", "exact"],
                           naming: ["--solver"])
    }

    func testImplicitStepperNeedsErrorModel() throws {
        // bsimp needs the Jacobian, which only the error model provides.
        try assertRejected(["simulate"] + Self.tiny + ["--model", "network", "--stepper", "bsimp"],
                           naming: ["--stepper"])
    }

    func testNegativeRelativeToleranceIsRejected() throws {
        // A tolerance is a size: negative is meaningless and must name --rtol itself.
        try assertRejected(["simulate"] + Self.tiny + ["--rtol", "-1"], naming: ["--rtol"])
    }

    // MARK: - 10. A small simulate run

    func testSimulateWritesCSVAndJSON() throws {
        let result = try run(["simulate"] + Self.tiny + ["--seed", "3", "--output", prefix()])
        // A valid tiny run must succeed.
        XCTAssertEqual(result.status, 0, result.stderr)
        // Exactly PREFIX.csv and PREFIX.json: the atomic writes leave no temporary files.
        XCTAssertEqual(outputFiles(), ["run.csv", "run.json"])

        let csv = try String(contentsOf: outputDirectory.appendingPathComponent("run.csv"), encoding: .utf8)
        // The file must begin with the metadata block, not with the header.
        XCTAssertTrue(csv.hasPrefix("# "), "CSV must start with # key=value lines")
        let (metadata, header, rows) = parseTrajectory(csv)
        // The seed and the GSL version are what make a run reproducible and attributable.
        XCTAssertEqual(metadata["seed"], "3")
        XCTAssertFalse((metadata["gsl"] ?? "").isEmpty, "metadata must record the GSL version: \(metadata)")
        // The loss monitor's columns come first, right after t.
        XCTAssertTrue(header.hasPrefix("t,loss,pseudo_loss,velocity_norm,energy"), header)
        // Network runs also have the lazy-training monitor's columns.
        XCTAssertTrue(header.contains("max_weight_distance,pattern_change_ratio"), header)
        // --points 3 gives three samples, each with one value per column.
        XCTAssertEqual(rows.count, 3)
        let width = header.split(separator: ",").count
        for row in rows { XCTAssertEqual(row.split(separator: ",").count, width, row) }

        let jsonData = try Data(contentsOf: outputDirectory.appendingPathComponent("run.json"))
        let object = try JSONSerialization.jsonObject(with: jsonData)
        // The summary is one JSON object …
        let json = try XCTUnwrap(object as? [String: Any], "JSON must be an object")
        // … with the seed, the spectrum summary, the cost and the versions.
        for key in ["seed", "lambda0", "kappa", "evaluations", "steps", "wall_seconds", "versions"] {
            XCTAssertNotNil(json[key], "JSON lacks \(key): \(json.keys.sorted())")
        }
        XCTAssertEqual((json["seed"] as? NSNumber)?.intValue, 3)
        let versions = try XCTUnwrap(json["versions"] as? [String: Any], "versions must be an object")
        // The GSL version must be recorded in the JSON as in the CSV, and agree with it.
        XCTAssertEqual(versions["gsl"] as? String, metadata["gsl"])
    }

    // MARK: - 11. Reproducibility

    func testSameSeedGivesIdenticalCSV() throws {
        func csv(seed: Int, name: String) throws -> Data {
            let result = try run(["simulate"] + Self.tiny + ["--seed", "\(seed)", "--output", prefix(name)])
            XCTAssertEqual(result.status, 0, result.stderr)
            return try Data(contentsOf: outputDirectory.appendingPathComponent("\(name).csv"))
        }
        let first = try csv(seed: 11, name: "a")
        let second = try csv(seed: 11, name: "b")
        let other = try csv(seed: 12, name: "c")
        // Same seed and parameters: same data, initialization and deterministic integration,
        // and the CSV holds no timings, so the bytes must match.
        XCTAssertEqual(first, second, "same seed must give byte-identical CSVs")
        // Another seed draws other data and weights (and records another seed).
        XCTAssertNotEqual(first, other, "a different seed must give a different CSV")
    }

    // MARK: - 12. Divergence

    func testDivergentRunStopsAndKeepsEarlierSamples() throws {
        // A negative kernel (H = −2000, Δ growing like e^{2000 t}) is now refused as input
        // (its loss is unbounded below). A run that diverges on valid input: the heavy
        // ball with friction b = 1e300 on H = 2000, whose term bΔ' overflows at once.
        let kernel = try write("2000\n", to: "K.csv")
        let delta = try write("1\n", to: "D.csv")
        let result = try run(["simulate", "--model", "errors", "--kernel", kernel, "--initial-error", delta,
                              "--flow", "hbf", "--friction", "1e300", "--solver", "gsl", "--t-end", "1", "--points", "11",
                              "--output", prefix()])
        let shown = "status \(result.status), stderr:\n\(result.stderr)"
        // A run that did not reach its last time must not report success.
        XCTAssertNotEqual(result.status, 0, shown)
        // One line that says what happened (divergence or a GSL failure).
        XCTAssertEqual(result.stderrLines.count, 1, shown)
        XCTAssertTrue(result.stderr.contains("diverged") || result.stderr.contains("integration stopped"), shown)

        let csvURL = outputDirectory.appendingPathComponent("run.csv")
        // The samples taken before the blow-up are results too: the CSV must be written.
        XCTAssertTrue(FileManager.default.fileExists(atPath: csvURL.path), "CSV must exist after divergence: \(outputFiles())")
        let (_, header, rows) = parseTrajectory(try String(contentsOf: csvURL, encoding: .utf8))
        XCTAssertTrue(header.hasPrefix("t,loss"), header)
        // At least the initial state was sampled, …
        XCTAssertGreaterThanOrEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.split(separator: ",").first.flatMap { Double($0) }, 0, "first row must be t = 0")
        // … but not all 11 times: the run stopped early.
        XCTAssertLessThan(rows.count, 11)
        // No temporary file is left behind by the atomic writes.
        XCTAssertFalse(outputFiles().contains { $0.hasSuffix(".tmp") }, "\(outputFiles())")
    }

    // MARK: - 13. compare

    func testCompareWritesRateTablesAndOneCSVPerFlow() throws {
        let result = try run(["compare", "--samples", "4", "--dimension", "3", "--width", "16",
                              "--t-end", "5", "--points", "11", "--output", outputDirectory.path])
        // The three default flows on a well-posed problem all finish.
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = Set(outputFiles())
        // The rate table in both formats, and one trajectory per default flow.
        for name in ["rates.md", "rates.csv", "gradient-flow.csv", "hbf.csv", "nesterov.csv"] {
            XCTAssertTrue(files.contains(name), "missing \(name): \(files.sorted())")
        }
        // Atomic writes leave no temporary files.
        XCTAssertFalse(files.contains { $0.hasSuffix(".tmp") }, "\(files.sorted())")
    }

    func testLyapunovTablesAreIdenticalForIdenticalSeeds() throws {
        // The decay tables hold no timings and use fixed formatting, so two runs with the same
        // seed must write byte-identical Markdown, CSV and LaTeX.
        func tables(_ name: String) throws -> [Data] {
            let directory = outputDirectory.appendingPathComponent(name).path
            let result = try run(["lyapunov"] + Self.tiny + ["--flows", "hbf,nesterov", "--gamma", "7", "--alpha", "4",
                                                              "--seed", "3", "--output", directory])
            XCTAssertEqual(result.status, 0, result.stderr)
            return try ["decay.md", "decay.csv", "decay.tex", "checks.csv"].map {
                try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent($0))
            }
        }
        let first = try tables("a"), second = try tables("b")
        XCTAssertEqual(first, second)
        // The LaTeX table is a booktabs tabular.
        let tex = String(decoding: first[2], as: UTF8.self)
        XCTAssertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"))
    }

    func testCompareRunsDiscreteMethodsWithIterationColumn() throws {
        // Discrete runs write the simulate columns plus k; the rate table lists them.
        let directory = outputDirectory.appendingPathComponent("cmp").path
        let result = try run(["compare"] + Self.tiny + ["--flows", "none", "--methods", "gd:eta=0.5,hb:recipe=003-hb,gdm:eta=0.5:gamma=0.9",
                                                         "--output", directory])
        XCTAssertEqual(result.status, 0, result.stderr)
        let hb = try String(contentsOfFile: directory + "/hb.csv", encoding: .utf8)
        let parsed = parseTrajectory(hb)
        XCTAssertTrue(parsed.header.hasPrefix("k,t,loss,pseudo_loss,velocity_norm,energy"), parsed.header)
        XCTAssertNotNil(parsed.metadata["recipe"])
        let rates = try String(contentsOfFile: directory + "/rates.csv", encoding: .utf8)
        for name in ["gd", "hb", "gdm"] { XCTAssertTrue(rates.contains("\n\(name),"), name) }
    }

    func testSwitchingSolversOnWeightRuns() throws {
        // Weight runs with located switches add the switching columns and record the event
        // statistics in the JSON; both solvers of the same gradient flow agree on the loss.
        var finalLoss: [Double] = []
        for solver in ["events", "exact-pieces"] {
            let result = try run(["simulate"] + Self.tiny + ["--flow", "gradient-flow", "--solver", solver, "--rtol", "1e-10",
                                                              "--atol", "1e-12", "--output", prefix(solver)])
            XCTAssertEqual(result.status, 0, result.stderr)
            let parsed = parseTrajectory(try String(contentsOfFile: prefix(solver) + ".csv", encoding: .utf8))
            XCTAssertTrue(parsed.header.hasSuffix("switching_events,sliding_pairs"), parsed.header)
            let columns = parsed.header.split(separator: ",").map(String.init)
            let lossIndex = try XCTUnwrap(columns.firstIndex(of: "loss"))
            finalLoss.append(try XCTUnwrap(Double(parsed.rows.last!.split(separator: ",")[lossIndex])))
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: prefix(solver) + ".json"))) as? [String: Any]
            XCTAssertNotNil((json?["switching"] as? [String: Any])?["events"], solver)
        }
        // GSL events at rtol 1e-10 against exact pieces: agreement far inside 1e-6 relative.
        XCTAssertEqual(finalLoss[0], finalLoss[1], accuracy: 1e-6 * finalLoss[1])
    }

    func testSwitchingSolversRejectUnsupportedCombinations() throws {
        // Exact pieces need constant coefficients or Nesterov with γ ≥ 1 (Bessel order ≥ 0);
        // switching solvers need the weights.
        try assertRejected(["simulate"] + Self.tiny + ["--flow", "nesterov", "--gamma", "0.5", "--solver", "exact-pieces"], naming: ["--gamma"])
        try assertRejected(["simulate"] + Self.tiny + ["--model", "errors", "--solver", "events"], naming: ["--solver"])
        try assertRejected(["simulate"] + Self.tiny + ["--solver", "events", "--stepper", "msadams"], naming: ["--stepper"])
    }

    // MARK: - Discretizations take the command line's flow parameters

    /// The parameters a run's JSON records.
    private func recordedParameters(_ path: String) throws -> [String: Double] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return try XCTUnwrap(json?["parameters"] as? [String: Double], path)
    }

    func testDiscretizationTakesTheCommandLinesFlowParameters() throws {
        let directory = outputDirectory.appendingPathComponent("disc").path
        // b, γ and the higher-order coefficients from the command line reach the discretized
        // flows, as they reach the flows themselves.
        let result = try run(["compare"] + Self.tiny + ["--flows", "hbf,nesterov,higher-order", "--friction", "0.3",
                                                         "--gamma", "7", "--coefficients", "3,2.5",
                                                         "--methods", "discretized:flow=hbf:h=0.1,discretized:flow=nesterov:h=0.1,discretized:flow=higher-order:h=0.1",
                                                         "--output", directory])
        XCTAssertEqual(result.status, 0, result.stderr)
        let hbf = try recordedParameters(directory + "/hbf.json")
        let discreteHB = try recordedParameters(directory + "/discretized-hbf.json")
        XCTAssertEqual(hbf["b"], 0.3)
        XCTAssertEqual(discreteHB["b"], 0.3)
        XCTAssertEqual(try recordedParameters(directory + "/discretized-nesterov.json")["gamma"], 7)
        let higher = try recordedParameters(directory + "/discretized-higher-order.json")
        XCTAssertEqual(higher["b1"], 3)
        XCTAssertEqual(higher["b2"], 2.5)
        // A discretization's own keys override the command line's.
        let own = outputDirectory.appendingPathComponent("own").path
        let second = try run(["compare"] + Self.tiny + ["--flows", "none", "--friction", "0.3",
                                                         "--methods", "discretized:flow=hbf:h=0.1:b=0.8", "--output", own])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try recordedParameters(own + "/discretized-hbf.json")["b"], 0.8)
    }

    // MARK: - Reproducibility across processes

    func testSlidingGradientFlowIsBitIdenticalAcrossProcesses() throws {
        // Gradient flow on a few points in R³ slides on switching surfaces; each process
        // hashes with a different seed, so any dependence on hash order shows up as a diff.
        let data = outputDirectory.appendingPathComponent("slide.csv").path
        try "x1,x2,x3,y\n1.6243,-0.6118,-0.5282,-1\n-1.0730,0.8654,-2.3015,1\n1.7448,-0.7612,0.3190,-1\n-0.2494,1.4621,-2.0601,1\n-0.3224,-0.3841,1.1338,-1\n-1.0999,-0.1724,-0.8779,1\n"
            .write(toFile: data, atomically: true, encoding: .utf8)
        var outputs: [Data] = []
        for k in 0..<3 {
            let result = try run(["simulate", "--data", data, "--width", "256", "--flow", "gradient-flow", "--t-end", "40",
                                  "--points", "41", "--output", prefix("slide\(k)")])
            XCTAssertEqual(result.status, 0, result.stderr)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: prefix("slide\(k)") + ".csv")))
        }
        let parsed = parseTrajectory(String(decoding: outputs[0], as: UTF8.self))
        let columns = parsed.header.split(separator: ",").map(String.init)
        let sliding = try XCTUnwrap(columns.firstIndex(of: "sliding_pairs"))
        // The run does slide (otherwise the test would not exercise the sliding code).
        XCTAssertTrue(parsed.rows.contains { Double($0.split(separator: ",")[sliding]) ?? 0 > 0 })
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
    }

    // MARK: - The quadratic model

    func testQuadraticModelRunsEveryCommand() throws {
        let model = ["--model", "quadratic:mu=0.05:alpha=1", "--dimension", "10"]
        // The quadratic has no activation pattern: switching solvers are refused.
        try assertRejected(["simulate"] + model + ["--solver", "events"], naming: ["--solver"])
        try assertRejected(["simulate", "--model", "quadratic:mu=2:alpha=1"], naming: ["--model"])
        let c = try run(["compare"] + model + ["--t-end", "20", "--points", "21", "--coefficients", "3,2.5",
                                               "--flows", "gradient-flow,hbf,nesterov,higher-order",
                                               "--methods", "gd:eta=1,hb:recipe=001-classical,nag:recipe=003-nag",
                                               "--output", outputDirectory.appendingPathComponent("qc").path])
        XCTAssertEqual(c.status, 0, c.stderr)
        let l = try run(["lyapunov"] + model + ["--t-end", "20", "--points", "21", "--flows", "gradient-flow,hbf",
                                                "--methods", "hb:recipe=001-classical",
                                                "--output", outputDirectory.appendingPathComponent("ql").path])
        XCTAssertEqual(l.status, 0, l.stderr)
        let checks = try String(contentsOfFile: outputDirectory.appendingPathComponent("ql/checks.csv").path, encoding: .utf8)
        // Gradient flow on a quadratic with λ_min(Γ) = μ: Theorem 1's bound holds.
        XCTAssertTrue(checks.contains("gradient-flow,Thm 1: L(t) ≤ e^{-λ0 t} L(0)"), checks)
    }

    func testMarginCNNShowsMomentumGeneralizingOnSmallMarginData() throws {
        // 004's claim (Fig. 3, Theorems 3.1–3.2): on data (D) both GD and GD+M fit the
        // training set, GD memorizes the small-margin points (test accuracy near chance, 1/2)
        // and GD+M learns them (near 1). At the documented defaults and N = 1000, d = 30, 1000
        // iterations, seeds 0–3 gave GD 0.49–0.59 and GD+M ≥ 0.999 on 1000 small-margin test
        // points; the thresholds 0.7 and 0.95 sit far from both.
        let directory = root.appendingPathComponent("margin").path
        let r = try run(["compare", "--model", "margin-cnn", "--samples", "1000", "--dimension", "30", "--flows", "none",
                         "--methods", "gd:eta=0.5,gdm:eta=2:gamma=0.9", "--iterations", "1000", "--output", directory])
        XCTAssertEqual(r.status, 0, r.stderr)
        func last(_ run: String) throws -> [String: Double] {
            let text = try String(contentsOfFile: "\(directory)/\(run).csv", encoding: .utf8)
            let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            let header = lines[0].split(separator: ",").map(String.init)
            let values = lines[lines.count - 1].split(separator: ",").map { Double($0) ?? .nan }
            return Dictionary(uniqueKeysWithValues: zip(header, values))
        }
        let gd = try last("gd"), gdm = try last("gdm")
        XCTAssertEqual(gd["k"], 1000)
        XCTAssertGreaterThanOrEqual(gd["train_accuracy"] ?? 0, 0.999)
        XCTAssertGreaterThanOrEqual(gdm["train_accuracy"] ?? 0, 0.999)
        XCTAssertLessThan(gd["test_accuracy_small"] ?? 1, 0.7)
        XCTAssertGreaterThan(gdm["test_accuracy_small"] ?? 0, 0.95)
        XCTAssertGreaterThan(gd["test_accuracy_large"] ?? 0, 0.95)
        // A flow without friction on a model whose λ0 is 0 is refused, naming --friction.
        try assertRejected(["simulate", "--model", "margin-cnn", "--samples", "50", "--dimension", "5", "--flow", "hbf"],
                           naming: ["friction"])
    }

    func testMinimumLossColumnIsTheSmallestSampledLoss() throws {
        // NAG with β_k = (k−1)/(k+2) oscillates, so its smallest loss comes before the last
        // iteration; compare's minimum_loss and minimum_loss_at must be the minimum of the run's
        // own CSV loss column and its iteration, read back independently here.
        let directory = root.appendingPathComponent("minloss").path
        let r = try run(["compare", "--samples", "10", "--dimension", "5", "--width", "200", "--flows", "none",
                         "--methods", "nag-gamma:eta=0.5", "--iterations", "300", "--output", directory])
        XCTAssertEqual(r.status, 0, r.stderr)
        func rows(_ file: String) throws -> [[String: String]] {
            let lines = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
            let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init))) }
        }
        let samples = try rows("nag-gamma.csv")
        let losses = samples.map { Double($0["loss"]!)! }
        let k = losses.indices.min { losses[$0] < losses[$1] }!
        XCTAssertLessThan(k, losses.count - 1, "the test needs a run whose minimum is not at the end")
        let rate = try XCTUnwrap(try rows("rates.csv").first)
        XCTAssertEqual(Double(rate["minimum_loss"]!), losses[k])
        XCTAssertEqual(Double(rate["minimum_loss_at"]!), Double(samples[k]["k"]!))
    }

    // MARK: - Sweeps: plan, shards, merge, manifest

    private static let grid = ["--samples", "4", "--dimension", "3", "--widths", "16,32", "--seeds", "0,1",
                               "--flows", "hbf,gradient-flow", "--methods", "gd:eta=0.5", "--t-end", "2", "--points", "5"]

    /// Every file under `directory` with its bytes; run records without their wall times.
    private func snapshot(_ directory: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: directory))
        for case let name as String in enumerator {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            if name.hasSuffix(".json") && !name.hasPrefix("sweep-manifest") {
                let text = String(decoding: data, as: UTF8.self)
                data = Data(text.split(separator: "\n").filter { !$0.contains("wall_seconds") }.joined(separator: "\n").utf8)
            }
            out[name] = data
        }
        return out
    }

    /// The lines of `a` and `b` that differ, for a failure message.
    private static func lineDifference(_ a: Data, _ b: Data?) -> String {
        guard let b else { return "missing" }
        let left = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let right = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for k in 0..<max(left.count, right.count) {
            let l = k < left.count ? String(left[k]) : "<none>", r = k < right.count ? String(right[k]) : "<none>"
            if l != r { out.append("line \(k + 1): single \(l.trimmingCharacters(in: .whitespaces)) | shards \(r.trimmingCharacters(in: .whitespaces))") }
        }
        return out.prefix(8).joined(separator: "; ")
    }

    func testShardsMergedEqualTheSingleProcessSweep() throws {
        let single = outputDirectory.appendingPathComponent("single").path
        let whole = try run(["sweep"] + Self.grid + ["--output", single])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let reference = try snapshot(single)
        // 12 points: one CSV and JSON each, the three tables, the plan and 12 point records.
        XCTAssertEqual(reference.count, 12 * 2 + 3 + 1 + 12, "\(reference.keys.sorted())")
        for n in [1, 2, 4] {
            let directory = outputDirectory.appendingPathComponent("shards\(n)").path
            let planned = try run(["sweep"] + Self.grid + ["--plan", "--output", directory])
            XCTAssertEqual(planned.status, 0, planned.stderr)
            for i in 1...n {
                let shard = try run(["sweep"] + Self.grid + ["--shard", "\(i)/\(n)", "--output", directory])
                XCTAssertEqual(shard.status, 0, shard.stderr)
            }
            let merged = try run(["merge", "--output", directory])
            XCTAssertEqual(merged.status, 0, merged.stderr)
            let files = try snapshot(directory)
            XCTAssertEqual(Set(files.keys), Set(reference.keys), "N = \(n)")
            for (name, data) in reference where files[name] != data {
                XCTFail("N = \(n): \(name) differs from the single-process sweep: \(Self.lineDifference(data, files[name]))")
            }
        }
    }

    func testManifestSkipsPointsMarkedDoneAndMergeNeedsAll() throws {
        let directory = outputDirectory.appendingPathComponent("manifest").path
        XCTAssertEqual(try run(["sweep"] + Self.grid + ["--plan", "--output", directory]).status, 0)
        // A merge before any point is done is refused, naming what is missing.
        let early = try run(["merge", "--output", directory])
        XCTAssertNotEqual(early.status, 0)
        XCTAssertTrue(early.stderr.contains("12 of 12 points are not done"), early.stderr)
        // Mark one point done by hand, with a row no computation would give.
        let record = #"{"id": "m16-seed0-hbf", "row": ["16", "0", "hbf", "SENTINEL", "-", "0", "0", "0", "0"], "detail": []}"#
        try record.write(toFile: directory + "/sweep-manifest/m16-seed0-hbf.json", atomically: true, encoding: .utf8)
        let first = try run(["sweep"] + Self.grid + ["--shard", "1/2", "--output", directory])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("skipped m16-seed0-hbf (done)"), first.stdout)
        // The point marked done was not recomputed: no CSV, and its row is the one recorded.
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/m16-seed0-hbf.csv"))
        // A rerun of the same shard (after kill -9, say) recomputes nothing.
        let again = try run(["sweep"] + Self.grid + ["--shard", "1/2", "--output", directory])
        XCTAssertTrue(again.stdout.contains("computed 0, skipped 6"), again.stdout)
        XCTAssertEqual(try run(["sweep"] + Self.grid + ["--shard", "2/2", "--output", directory]).status, 0)
        let merged = try run(["merge", "--output", directory])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let table = try String(contentsOfFile: directory + "/sweep.csv", encoding: .utf8)
        XCTAssertTrue(table.contains("16,0,hbf,SENTINEL"), table)
        // Another sweep into the same directory is refused.
        let other = try run(["sweep", "--samples", "4", "--dimension", "3", "--widths", "16", "--output", directory])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("holds another sweep"), other.stderr)
    }

    // MARK: - Parallel runs

    func testJobsOneAndTwoWriteTheSameFiles() throws {
        // Independent runs on separate cores are collected in plan order: the files do not
        // depend on --jobs (run records up to their wall times).
        let commands: [[String]] = [
            ["compare"] + Self.tiny + ["--methods", "gd:eta=0.5,hb:recipe=003-hb"],
            ["lyapunov"] + Self.tiny + ["--methods", "hb:recipe=003-hb"],
            ["sweep"] + Self.grid,
        ]
        for (k, command) in commands.enumerated() {
            var snapshots: [[String: Data]] = []
            for jobs in [1, 2] {
                let directory = outputDirectory.appendingPathComponent("jobs\(k)-\(jobs)").path
                let result = try run(command + ["--jobs", "\(jobs)", "--output", directory])
                XCTAssertEqual(result.status, 0, result.stderr)
                snapshots.append(try snapshot(directory))
            }
            XCTAssertFalse(snapshots[0].isEmpty)
            XCTAssertEqual(snapshots[0], snapshots[1], command[0])
        }
    }

    // MARK: - Run lengths in iterations

    func testIterationsGivesEveryMethodExactlyK() throws {
        let directory = outputDirectory.appendingPathComponent("iterations").path
        let methods = ["gd:eta=0.5", "hb:recipe=003-hb", "nag:recipe=003-nag", "nag-gamma:eta=0.5", "nag-sc:eta=0.5",
                       "multi:eta=0.3:betas=0.5/0.2", "gdm:eta=0.5:gamma=0.9", "gauss-newton:eta=0.5", "discretized:flow=hbf:h=0.2"]
        let result = try run(["compare"] + Self.tiny + ["--flows", "none", "--methods", methods.joined(separator: ","),
                                                         "--iterations", "37", "--output", directory])
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in ["gd", "hb", "nag", "nag-gamma", "nag-sc", "multi", "gdm", "gauss-newton", "discretized-hbf"] {
            let parsed = parseTrajectory(try String(contentsOfFile: "\(directory)/\(name).csv", encoding: .utf8))
            // compare samples the iterations nearest its sample times, and iteration 37 last,
            // whatever each method's time per step (every iteration when the iterator does
            // not see every iterate's loss: Nesterov, Gauss–Newton).
            XCTAssertLessThanOrEqual(parsed.rows.count, 38, name)
            XCTAssertEqual(parsed.rows.first?.split(separator: ",").first, "0.0", name)
            XCTAssertEqual(parsed.rows.last?.split(separator: ",").first, "37.0", name)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).json"))) as? [String: Any]
            XCTAssertEqual(json?["steps"] as? Int, 37, name)
        }
    }

    // MARK: - Resuming after kill -9

    func testCompareResumesAfterKillWithoutRecomputingFinishedRuns() throws {
        // Width 2048: gradient flow and HBF take a fraction of a second (kinetic, 0.04 s each),
        // Nesterov with γ = 20 about 3 s (its pairs chatter: ~3·10⁵ switches), so the kill
        // lands after two runs are kept and before the third.
        let arguments = ["compare", "--width", "2048", "--jobs", "1", "--flows", "gradient-flow,hbf,nesterov:gamma=20", "--quiet"]
        let killed = outputDirectory.appendingPathComponent("killed").path
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments + ["--output", killed]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let kept = killed + "/.gradflow-resume"
        var finished: [String] = []
        for _ in 0..<600 where process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: kept)) ?? []
            finished = folders.flatMap { (try? FileManager.default.contentsOfDirectory(atPath: kept + "/" + $0)) ?? [] }
            if finished.filter({ $0.hasSuffix(".json") }).count >= 2 { break }
        }
        XCTAssertTrue(process.isRunning, "the run ended before it could be killed; kept: \(finished)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // Nothing but the kept runs: no rates table, no run files.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: killed), [".gradflow-resume"])
        let resumed = try run(arguments + ["--output", killed])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed 2 runs finished by an interrupted run of this command: gradient-flow, hbf"),
                      resumed.stdout)
        // The finished command leaves no kept runs, and its files are those of a run that was
        // never interrupted.
        XCTAssertFalse(FileManager.default.fileExists(atPath: kept))
        let whole = outputDirectory.appendingPathComponent("whole").path
        XCTAssertEqual(try run(arguments + ["--output", whole]).status, 0)
        XCTAssertEqual(try snapshot(killed), try snapshot(whole))
    }
}
