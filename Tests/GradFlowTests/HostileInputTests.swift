import Foundation
import XCTest

/// A battery of bad and hostile inputs for every subcommand, run against the built
/// `gradflow` binary. Each must be refused cleanly, with the contract of
/// `CommandLineTests`: a non-zero exit status, exactly one line on stderr that names the
/// input (the flag, or the file), and the output directory left exactly as it was (no file,
/// no hidden or temporary file). Inputs that used to crash, hang, or give a wrong result
/// with exit status 0 are here as refusals; inputs that hit a work limit must stop with the
/// limit named and their samples kept.
///
/// Every problem is tiny (n = 4, d = 3, m = 16, t ≤ 1, 3 points), so the battery runs in
/// seconds.
final class HostileInputTests: XCTestCase {
    private var root: URL!
    private var outputDirectory: URL!

    private static let tiny = ["--samples", "4", "--dimension", "3", "--width", "16", "--t-end", "1", "--points", "3"]
    private static let tinyProblem = ["--samples", "4", "--dimension", "3", "--width", "16"]

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("HostileInputTests-\(UUID().uuidString)")
        outputDirectory = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: - Running the binary

    private typealias Result = GradflowRun

    /// The built `gradflow` (see `gradflowExecutable`).
    private func executable() throws -> URL { try gradflowExecutable() }

    /// Runs `gradflow` in `root`, with a time limit: a hang is a failure, not a stuck suite.
    private func run(_ arguments: [String], timeout: Double = 30) throws -> Result {
        let result = try runGradflow(arguments, in: root, timeout: timeout)
        if result.timedOut { XCTFail("gradflow \(arguments.joined(separator: " ")) did not finish within \(timeout) s") }
        return result
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Every entry under the output directory, hidden ones included.
    private func outputFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: outputDirectory.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.sorted()
    }

    // MARK: - The table

    /// One hostile input: the arguments (without `--output`), the names one of which the
    /// message must contain, and whether `--output` is a file prefix (simulate) or a directory.
    private struct Case {
        var arguments: [String]
        var names: [String]
        var why: String
    }

    private func cases() throws -> [Case] {
        let tiny = Self.tiny, problem = Self.tinyProblem
        let zeroRow = try write("x1,x2,x3,y\n0,0,0,1\n1,0,0,-1\n0,1,0,1\n0,0,1,-1\n", to: "zero.csv")
        let huge = try write("x1,x2,x3,y\n1e300,0,0,1\n1,0,0,-1\n0,1,0,1\n0,0,1,-1\n", to: "huge.csv")
        let nanData = try write("x1,x2,x3,y\n1,0,0,1\nnan,1,0,-1\n", to: "nan.csv")
        let text = try write("x1,x2,x3,y\n1,0,0,1\nhello,1,0,-1\n", to: "text.csv")
        let ragged = try write("x1,x2,x3,y\n1,0,0,1\n0,1,-1\n", to: "ragged.csv")
        let empty = try write("", to: "empty.csv")
        let headerOnly = try write("x1,x2,x3,y\n", to: "header.csv")
        let oneColumn = try write("y\n1\n2\n", to: "onecol.csv")
        let negative = try write("-1,0,0,0\n0,-1,0,0\n0,0,-1,0\n0,0,0,-1\n", to: "neg.csv")
        let indefinite = try write("1,0,0,0\n0,-1,0,0\n0,0,1,0\n0,0,0,1\n", to: "indef.csv")
        let zeroKernel = try write("0,0,0,0\n0,0,0,0\n0,0,0,0\n0,0,0,0\n", to: "zerok.csv")
        let asymmetric = try write("1,0.5,0,0\n0,1,0,0\n0,0,1,0\n0,0,0,1\n", to: "asym.csv")
        let identity = try write("1,0,0,0\n0,1,0,0\n0,0,1,0\n0,0,0,1\n", to: "I.csv")
        let small = try write("1,0\n0,1\n", to: "K2.csv")
        let delta = try write("1\n2\n", to: "delta.csv")
        let binary = root.appendingPathComponent("binary.csv").path
        try Data([0xff, 0xfe, 0x00, 0x41]).write(to: URL(fileURLWithPath: binary))
        let directoryInput = root.path

        func c(_ arguments: [String], _ names: [String], _ why: String) -> Case { Case(arguments: arguments, names: names, why: why) }
        let none = ["--flows", "none", "--methods"]
        var list: [Case] = [
            // 1. Crashes: step sizes of 0 and 1e-300, γ = 1, ρ = 0, β = 1e300, sizes.
            c(["compare"] + tiny + none + ["gd:eta=0"], ["--method gd:eta=0"], "gd η = 0 trapped"),
            c(["compare"] + tiny + none + ["gd:eta=1e-300"], ["--method gd:eta=1e-300"], "gd η = 1e-300 trapped"),
            c(["compare"] + tiny + none + ["gd:eta=-1"], ["--method gd:eta=-1"], "negative η"),
            c(["compare"] + tiny + none + ["gd:eta=1e-12"], ["--method gd:eta=1e-12"], "10^12 sampled iterations"),
            c(["compare"] + tiny + none + ["hb:eta=0:beta=0.5"], ["--method hb:eta=0"], "hb η = 0"),
            c(["compare"] + tiny + none + ["hb:eta=1e-300:beta=0.5"], ["--method hb:eta=1e-300"], "hb η = 1e-300"),
            c(["compare"] + tiny + none + ["nag:eta=0:beta=0.5"], ["--method nag:eta=0"], "nag η = 0"),
            c(["compare"] + tiny + none + ["nag:eta=1e-300:beta=0.5"], ["--method nag:eta=1e-300"], "nag η = 1e-300"),
            c(["compare"] + tiny + none + ["nag-sc:eta=0"], ["--method nag-sc:eta=0"], "nag-sc η = 0"),
            c(["compare"] + tiny + none + ["nag-sc:eta=1e-300"], ["--method nag-sc:eta=1e-300"], "nag-sc η = 1e-300"),
            c(["compare"] + tiny + none + ["nag-gamma:eta=0"], ["--method nag-gamma:eta=0"], "nag-gamma η = 0"),
            c(["compare"] + tiny + none + ["nag-gamma:eta=0.1:gamma=0"], ["--method nag-gamma"], "nag-gamma γ = 0"),
            c(["compare"] + tiny + none + ["multi:eta=0:betas=0.5/0.1"], ["--method multi:eta=0"], "multi η = 0"),
            c(["compare"] + tiny + none + ["multi:eta=1e-300:betas=0.5/0.1"], ["--method multi:eta=1e-300"], "multi η = 1e-300"),
            c(["compare"] + tiny + none + ["gauss-newton:eta=0"], ["--method gauss-newton:eta=0"], "Gauss–Newton η = 0"),
            c(["compare"] + tiny + none + ["gauss-newton:eta=1e-300"], ["--method gauss-newton:eta=1e-300"], "Gauss–Newton η = 1e-300"),
            c(["compare"] + tiny + none + ["gdm:eta=0.1:gamma=1"], ["--method gdm:eta=0.1:gamma=1"], "GD+M γ = 1 trapped"),
            c(["compare"] + tiny + none + ["gdm:eta=0.1:gamma=-0.5"], ["--method gdm"], "GD+M γ < 0"),
            c(["compare"] + tiny + none + ["gdm:eta=0:gamma=0.5"], ["--method gdm"], "GD+M η = 0"),
            c(["compare"] + tiny + none + ["discretized:h=0"], ["--method discretized"], "discretized h = 0"),
            c(["compare"] + tiny + none + ["discretized:h=1e-300"], ["--method discretized:h=1e-300"], "discretized h = 1e-300"),
            c(["lyapunov"] + tiny + ["--flows", "gradient-flow", "--methods", "gd:eta=0"], ["--method gd:eta=0"], "lyapunov gd η = 0"),
            c(["lyapunov"] + tiny + ["--flows", "gradient-flow", "--methods", "gdm:eta=0.1:gamma=1"], ["--method gdm"], "lyapunov γ = 1"),
            c(["regime"] + problem + ["--kernel", identity, "--methods", "hb:eta=1:beta=0"], ["--methods hb:eta=1:beta=0"], "ρ(M) = 0 trapped"),
            c(["regime"] + problem + ["--methods", "hb:eta=0.1:beta=1e300"], ["--methods hb:eta=0.1:beta=1e300"], "β = 1e300 trapped"),
            c(["regime"] + problem + ["--methods", "hb:eta=0:beta=0.5"], ["--method hb:eta=0"], "regime η = 0"),
            c(["regime"] + problem + ["--methods", "gd:eta=0.1"], ["--methods"], "regime of gd"),
            c(["regime"] + problem + ["--max-iterations", "1000000000000"], ["--max-iterations"], "unbounded transient scan"),
            c(["regime"] + problem + ["--max-iterations", "0"], ["--max-iterations"], "K = 0"),
            c(["regime"] + problem + ["--max-iterations", "-5"], ["--max-iterations"], "negative K"),
            c(["regime"] + problem + ["--kernel", negative], ["--kernel", negative], "negative-definite regime kernel"),
            c(["simulate", "--samples", "4", "--dimension", "3", "--width", "1000000000", "--t-end", "1", "--points", "3"], ["--width"], "width 1e9 allocation"),
            c(["simulate", "--samples", "4", "--dimension", "3", "--width", "4611686018427387904", "--t-end", "1", "--points", "3"], ["--width"], "width 2^62 overflow"),
            c(["simulate", "--samples", "4", "--dimension", "3", "--width", "9223372036854775807", "--t-end", "1", "--points", "3"], ["--width"], "width Int.max"),
            c(["simulate", "--samples", "60000", "--dimension", "3", "--width", "16", "--t-end", "1", "--points", "3"], ["--samples"], "60,000 samples: n² kernels"),
            c(["simulate", "--samples", "4", "--dimension", "4000000000000", "--width", "16", "--t-end", "1", "--points", "3"], ["--dimension"], "dimension 4e12"),
            c(["simulate"] + problem + ["--t-end", "1", "--points", "4000000000"], ["--points"], "4e9 points"),
            c(["simulate"] + problem + ["--t-end", "1", "--points", "9223372036854775807"], ["--points"], "Int.max points"),
            c(["simulate", "--model", "quadratic", "--dimension", "100000000", "--t-end", "1", "--points", "3"], ["--dimension"], "quadratic N = 1e8"),
            c(["compare"] + tiny + ["--model", "errors", "--samples", "70000", "--flows", "gradient-flow", "--methods", "none"], ["--samples"], "errors model with n = 70,000"),
            c(["lyapunov", "--samples", "4", "--dimension", "3", "--width", "3000000000", "--t-end", "1", "--points", "3"], ["--width"], "lyapunov width 3e9"),
            c(["regime", "--samples", "80000", "--dimension", "3", "--width", "16"], ["--samples"], "regime n = 80,000"),
            c(["benchmark", "--samples", "4", "--dimension", "3", "--width", "1000000000", "--no-switching", "--seconds", "0.01"], ["--width"], "benchmark width 1e9"),
            c(["benchmark", "--samples", "4000000000", "--dimension", "3", "--width", "16", "--no-switching", "--seconds", "0.01"], ["--samples"], "benchmark n = 4e9"),
            // 2. Unbounded work.
            c(["lyapunov"] + tiny + ["--table-times", "1,1e9"], ["--table-times"], "table time past --t-end"),
            c(["simulate"] + tiny + ["--rtol", "1e-300", "--atol", "1e-300"], ["--rtol"], "rtol below machine epsilon"),
            c(["simulate"] + tiny + ["--solver", "gsl", "--rtol", "1e-17"], ["--rtol"], "rtol 1e-17"),
            c(["compare"] + tiny + ["--rtol", "1e-300", "--methods", "none"], ["--rtol"], "compare rtol 1e-300"),
            c(["simulate"] + tiny + ["--max-evaluations", "0"], ["--max-evaluations"], "no evaluation allowed"),
            c(["simulate"] + tiny + ["--max-evaluations", "-1"], ["--max-evaluations"], "negative evaluation limit"),
            c(["simulate"] + tiny + ["--max-wall", "0"], ["--max-wall"], "zero wall time"),
            c(["simulate"] + tiny + ["--max-wall", "nan"], ["--max-wall"], "NaN wall time"),
            c(["simulate"] + tiny + ["--max-wall", "inf"], ["--max-wall"], "infinite wall time"),
            c(["benchmark", "--samples", "4", "--dimension", "3", "--width", "16", "--no-switching", "--seconds", "1e300"], ["--seconds"], "benchmark for 1e300 s"),
            // 3. Wrong results with exit status 0.
            c(["compare"] + tiny + ["--flows", "hbf,hbf", "--methods", "none"], ["--flows"], "two flows with one name"),
            c(["compare"] + tiny + none + ["gd:eta=0.1:eta=0.2"], ["--method gd:eta=0.1:eta=0.2"], "duplicated method key"),
            c(["compare"] + tiny + none + ["hb:eta=0.1:beta=0.5:beta=0.6"], ["--method hb"], "duplicated β"),
            c(["simulate"] + tiny + ["--model", "errors", "--kernel", negative], ["--kernel", negative], "negative-definite kernel"),
            c(["simulate"] + tiny + ["--model", "errors", "--kernel", indefinite], ["--kernel", indefinite], "indefinite kernel"),
            c(["simulate"] + tiny + ["--model", "errors", "--kernel", zeroKernel], ["--kernel", zeroKernel], "zero kernel"),
            c(["compare"] + tiny + ["--model", "errors", "--kernel", indefinite, "--methods", "none"], ["--kernel", indefinite], "compare indefinite kernel"),
            c(["lyapunov"] + tiny + ["--model", "errors", "--kernel", negative], ["--kernel", negative], "lyapunov negative kernel"),
            c(["simulate"] + tiny + ["--data", zeroRow], ["--data", zeroRow], "all-zero input row: λ0 = 0"),
            c(["compare"] + tiny + ["--data", zeroRow, "--methods", "none"], ["--data", zeroRow], "compare all-zero input row"),
            c(["simulate"] + tiny + ["--rtol", "1e300"], ["--rtol"], "rtol 1e300"),
            c(["simulate"] + tiny + ["--rtol", "1"], ["--rtol"], "rtol 1"),
            c(["simulate"] + tiny + ["--event-tolerance", "1e300"], ["--event-tolerance"], "event tolerance 1e300"),
            c(["simulate"] + tiny + ["--solver", "events", "--event-tolerance", "5"], ["--event-tolerance"], "event tolerance past t-end"),
            c(["lyapunov"] + tiny + ["--lazy-c", "nan"], ["--lazy-c"], "lazy-c NaN"),
            c(["lyapunov"] + tiny + ["--lazy-c", "-1"], ["--lazy-c"], "lazy-c negative"),
            c(["lyapunov"] + tiny + ["--lazy-delta", "-5"], ["--lazy-delta"], "lazy-delta −5"),
            c(["lyapunov"] + tiny + ["--lazy-delta", "1"], ["--lazy-delta"], "lazy-delta 1"),
            c(["compare"] + tiny + none + ["multi:betas=/"], ["--method multi:betas=/"], "multi betas=/"),
            c(["compare"] + tiny + none + ["multi:eta=0.1:betas=/"], ["--method multi:eta=0.1:betas=/"], "multi empty betas"),
            c(["compare"] + tiny + none + ["multi:eta=0.1:betas=0.5//0.1"], ["--method multi"], "multi empty β2"),
            c(["compare"] + tiny + none + ["discretized:h=0.1:coefficients=/"], ["--method discretized"], "empty coefficients"),
            c(["compare"] + tiny + none + ["multi:eta=0.1:betas=nan"], ["--method multi"], "NaN β"),
            // 4. Partial outputs: a bad later run is refused before the first run writes.
            c(["compare"] + tiny + ["--flows", "gradient-flow", "--methods", "gd:eta=0.1,hb:eta=0.1:beta=2,bogus"], ["--method bogus"], "bad later method"),
            c(["compare"] + tiny + ["--flows", "gradient-flow,higher-order", "--methods", "none"], ["--coefficients"], "higher order without coefficients"),
            c(["compare"] + tiny + ["--flows", "gradient-flow", "--methods", "gd:eta=0.1,gd:eta=1e-300"], ["--method gd:eta=1e-300"], "bad later step size"),
            c(["lyapunov"] + tiny + ["--flows", "gradient-flow", "--methods", "gd:eta=0.1,nag:eta=0.1"], ["--method nag:eta=0.1"], "later method without β"),
            // 5. Messages.
            c(["simulate"] + tiny + ["--seed", "-1"], ["--seed"], "negative seed"),
            c(["simulate"] + tiny + ["--seed", "1.5"], ["--seed"], "fractional seed"),
            c(["simulate"] + tiny + ["--seed", "18446744073709551616"], ["--seed"], "seed past UInt64"),
            c(["benchmark", "--samples", "4", "--dimension", "3", "--width", "16", "--no-switching", "--seed", "-1"], ["--seed"], "benchmark negative seed"),
            c(["benchmark", "--samples", "-4", "--dimension", "3", "--width", "16", "--no-switching"], ["--samples"], "benchmark negative n"),
            c(["benchmark", "--samples", "4", "--dimension", "3", "--width", "16", "--no-switching", "--threads", "-2"], ["--threads"], "benchmark negative threads"),
            c(["lyapunov"] + tiny + ["--table-times", "1,x"], ["--table-times"], "table time not a number"),
            c(["lyapunov"] + tiny + ["--table-times", "0.5,0.2"], ["--table-times"], "table times decreasing"),
            c(["lyapunov"] + tiny + ["--table-times", "-1"], ["--table-times"], "negative table time"),
            c(["lyapunov"] + tiny + ["--table-times", ""], ["--table-times"], "empty table times"),
            c(["simulate"] + tiny + ["--data", huge], ["--data", huge], "1e300 data value"),
            c(["simulate"] + tiny + ["--data", nanData], ["--data", nanData], "NaN data"),
            c(["simulate"] + tiny + ["--data", text], ["--data", text], "text in data"),
            c(["simulate"] + tiny + ["--data", ragged], ["--data", ragged], "ragged data"),
            c(["simulate"] + tiny + ["--data", empty], ["--data", empty], "empty data"),
            c(["simulate"] + tiny + ["--data", headerOnly], ["--data", headerOnly], "header-only data"),
            c(["simulate"] + tiny + ["--data", oneColumn], ["--data", oneColumn], "one-column data"),
            c(["simulate"] + tiny + ["--data", binary], ["--data", binary], "binary data"),
            c(["simulate"] + tiny + ["--data", directoryInput], ["--data"], "data is a directory"),
            c(["simulate"] + tiny + ["--model", "errors", "--kernel", asymmetric], ["--kernel", asymmetric], "asymmetric kernel"),
            c(["simulate"] + tiny + ["--model", "errors", "--kernel", small], ["--kernel", small], "kernel of the wrong size"),
            c(["simulate"] + tiny + ["--model", "errors", "--kernel", identity, "--initial-error", delta], ["--kernel", "--initial-error"], "Δ(0) of the wrong length"),
            c(["compare"] + tiny + none + ["gd:recipe=nope"], ["--method"], "unknown recipe"),
            c(["compare"] + tiny + ["--model", "errors", "--flows", "none", "--methods", "gauss-newton:eta=0.1"], ["--method"], "Gauss–Newton on errors"),
            c(["compare"] + tiny + none + ["gd:eta"], ["--method gd:eta"], "key without value"),
            c(["compare"] + tiny + none + ["gd:=1"], ["--method gd:=1"], "value without key"),
            c(["compare"] + tiny + none + ["gd:eta=0.1:bogus=1"], ["--method gd"], "unknown key"),
            c(["compare"] + tiny + none + ["hb:eta=0.1:beta=0.5:form=sideways"], ["--method hb"], "unknown form"),
            c(["compare"] + tiny + ["--flows", "sideways", "--methods", "none"], ["--flows"], "unknown flow"),
            c(["compare"] + tiny + ["--epsilon", "0"], ["--epsilon"], "ε = 0"),
            c(["compare"] + tiny + ["--epsilon", "-1e-6"], ["--epsilon"], "negative ε"),
            c(["simulate"] + tiny + ["--flow", "hbf", "--friction", "nan"], ["--friction"], "NaN friction"),
            c(["simulate"] + tiny + ["--flow", "nesterov", "--gamma", "inf"], ["--gamma"], "infinite γ"),
            c(["simulate"] + tiny + ["--flow", "nesterov", "--t0", "-1"], ["--t0"], "negative t0"),
            c(["simulate"] + tiny + ["--flow", "higher-order", "--coefficients", "1,,2"], ["--coefficients"], "empty coefficient"),
            c(["simulate"] + tiny + ["--flow", "higher-order", "--coefficients", "1,x"], ["--coefficients"], "coefficient not a number"),
            c(["simulate"] + problem + ["--times", "0,1,nan"], ["--times"], "NaN sample time"),
            c(["simulate"] + problem + ["--times", "0,1,1"], ["--times"], "repeated sample time"),
            c(["simulate"] + problem + ["--times", "0,1e400"], ["--times"], "sample time overflow"),
            c(["simulate"] + problem + ["--t-end", "inf"], ["--t-end"], "infinite t-end"),
            c(["simulate"] + problem + ["--t-end", "1", "--points", "1"], ["--points"], "one point"),
            c(["simulate"] + problem + ["--t-end", "1", "--points", "-3"], ["--points"], "negative points"),
            c(["simulate"] + problem + ["--t-start", "-1", "--t-end", "1", "--points", "3"], ["--t-start"], "negative t-start"),
            c(["simulate"] + problem + ["--t-end", "1", "--points", "3", "--spacing", "log"], ["--t-start"], "log spacing from 0"),
            c(["simulate"] + tiny + ["--threads", "0"], ["--threads"], "zero threads"),
            c(["simulate"] + tiny + ["--solver", "teleport"], ["--solver"], "unknown solver"),
            c(["simulate"] + tiny + ["--model", "nonsense"], ["--model"], "unknown model"),
            c(["simulate"] + tiny + ["--model", "quadratic:mu=0"], ["--model"], "quadratic μ = 0"),
            c(["simulate"] + tiny + ["--labels", "colours"], ["--labels"], "unknown labels"),
            c(["simulate"] + tiny + ["--width", "-16"], ["--width"], "negative width"),
            c(["simulate"] + tiny + ["--samples", "0"], ["--samples"], "zero samples"),
            c(["simulate"] + tiny + ["--bogus-flag", "1"], ["--bogus-flag"], "unknown option"),
            c(["simulate"] + tiny + ["--flow", "newton", "--solver", "exact-pieces"], ["--solver"], "newton with a switching solver"),
            c(["simulate"] + tiny + ["--model", "deep-linear:layers=3:hidden=5", "--flow", "newton"], ["--flow"], "newton without per-neuron blocks"),
            c(["compare"] + tiny + ["--flows", "newton", "--methods", "none", "--solver", "kinetic"], ["--solver"], "compare newton with kinetic"),
        ]
        // Sweep inputs that are already refused cleanly on main.
        list += [
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16,16"], ["--widths"], "repeated width"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16,,32"], ["--widths"], "empty width"),
            // A later width that cannot fit is refused before the first width runs.
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16,1000000000"], ["--widths"], "sweep width too large"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16", "--weights", "w.csv", "--output-weights", "a.csv"], ["--weights"], "sweep with weight files"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", ""], ["--widths"], "empty width list"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16", "--rtol", "1e300"], ["--rtol"], "sweep rtol 1e300"),
        ]
        // Seed bands (--init-seeds), flow entries with keys, reproduce --plan.
        list += [
            c(["compare"] + tiny + ["--init-seeds", "0,0"], ["--init-seeds"], "repeated initialization seed"),
            c(["compare"] + tiny + ["--init-seeds", "0,x"], ["--init-seeds"], "initialization seed not a number"),
            c(["compare"] + tiny + ["--init-seeds", "-1"], ["--init-seeds"], "negative initialization seed"),
            c(["compare"] + tiny + ["--init-seeds", "0,,1"], ["--init-seeds"], "empty initialization seed"),
            c(["compare"] + tiny + ["--init-seeds", "1,2", "--init-seed", "3"], ["--init-seeds"], "--init-seeds with --init-seed"),
            c(["compare"] + tiny + ["--init-seeds", "1,2", "--weights", "w.csv", "--output-weights", "a.csv"], ["--init-seeds"], "--init-seeds with weight files"),
            c(["compare"] + tiny + ["--init-seeds", "0,1", "--flows", "none", "--methods", "hb:eta=0:beta=0.5"], ["--method hb:eta=0"], "bad method under --init-seeds"),
            c(["compare"] + tiny + ["--flows", "nesterov:gamma=0", "--methods", "none"], ["--flows nesterov:gamma=0"], "flow entry γ = 0"),
            c(["compare"] + tiny + ["--flows", "nesterov:gamma=abc", "--methods", "none"], ["--flows nesterov:gamma=abc"], "flow entry γ not a number"),
            c(["compare"] + tiny + ["--flows", "nesterov:gamma=inf", "--methods", "none"], ["--flows nesterov:gamma=inf"], "flow entry γ infinite"),
            c(["compare"] + tiny + ["--flows", "hbf:gamma=3", "--methods", "none"], ["--flows hbf:gamma=3"], "flow entry key of another flow"),
            c(["compare"] + tiny + ["--flows", "gradient-flow:b=1", "--methods", "none"], ["--flows gradient-flow:b=1"], "flow entry key on a flow without keys"),
            c(["compare"] + tiny + ["--flows", "nesterov:gamma=3,nesterov:gamma=3", "--methods", "none"], ["--flows"], "the same flow entry twice"),
            c(["compare"] + tiny + ["--flows", "nesterov:gamma", "--methods", "none"], ["--flows nesterov:gamma"], "flow entry key without value"),
            c(["compare"] + tiny + ["--flows", "nesterov:gamma=3:gamma=4", "--methods", "none"], ["--flows nesterov:gamma=3:gamma=4"], "flow entry key twice"),
            c(["compare"] + tiny + ["--flows", "higher-order:coefficients=1", "--methods", "none"], ["--flows higher-order:coefficients=1"], "flow entry J = 1"),
            c(["compare"] + tiny + ["--flows", "higher-order:coefficients=1//2", "--methods", "none"], ["--flows higher-order:coefficients=1//2"], "flow entry empty coefficient"),
            c(["compare"] + tiny + ["--flows", "newton,bogus:gamma=1", "--methods", "none"], ["--flows"], "unknown flow with a key"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16", "--flows", "nesterov:gamma=3,nesterov:alpha=7"], ["--flows nesterov:alpha=7"], "sweep flow entry α ≥ 2γ"),
            c(["lyapunov"] + tiny + ["--flows", "hbf:b=-1"], ["--flows hbf:b=-1"], "lyapunov flow entry b < 0"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16", "--init-seeds", "1,1"], ["--init-seeds"], "sweep repeated initialization seed"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16", "--init-seeds", "1,2", "--init-seed", "0"], ["--init-seeds"], "sweep --init-seeds with --init-seed"),
            c(["sweep", "--samples", "4", "--dimension", "3", "--t-end", "1", "--points", "3", "--widths", "16", "--methods", "gd:eta=0.1", "--iterations", "-1"], ["--iterations"], "sweep negative iteration count"),
            c(["reproduce", "--list", "--plan"], ["--plan"], "reproduce --plan with --list"),
            c(["reproduce", "004-T1", "--plan"], ["reproduce ID"], "reproduce --plan of an unavailable experiment"),
            c(["reproduce", "000-F2", "--plan", "--jobs", "0"], ["--jobs"], "reproduce --plan with no jobs"),
        ]
        return list
    }

    // MARK: - The battery

    /// Every case: non-zero exit, one stderr line naming the input, output directory untouched.
    func testEveryHostileInputIsRefusedCleanly() throws {
        // Something the run must leave exactly as it was.
        let marker = outputDirectory.appendingPathComponent("keep.txt")
        try "before\n".write(to: marker, atomically: true, encoding: .utf8)
        let before = outputFiles()
        let all = try cases()
        XCTAssertGreaterThanOrEqual(all.count, 100, "the battery should hold at least 100 inputs")
        let clock = ContinuousClock(), start = clock.now
        for item in all {
            // simulate writes PREFIX.csv/.json, the others a directory of files.
            let target = outputDirectory.appendingPathComponent(item.arguments[0] == "simulate" ? "run" : "dir").path
            let result = try run(item.arguments + (item.arguments[0] == "benchmark" ? [] : ["--output", target]))
            let shown = "[\(item.why)] gradflow \(item.arguments.joined(separator: " ")) -> status \(result.status), stderr:\n\(result.stderr)"
            XCTAssertNotEqual(result.status, 0, shown)
            // Not killed by a signal (a trap is 132/133/134 or a signal exit): a clean error.
            XCTAssertTrue(result.status == 1 || result.status == 64, "exit status should be 1 or 64: \(shown)")
            XCTAssertEqual(result.stderrLines.count, 1, shown)
            XCTAssertTrue(result.stderr.hasPrefix("Error: "), shown)
            XCTAssertTrue(item.names.contains { result.stderr.contains($0) }, "stderr should name one of \(item.names): \(shown)")
            XCTAssertEqual(outputFiles(), before, "output directory must be left as it was: \(shown)")
            // Clear what a failing case left, so that one failure does not cascade.
            for name in Set(outputFiles()).subtracting(before).sorted(by: >) {
                try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent(name))
            }
        }
        XCTAssertEqual(try String(contentsOf: marker, encoding: .utf8), "before\n")
        print("HostileInputTests: \(all.count) inputs refused in \(clock.now - start)")
    }

    // MARK: - Limits and outputs

    /// `--friction 1e300` used to run forever (exact pieces step 1/b); it now stops at the
    /// evaluation limit at once, names it, keeps its samples (the t = 0 row) and exits 1.
    func testHugeFrictionStopsAtTheEvaluationLimitAndKeepsSamples() throws {
        let prefix = outputDirectory.appendingPathComponent("run").path
        let result = try run(["simulate"] + Self.tiny + ["--friction", "1e300", "--output", prefix])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--max-evaluations"), result.stderr)
        let csv = try String(contentsOfFile: prefix + ".csv", encoding: .utf8)
        XCTAssertTrue(csv.split(separator: "\n").contains { $0.hasPrefix("0,") || $0.hasPrefix("0.0,") }, csv)
        XCTAssertEqual(outputFiles(), ["run.csv", "run.json"])
    }

    /// A run with too small an evaluation budget stops with the limit named, samples kept.
    func testEvaluationLimitStopsARunWithItsSamples() throws {
        let prefix = outputDirectory.appendingPathComponent("run").path
        let result = try run(["simulate"] + Self.tiny + ["--solver", "gsl", "--rtol", "0", "--atol", "1e-300",
                                                           "--max-evaluations", "1000", "--output", prefix])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--max-evaluations (1000)"), result.stderr)
        XCTAssertEqual(outputFiles(), ["run.csv", "run.json"])
    }

    /// `--max-wall` stops a run that would take long, keeping its samples.
    func testWallTimeLimitStopsARun() throws {
        let prefix = outputDirectory.appendingPathComponent("run").path
        let clock = ContinuousClock(), start = clock.now
        let result = try run(["simulate"] + Self.tiny + ["--solver", "gsl", "--rtol", "0", "--atol", "1e-300",
                                                           "--max-wall", "0.5", "--output", prefix])
        XCTAssertLessThan(clock.now - start, .seconds(20))
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--max-wall"), result.stderr)
        XCTAssertEqual(outputFiles(), ["run.csv", "run.json"])
    }

    /// `--output o/` would write the hidden files o/.csv and o/.json.
    func testOutputPrefixEndingInSlashIsRefused() throws {
        for output in [outputDirectory.path + "/", outputDirectory.path + "/.", outputDirectory.path + "/.hidden"] {
            let result = try run(["simulate"] + Self.tiny + ["--output", output])
            XCTAssertEqual(result.status, 64, result.stderr)
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("--output"), result.stderr)
            XCTAssertEqual(outputFiles(), [])
        }
    }

    /// Duplicate method names get -2, -3 … instead of overwriting each other's files.
    func testRepeatedMethodsWriteSeparateFiles() throws {
        let directory = outputDirectory.appendingPathComponent("cmp").path
        let result = try run(["compare"] + Self.tiny + ["--flows", "none", "--methods", "gd:eta=0.1,gd:eta=0.2", "--output", directory])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(outputFiles(), ["cmp", "cmp/gd-2.csv", "cmp/gd-2.json", "cmp/gd.csv", "cmp/gd.json", "cmp/rates.csv", "cmp/rates.md"])
    }

    /// Long names: a 254-character output directory is valid; a prefix of 250 characters
    /// (PREFIX.json = 255 bytes) too, though its temporary names must be shortened.
    func testLongOutputNamesAreAccepted() throws {
        let directory = outputDirectory.appendingPathComponent(String(repeating: "d", count: 254)).path
        let compare = try run(["compare"] + Self.tiny + ["--flows", "gradient-flow", "--methods", "none", "--output", directory])
        XCTAssertEqual(compare.status, 0, compare.stderr)
        let prefix = outputDirectory.appendingPathComponent(String(repeating: "p", count: 250)).path
        let simulate = try run(["simulate"] + Self.tiny + ["--output", prefix])
        XCTAssertEqual(simulate.status, 0, simulate.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: prefix + ".json"))
        XCTAssertFalse(outputFiles().contains { $0.hasSuffix(".tmp") }, "\(outputFiles())")
        // A name the file system cannot hold is refused up front, nothing written.
        let tooLong = outputDirectory.appendingPathComponent(String(repeating: "q", count: 254)).path
        let refused = try run(["simulate"] + Self.tiny + ["--output", tooLong])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertEqual(refused.stderrLines.count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--output"), refused.stderr)
        XCTAssertFalse(outputFiles().contains { $0.hasPrefix("qqq") || $0.hasPrefix(".qqq") }, "\(outputFiles())")
    }

    /// Temporary files of a run killed by SIGKILL (their PID no longer exists) are removed by
    /// the next run into the same directory; those of a live process are not.
    func testStaleTemporaryFilesAreRemovedByTheNextRun() throws {
        // A PID that does not exist: a child that has already exited.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let stale = outputDirectory.appendingPathComponent(".run.csv.\(dead).tmp")
        let live = outputDirectory.appendingPathComponent(".run.csv.\(getpid()).tmp")
        try "partial".write(to: stale, atomically: false, encoding: .utf8)
        try "partial".write(to: live, atomically: false, encoding: .utf8)
        let result = try run(["simulate"] + Self.tiny + ["--output", outputDirectory.appendingPathComponent("run").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "\(outputFiles())")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path), "\(outputFiles())")
    }

    /// SIGTERM and SIGINT during a run leave no file at all (outputs are staged until the end,
    /// temporary files are removed by the signal handler).
    func testTerminationDuringARunLeavesNothing() throws {
        for signal in [SIGTERM, SIGINT] {
            let process = Process()
            process.executableURL = try executable()
            process.arguments = ["simulate"] + Self.tiny + ["--solver", "gsl", "--rtol", "0", "--atol", "1e-300",
                                                            "--output", outputDirectory.appendingPathComponent("run").path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(300_000)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal)
            XCTAssertEqual(outputFiles(), [], "signal \(signal)")
        }
    }
}
