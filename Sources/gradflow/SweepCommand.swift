import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Width sweep: which theorem checks hold at each width m, with the max weight distance and pattern-change ratio.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated widths m.")
    var widths: String = "64,256,1024,4096,16384"

    @Option(help: "Flow: \(FlowSpecification.allowedNames).")
    var flow: String = "hbf"

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions

    @Option(name: .customLong("lazy-c"), help: "c of R = cδλ0/n².") var lazyC: Double = 1
    @Option(name: .customLong("lazy-delta"), help: "δ of R = cδλ0/n².") var lazyDelta: Double = 0.1

    @Option(help: "Output directory: sweep.md, sweep.csv and one CSV/JSON per width.")
    var output: String = "out/sweep"

    func run() throws {
        GSL.disableAbortOnError()
        try solverOptions.applyThreads()
        var spec = try problem.specification()
        guard spec.state == .network else {
            throw InputError("--model", value: spec.state.rawValue, allowed: "a width sweep needs --model network")
        }
        let widthList = try widths.split(separator: ",").map { text -> Int in
            guard let m = Int(text.trimmingCharacters(in: .whitespaces)), m >= 1 else {
                throw InputError("--widths", value: "\"\(text)\"", allowed: "positive integers, comma separated")
            }
            return m
        }
        try solverOptions.validate(state: spec.state)
        let times = try solverOptions.sampleTimes()
        let flowSpec = try flowParameters.specification(kind: flow)
        var table = Table(header: ["m", "checks held", "failed checks", "max weight distance", "pattern change ratio",
                                       "min λ_min(H(t))", "final loss"])
        var detail = Table(header: ["m", "check", "verdict"])
        var stops: [String] = []
        for m in widthList {
            spec.width = m
            let built = try spec.build()
            var flowValue = try flowSpec.build(lambda0: built.lambda0)
            if let hb = flowValue as? HeavyBallFlow {
                flowValue = HeavyBallFlow(friction: hb.friction, energyRate: (built.lambda0 / 2).squareRoot())
            }
            let solver = try solverOptions.makeSolver(for: flowValue, state: spec.state)
            let outcome = try RunExecution.run(problem: built, flow: flowValue, solver: solver, times: times, lambdaMin: true,
                                               command: "sweep", outputPrefix: "\(output)/m\(m)")
            let trajectory = outcome.trajectory
            if let stop = trajectory.earlyStop { stops.append("m = \(m): \(stop.description)") }
            let verdicts = TheoremChecks.verdicts(flow: flowValue, trajectory: trajectory, lambda0: built.lambda0,
                                                  sampleCount: built.field.sampleCount, width: m,
                                                  radiusConstant: lazyC, failureProbability: lazyDelta)
            let failed = verdicts.filter { !$0.held }
            table.rows.append([
                "\(m)", "\(verdicts.count - failed.count)/\(verdicts.count)",
                failed.isEmpty ? "-" : failed.map { String($0.name.prefix(while: { $0 != "=" && $0 != "," })).trimmingCharacters(in: .whitespaces) }.joined(separator: "; "),
                NumberFormat.short(trajectory.column("max_weight_distance")?.max() ?? .nan, digits: 4),
                NumberFormat.short(trajectory.column("pattern_change_ratio")?.max() ?? .nan, digits: 4),
                NumberFormat.short(trajectory.column("lambda_min")?.min() ?? .nan, digits: 4),
                NumberFormat.short(trajectory.column("loss")?.last ?? .nan, digits: 4),
            ])
            for v in verdicts { detail.rows.append(["\(m)", v.name, v.summary]) }
        }
        print("flow \(flowSpec.kind.rawValue), n = \(spec.samples), d = \(spec.dimension), seed \(spec.seed), solver \(solverOptions.solver)")
        print(table.render(), terminator: "")
        try AtomicFile.write(table.renderMarkdown() + "\n" + detail.renderMarkdown(), to: "\(output)/sweep.md")
        try AtomicFile.write(table.renderCSV(), to: "\(output)/sweep.csv")
        try AtomicFile.write(detail.renderCSV(), to: "\(output)/checks.csv")
        print("wrote \(output)/sweep.md, sweep.csv, checks.csv and one CSV/JSON per width")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
