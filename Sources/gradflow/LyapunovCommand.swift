import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct LyapunovCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lyapunov",
        abstract: "Lyapunov decay tables and theorem checks (Markdown, CSV, LaTeX) for one or more flows.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated flows: \(FlowSpecification.allowedNames).")
    var flows: String = "gradient-flow,hbf,nesterov"

    @Option(help: "Comma-separated discrete methods NAME[:key=value]... as in compare (default none).")
    var methods: String = "none"

    @OptionGroup var flowParameters: FlowParameterOptions
    @OptionGroup var solverOptions: SolverOptions

    @Option(name: .customLong("table-times"), parsing: .unconditional,
            help: "Times of the decay table rows, comma separated (default: 7 evenly spaced from --t-start to --t-end).")
    var tableTimes: String?

    @Option(name: .customLong("lazy-c"), help: "c of R = cδλ0/n² (002 Lemma 3.2 leaves it unspecified).")
    var lazyC: Double = 1

    @Option(name: .customLong("lazy-delta"), help: "δ of R = cδλ0/n².")
    var lazyDelta: Double = 0.1

    @Option(help: "Output directory: decay.md, decay.csv, decay.tex, checks.md, and one CSV/JSON per run.")
    var output: String = "out/lyapunov"

    func run() throws {
        GSL.disableAbortOnError()
        try solverOptions.applyThreads()
        let spec = try problem.specification()
        try solverOptions.validate(state: spec.state)
        let grid = try solverOptions.sampleTimes()
        let flowSpecs = try flowParameters.specifications(list: flows)
        let built = try spec.build()
        let lambda0 = built.lambda0
        let first = grid.values.first!, last = grid.values.last!
        let rowTimes: [Double]
        if let text = tableTimes {
            rowTimes = try SampleTimes(list: text.split(separator: ",").map {
                guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError("--table-times", value: "\"\($0)\"", allowed: "a comma-separated list of numbers")
                }
                return v
            }).values
        } else {
            rowTimes = (0..<7).map { first + (last - first) * Double($0) / 6 }
        }
        let times = try SampleTimes(list: Array(Set(grid.values + rowTimes)).sorted())

        var decay = DecayTable()
        var summary = Table(header: ["run", "energy law", "fitted rate", "theory rate", "theory source"])
        var checks = Table(header: ["run", "check", "source", "verdict"])
        var stops: [String] = []
        for flowSpec in flowSpecs {
            var flow = try flowSpec.build(lambda0: lambda0)
            if let hb = flow as? HeavyBallFlow {
                // Theorem 2's energy uses α = √(λ0/2) whatever b is, so that a b below √(2λ0) shows up.
                flow = HeavyBallFlow(friction: hb.friction, energyRate: (lambda0 / 2).squareRoot())
            }
            let solver = try solverOptions.makeSolver(for: flow, state: spec.state)
            let outcome = try RunExecution.run(problem: built, flow: flow, solver: solver, times: times, lambdaMin: true,
                                               command: "lyapunov", outputPrefix: "\(output)/\(flow.name)")
            let trajectory = outcome.trajectory
            if let stop = trajectory.earlyStop { stops.append("\(flow.name): \(stop.description)") }
            guard !trajectory.rows.isEmpty else { continue }
            let bound: ((Double) -> Double)?
            let law: RateFit.Law
            let theory: (Double, String)?
            switch flow {
            case is GradientFlow:
                bound = { t in exp(-lambda0 * t) }
                law = .exponential
                theory = (lambda0, "002 Thm 1: λ0")
            case let hb as HeavyBallFlow:
                let a = hb.energyRate
                bound = { t in exp(-a * t) }
                law = .exponential
                theory = (a, "002 Lemma 3.3: α = √(λ0/2)")
            case let nag as NesterovFlow:
                bound = nil
                law = .power
                theory = (nag.energyExponent, "002 Thm 3: L = O(t^-α)")
            case let higher as HigherOrderMomentumFlow:
                law = .exponential
                if let errors = built.field as? FrozenKernelErrorModel,
                   let modal = try? ModalLyapunovEnergy(kernel: SymmetricEigensystem(errors.kernelMatrix), flow: higher) {
                    let mu = modal.decayRate
                    bound = { t in exp(-mu * t) }
                    theory = (mu, "constructed: per-mode Lyapunov equation AᵀP + PA = −I, μ = min 1/λmax(P)")
                } else {
                    // On the weights H(t) moves, so no modal energy: report the roots' rate on H(0).
                    bound = nil
                    let frozen = built.frozenSpectrum ?? built.initialSpectrum ?? built.limitSpectrum!
                    let rate = try LinearizedRate.exponentialLossRate(flow: higher, eigenvalues: frozen.eigenvalues)
                    theory = rate.map { ($0, "characteristic roots on H(0) (loss rate; no Lyapunov function on the weights)") }
                }
            default:
                bound = nil
                law = .exponential
                theory = nil
            }
            decay.add(run: flow.name, trajectory: trajectory, times: rowTimes, energyBound: bound)

            let fitColumn = flow is NesterovFlow ? "loss" : "energy"
            let fit = try? RateFit(times: trajectory.column("t") ?? [], losses: trajectory.column(fitColumn) ?? [], law: law)
            summary.rows.append([flow.name, (law == .power ? "L ~ t^-r" : "V ~ e^-rt"),
                                 fit.map { NumberFormat.short($0.rate, digits: 4) } ?? "-",
                                 theory.map { NumberFormat.short($0.0, digits: 4) } ?? "-", theory?.1 ?? "none in 002"])
            let width = spec.state == .network ? built.network?.width : nil
            for verdict in TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: lambda0,
                                                  sampleCount: built.field.sampleCount, width: width,
                                                  radiusConstant: lazyC, failureProbability: lazyDelta) {
                checks.rows.append([flow.name, verdict.name, verdict.source, verdict.summary])
            }
            if flow is HigherOrderMomentumFlow, bound != nil, let mu = theory?.0,
               let v0 = DecayTable.referenceEnergy(trajectory)?.value,
               let verdict = BoundCheck(name: "V(t) ≤ e^{-μt} V(0), μ = \(NumberFormat.short(mu, digits: 4))",
                                        source: "constructed modal Lyapunov function", column: "energy",
                                        fromTime: .leastNonzeroMagnitude, bound: { t in exp(-mu * t) * v0 }).evaluate(trajectory) {
                checks.rows.append([flow.name, verdict.name, verdict.source, verdict.summary])
            }
        }
        let frozen = built.frozenSpectrum ?? built.initialSpectrum ?? built.limitSpectrum!
        let methodSpecs = methods == "none" ? [] : try methods.split(separator: ",").map { try MethodSpecification(parsing: String($0)) }
        for methodSpec in methodSpecs {
            let (method, recipe) = try methodSpec.build(problem: built, flowParameters: FlowSpecification(kind: .heavyBall))
            let outcome = try RunExecution.run(problem: built, method: method, recipe: recipe, endTime: last, lambdaMin: true,
                                               command: "lyapunov", outputPrefix: "\(output)/\(method.name)")
            let trajectory = DiscreteChecks.addingResidualPairRatio(to: outcome.trajectory)
            if let stop = trajectory.earlyStop { stops.append("\(method.name): \(stop.description)") }
            guard !trajectory.rows.isEmpty else { continue }
            let tau = method.timePerStep
            let rowIterations = rowTimes.map { Int(($0 / tau).rounded()) }
            let iterations = trajectory.rows.count - 1
            let discreteChecks = try DiscreteChecks.checks(method: method, eigenvalues: frozen.eigenvalues, iterations: iterations)
            if let main = discreteChecks.first {
                decay.add(run: method.name, trajectory: trajectory, times: [], iterations: rowIterations,
                          energyColumn: "xi_norm_ratio", boundInIterations: true, energyBound: main.bound)
            } else if let rho = try LinearizedRate.spectralRadius(method: method, eigenvalues: frozen.eigenvalues) {
                decay.add(run: method.name, trajectory: trajectory, times: [], iterations: rowIterations,
                          energyColumn: "loss", boundInIterations: true, energyBound: { k in pow(rho, 2 * k) })
            } else {
                decay.add(run: method.name, trajectory: trajectory, times: [], iterations: rowIterations, energyBound: nil)
            }
            var methodChecks = discreteChecks
            if method is GradientDescent, let rho = try LinearizedRate.spectralRadius(method: method, eigenvalues: frozen.eigenvalues),
               let loss0 = trajectory.column("loss")?.first {
                methodChecks.append(BoundCheck(name: "L_k ≤ ρ^{2k} L_0, ρ = max|1 − ηλ| = \(NumberFormat.short(rho, digits: 5))",
                                               source: "GD on the frozen H(0) (linear regime)", column: "loss",
                                               timeColumn: "k") { k in pow(rho, 2 * k) * loss0 })
            }
            let rate = try? RateFit(times: trajectory.column("k") ?? [], losses: trajectory.column("loss") ?? [], law: .exponential)
            let rho = try LinearizedRate.spectralRadius(method: method, eigenvalues: frozen.eigenvalues)
            summary.rows.append([method.name, "L ~ e^-rk", rate.map { NumberFormat.short($0.rate, digits: 4) } ?? "-",
                                 rho.map { NumberFormat.short(-2 * log($0), digits: 4) } ?? "-",
                                 rho == nil ? "none" : "−2 ln ρ, ρ = spectral radius on H(0), per iteration"])
            for check in methodChecks {
                if let verdict = check.evaluate(trajectory) {
                    checks.rows.append([method.name, verdict.name, verdict.source, verdict.summary.replacingOccurrences(of: "t = ", with: "k = ")])
                }
            }
        }
        let header = "λ0 = \(NumberFormat.short(lambda0)); seed \(spec.seed); solver \(solverOptions.solver)"
        let decayText = decay.textTable
        print(header)
        print(decayText.render(), terminator: "")
        print("")
        print(summary.render(), terminator: "")
        print("")
        print(checks.render(), terminator: "")
        try AtomicFile.write("<!-- \(header) -->\n\n" + decayText.renderMarkdown() + "\n" + summary.renderMarkdown() + "\n" + checks.renderMarkdown(),
                             to: "\(output)/decay.md")
        try AtomicFile.write(decayText.renderCSV(), to: "\(output)/decay.csv")
        try AtomicFile.write(decayText.renderLaTeX(caption: header) + "\n" + summary.renderLaTeX(), to: "\(output)/decay.tex")
        try AtomicFile.write(checks.renderCSV(), to: "\(output)/checks.csv")
        print("wrote \(output)/decay.md, decay.csv, decay.tex, checks.csv and one CSV/JSON per run")
        if !stops.isEmpty { throw RunStopped(message: stops.joined(separator: "; ")) }
    }
}
