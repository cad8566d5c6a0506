import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure the GFLOP/s of the weight right-hand side against dgemm on this machine (build with -c release).")

    @Option(parsing: .unconditional, help: "Samples n.") var samples: Int = 256
    @Option(parsing: .unconditional, help: "Input dimension d.") var dimension: Int = 64
    @Option(parsing: .unconditional, help: "Width m.") var width: Int = 4096
    @Option(parsing: .unconditional, help: "OpenBLAS threads.") var threads: Int = 1
    @Option(parsing: .unconditional, help: "Minimum seconds per measurement.") var seconds: Double = 2
    @Option(parsing: .unconditional, help: "Seed.") var seed: UInt64 = 0
    @Flag(name: .customLong("no-switching"), help: "Skip the switching-event benchmark (n = 20, d = 10, m = 2000, T = 50).")
    var noSwitching = false
    @Flag(name: .customLong("scaling"), help: "Also run the growth grid (HBF to T = 20, d = 10: n = 20, 40, 80 at m = 2000; m = 8000, 32000 at n = 20) and the medium problem (n = 256, d = 64, m = 4096: HBF and Nesterov to T = 50) with auto's solver, and print time per switch.")
    var scaling = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads: got \(threads); need at least 1 thread") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds: got \(seconds); must be finite and > 0") }
        guard samples >= 1, dimension >= 1, width >= 1 else {
            throw ValidationError("--samples/--dimension/--width: got \(samples)/\(dimension)/\(width); each must be ≥ 1")
        }
        // Very long measurements are a mistake, not a benchmark: a day per measurement at most.
        guard seconds <= 86_400 else { throw ValidationError("--seconds: got \(seconds); at most 86400 (one day) per measurement") }
        try validating { try MemoryEstimate.checkNetwork(samples: samples, dimension: dimension, width: width, kernels: false) }
    }

    func run() throws {
        BLASThreads.set(threads)
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: samples, dimension: dimension, labels: .signs, random: random)
        let network = try ReLUNetwork.gaussian(data: data, width: width, random: random)
        print("gradflow \(ToolVersion.current), GSL \(GSL.version), OpenBLAS \(BLASThreads.configuration) [\(BLASThreads.coreName)], threads \(BLASThreads.current)")
        let (n, d, m) = (samples, dimension, width)
        let square = ThroughputBenchmark.dgemm(m: 2048, n: 2048, k: 2048, minimumSeconds: seconds)
        let first = ThroughputBenchmark.dgemm(m: n, n: m, k: d, minimumSeconds: seconds)
        let second = ThroughputBenchmark.dgemm(m: d, n: m, k: n, minimumSeconds: seconds)
        let rhs = ThroughputBenchmark.weightGradient(network: network, minimumSeconds: seconds)
        func line(_ name: String, _ x: ThroughputBenchmark.Measurement) -> String {
            "\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(NumberFormat.short(x.gigaflops, digits: 4).padding(toLength: 8, withPad: " ", startingAt: 0)) GFLOP/s  \(NumberFormat.short(x.secondsPerCall * 1e3, digits: 4)) ms/call  (\(x.calls) calls)"
        }
        print(line("dgemm 2048x2048x2048", square))
        print(line("dgemm Z = X W      (\(n)x\(d) · \(d)x\(m))", first))
        print(line("dgemm G = Xᵀ S     (\(d)x\(n) · \(n)x\(m))", second))
        print(line("weight RHS ∇L(W)   (4nmd = \(4 * n * m * d) flops)", rhs))
        for (name, momentum) in [("GD", false), ("HB", true)] {
            for k in [100, 200] {
                print(line("discrete \(name), per iteration (\(k) iterations)",
                           try ThroughputBenchmark.discreteIteration(network: network, momentum: momentum, iterations: k)))
            }
        }
        print("discrete: the peers' η and β, sampled at k = 0 and k = K; dense-equivalent GFLOP/s (a kinetic iteration does far less than 4nmd)")
        print("RHS / square dgemm: \(NumberFormat.short(100 * rhs.gigaflops / square.gigaflops, digits: 3))%")
        guard !noSwitching else { return }
        print("")
        print("weight runs with located switches: n = 20, d = 10, m = 2000, seed \(seed), T = 50, rkf45 rtol 1e-6 atol 1e-9, event tolerance 1e-8")
        let rows = try SwitchingBenchmark.run(network: try SwitchingBenchmark.network(seed: seed))
        var table = Table(header: ["flow", "method", "wall s", "RHS evals", "events", "crossings", "sliding entries",
                                       "sliding exits", "sliding time", "sliding pair-time", "final loss", "vs exact"])
        for r in rows {
            table.rows.append([r.flow, r.method, NumberFormat.short(r.wallSeconds, digits: 3), "\(r.evaluations)", "\(r.events)",
                               "\(r.crossings)", "\(r.slidingEntries)", "\(r.slidingExits)", NumberFormat.short(r.slidingTime, digits: 4),
                               NumberFormat.short(r.slidingPairTime, digits: 5), NumberFormat.short(r.finalLoss, digits: 4),
                               r.relativeDifferenceToExact.map { NumberFormat.short($0, digits: 2) } ?? "-"])
        }
        print(table.render(), terminator: "")
        print("vs exact: ‖W(T) − W_ref(T)‖/‖W_ref(T)‖ against the same flow's last exact run (kinetic where it runs, else exact pieces).")
        if scaling { try printScaling() }
    }

    /// The growth table and the medium runs, one row per run as it finishes.
    private func printScaling() throws {
        print("")
        print("scaling: synthetic data, seed \(seed), auto's solver, event tolerance 1e-8, load \(NumberFormat.short(LoadAverage.oneMinute, digits: 3)) at start")
        var table = Table(header: ["n", "d", "m", "flow", "T", "solver", "wall s", "switches", "ms per switch",
                                   "switches per unit time", "wall / first", "final loss"])
        var first: Double?
        let runs = ScalingBenchmark.growthGrid.map { ($0.samples, 10, $0.width, "hbf", 20.0) }
            + [(256, 64, 4096, "hbf", 50.0), (256, 64, 4096, "nesterov", 50.0)]
        for (n, d, m, flow, end) in runs {
            let row = try ScalingBenchmark.run(samples: n, dimension: d, width: m, flow: flow, endTime: end, seed: seed,
                                               maximumWallSeconds: 600)
            if first == nil { first = row.wallSeconds }
            let ratio = d == 10 ? NumberFormat.short(row.wallSeconds / (first ?? row.wallSeconds), digits: 3) + "×" : "-"
            table.rows.append(["\(n)", "\(d)", "\(m)", row.flow,
                               row.reached < end ? "\(NumberFormat.short(end)) (stopped at \(NumberFormat.short(row.reached, digits: 3)))" : NumberFormat.short(end),
                               row.solver, NumberFormat.short(row.wallSeconds, digits: 4), "\(row.switches)",
                               NumberFormat.short(row.millisecondsPerSwitch, digits: 3),
                               NumberFormat.short(row.switchesPerUnitTime, digits: 4), ratio, NumberFormat.short(row.finalLoss, digits: 4)])
        }
        print(table.render(), terminator: "")
    }
}
