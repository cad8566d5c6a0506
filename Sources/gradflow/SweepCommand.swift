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
    var flow: FlowSpecification.Kind = .heavyBall

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions

    @Option(name: .customLong("lazy-c"), help: "c of R = cδλ0/n².") var lazyC: Double = 1
    @Option(name: .customLong("lazy-delta"), help: "δ of R = cδλ0/n².") var lazyDelta: Double = 0.1

    @Option(help: "Output directory: sweep.md, sweep.csv and one CSV/JSON per width.")
    var output: String = "out/sweep"

    func validate() throws {
        guard problem.model.name == ReLUWeightField.modelName else {
            throw ValidationError("--model: got \(problem.model.name); a width sweep needs --model network")
        }
        guard problem.weights == nil, problem.outputWeights == nil else {
            throw ValidationError("--weights: got a weight file; a width sweep draws W(0) at each width, so it takes no weight files")
        }
        guard lazyC.isFinite, lazyC > 0 else { throw ValidationError("--lazy-c: got \(lazyC); must be finite and > 0") }
        guard lazyDelta.isFinite, lazyDelta > 0, lazyDelta < 1 else {
            throw ValidationError("--lazy-delta: got \(lazyDelta); the failure probability δ must lie in (0, 1)")
        }
        _ = try widthList()
    }

    /// Distinct positive widths, in the order given.
    private func widthList() throws -> [Int] {
        var seen = Set<Int>()
        return try widths.split(separator: ",", omittingEmptySubsequences: false).map { text -> Int in
            guard let m = Int(text.trimmingCharacters(in: .whitespaces)), m >= 1 else {
                throw ValidationError("--widths: got \"\(text)\"; positive integers, comma separated")
            }
            guard seen.insert(m).inserted else { throw ValidationError("--widths: got \(m) twice; give each width once") }
            return m
        }
    }

    func run() throws {
        GSL.disableAbortOnError()
        solverOptions.applyThreads()
        var spec = problem.specification()
        let times = try solverOptions.sampleTimes()
        let flowSpec = flowParameters.specification(kind: flow)
        // Every width's problem and run, validated before the first run.
        var plans: [(width: Int, plan: RunPlan)] = []
        for m in try widthList() {
            spec.width = m
            var plan = RunPlan(command: "sweep", problem: try spec.build(), sampleTimes: times)
            try plan.addFlows([flowSpec], solverOptions: solverOptions, theoremEnergy: true)
            plans.append((m, plan))
        }
        let outputs = OutputSet()
        var table = Table(header: ["m", "checks held", "failed checks", "max weight distance", "pattern change ratio",
                                   "min λ_min(H(t))", "final loss"])
        var detail = Table(header: ["m", "check", "verdict"])
        var stops: [String] = []
        for (m, plan) in plans {
            let run = plan.runs[0]
            let result = try plan.execute(run, lambdaMin: true, prefix: "\(output)/m\(m)", outputs: outputs)
            let trajectory = result.solution
            if let stop = trajectory.earlyStop { stops.append("m = \(m): \(stop.description)") }
            guard case .flow(let flowValue) = run.dynamics else { continue }
            let verdicts = TheoremChecks.verdicts(flow: flowValue, trajectory: trajectory, lambda0: plan.problem.lambda0,
                                                  sampleCount: plan.problem.model.sampleCount, width: m,
                                                  radiusConstant: lazyC, failureProbability: lazyDelta)
            let failed = verdicts.filter { !$0.held }
            table.rows.append([
                "\(m)", "\(verdicts.count - failed.count)/\(verdicts.count)",
                failed.isEmpty ? "-" : failed.map { String($0.name.prefix(while: { $0 != "=" && $0 != "," })).trimmingCharacters(in: .whitespaces) }.joined(separator: "; "),
                NumberFormat.short(trajectory[.maxWeightDistance]?.max() ?? .nan, digits: 4),
                NumberFormat.short(trajectory[.patternChangeRatio]?.max() ?? .nan, digits: 4),
                NumberFormat.short(trajectory[.lambdaMin]?.min() ?? .nan, digits: 4),
                NumberFormat.short(trajectory[.loss]?.last ?? .nan, digits: 4),
            ])
            for v in verdicts { detail.rows.append(["\(m)", v.name, v.summary]) }
        }
        print("flow \(flowSpec.kind.rawValue), n = \(spec.samples), d = \(spec.dimension), seed \(spec.seed), solver \(solverOptions.solver.rawValue)")
        print(AlignedTextTableWriter().render(table), terminator: "")
        try outputs.add(.report(Report(sections: [.table(table), .table(detail)])), as: MarkdownTableWriter(), to: "\(output)/sweep.md")
        try outputs.add(.table(table, caption: nil), as: CSVTableWriter(), to: "\(output)/sweep.csv")
        try outputs.add(.table(detail, caption: nil), as: CSVTableWriter(), to: "\(output)/checks.csv")
        try outputs.commit()
        print("wrote \(output)/sweep.md, sweep.csv, checks.csv and one CSV/JSON per width")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
