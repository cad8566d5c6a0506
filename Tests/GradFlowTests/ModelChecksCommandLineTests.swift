import Foundation
import XCTest

/// The commands on every model: Newton flow from the command line, the
/// network-only checks listed as not applicable (with the reason) on the other models, and
/// `sweep` on models other than the network.
final class ModelChecksCommandLineTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gradflow-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func run(_ arguments: [String]) throws -> GradflowRun {
        let result = try runGradflow(arguments, in: directory, timeout: 120)
        XCTAssertFalse(result.timedOut, arguments.joined(separator: " "))
        return result
    }

    private func read(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    func testNewtonOnTheErrorsDecaysAsItsClosedFormAndListsItsChecks() throws {
        let result = try run(["lyapunov", "--model", "errors", "--flows", "newton", "--solver", "exact", "--samples", "4",
                              "--dimension", "6", "--width", "20", "--t-end", "0.4", "--points", "5", "--output", "ly"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let checks = try read("ly/checks.csv")
        XCTAssertTrue(checks.contains("L(t) non-increasing"), checks)
        // The width-dependent checks say why they do not apply to an error run.
        XCTAssertTrue(checks.contains("not applicable: 002 states it for the weights w_r"), checks)
        // d ≥ n: Δ_i(t) = e^{−c_i t}Δ_i(0) with c_i ≥ 1 active neurons (each sample is active in
        // some of the 20), so L falls at every sample and L(0.4) ≤ e^{−2·0.4} L(0).
        let losses = try read("ly/newton.csv").split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst()
            .map { Double($0.split(separator: ",")[1])! }
        for (a, b) in zip(losses, losses.dropFirst()) where b != a { XCTAssertLessThan(b, a, "\(losses)") }
        XCTAssertLessThan(losses.last!, exp(-0.8) * losses.first!, "\(losses)")
    }

    func testSweepOnTheQuadraticRunsOnePointPerSeedWithNotApplicableChecks() throws {
        let result = try run(["sweep", "--model", "quadratic", "--dimension", "5", "--seeds", "0,1", "--flows", "gradient-flow",
                              "--t-end", "5", "--points", "6", "--output", "sq"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try read("sq/sweep.csv").split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rows.count, 3, "header and one row per seed: \(rows)")
        let checks = try read("sq/checks.csv")
        XCTAssertTrue(checks.contains("not applicable: 002 states it for the weights w_r"), checks)
        // The deep linear network's width is its option `hidden`: the default widths give one
        // point per seed, not five copies.
        let deep = try run(["sweep", "--model", "deep-linear:layers=3:hidden=6", "--samples", "4", "--dimension", "3",
                            "--flows", "gradient-flow", "--t-end", "2", "--points", "5", "--output", "sd"])
        XCTAssertEqual(deep.status, 0, deep.stderr)
        XCTAssertEqual(try read("sd/sweep.csv").split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 2)
        // Several widths on a model without one are refused, naming the flag.
        let refused = try run(["sweep", "--model", "quadratic", "--dimension", "5", "--widths", "16,32", "--t-end", "5",
                               "--points", "6", "--output", "sq2"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stderrLines.count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--widths"), refused.stderr)
    }

    func testSweepOnTheErrorModelVariesTheWidth() throws {
        let result = try run(["sweep", "--model", "errors", "--samples", "4", "--dimension", "3", "--widths", "16,64",
                              "--flows", "hbf", "--t-end", "5", "--points", "6", "--output", "se"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try read("se/sweep.csv").split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rows.count, 3, "\(rows)")
        XCTAssertTrue(rows[1].hasPrefix("16,") && rows[2].hasPrefix("64,"), "\(rows)")
    }
}
