import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

struct RegimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regime",
        abstract: "Linear-regime analysis of heavy ball and NAG on a kernel: spectral radius, transient constant, 001's C0.")

    @OptionGroup var problem: ProblemOptions

    @Option(help: "Comma-separated methods NAME[:key=value]... (hb, nag, with eta/beta or recipe=...).")
    var methods: String = "hb:recipe=003-hb,nag:recipe=003-nag,hb:recipe=001-experiment"

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: "K of max_{k ≤ K} ‖M^k‖/ρ^k.")
    var maxIterations: Int = 10_000

    @Option(help: "Output directory: regime.md and regime.csv.")
    var output: String = "out/regime"

    func run() throws {
        GSL.disableAbortOnError()
        guard maxIterations >= 1 else {
            throw InputError("--max-iterations", value: "\(maxIterations)", allowed: "need K ≥ 1")
        }
        var spec = try problem.specification()
        // The analysis is on a frozen kernel: the error model's (H(0) by default).
        spec.state = .errors
        let built = try spec.build()
        let spectrum = built.frozenSpectrum!
        var table = Table(header: ["method", "eta", "beta", "kernel", "ρ(M)", "‖M‖₂", "max ‖M^k‖/ρ^k (k)",
                                       "Thm 5 applies", "printed C0", "corrected C0", "max ‖M^k‖/β^{k/2}"])
        for text in methods.split(separator: ",") {
            let methodSpec = try MethodSpecification(parsing: String(text))
            let (method, _) = try methodSpec.build(problem: built, flowParameters: FlowSpecification(kind: .heavyBall))
            let regime: LinearRegime
            switch method {
            case let hb as PolyakHeavyBall:
                regime = try LinearRegime(eigenvalues: spectrum.eigenvalues, stepSize: hb.stepSize, momentum: hb.momentum, method: .heavyBall)
            case let nag as NesterovConstantMomentum:
                regime = try LinearRegime(eigenvalues: spectrum.eigenvalues, stepSize: nag.stepSize, momentum: nag.momentum, method: .nesterov)
            default:
                throw InputError("--methods", value: String(text), allowed: "the linear regime is computed for hb and nag")
            }
            let transient = regime.transientConstant(maxIterations: maxIterations)
            let applies = regime.method == .heavyBall && regime.theorem5Applies
            let betaScaled = applies ? regime.transientConstant(maxIterations: maxIterations, rate: regime.momentum.squareRoot()) : nil
            table.rows.append([
                String(text), NumberFormat.short(regime.stepSize, digits: 5), NumberFormat.short(regime.momentum, digits: 5),
                spec.kernel.name, NumberFormat.short(regime.spectralRadius, digits: 6), NumberFormat.short(regime.spectralNorm, digits: 5),
                "\(NumberFormat.short(transient.value, digits: 5)) (\(transient.atIteration))", applies ? "yes" : "no",
                regime.theorem5C0(.printed).map { NumberFormat.short($0, digits: 5) } ?? "-",
                regime.theorem5C0(.corrected).map { NumberFormat.short($0, digits: 5) } ?? "-",
                betaScaled.map { "\(NumberFormat.short($0.value, digits: 5)) (\($0.atIteration))" } ?? "-",
            ])
        }
        print("kernel \(spec.kernel.name): n = \(spectrum.eigenvalues.count), λmin = \(NumberFormat.short(spectrum.lambdaMin)), λmax = \(NumberFormat.short(spectrum.lambdaMax)), κ = \(NumberFormat.short(spectrum.conditionNumber))")
        print(table.render(), terminator: "")
        print("ρ(M): predicted contraction of ‖[ξ_k; ξ_k−1]‖ per iteration; ‖M‖₂ ≥ 1 always (000 Lemma 3 meant the spectral radius).")
        print("001 Thm 5 bounds ‖M^k v‖ ≤ C0 β^{k/2}‖v‖; its printed C0 is too small by √(2(1+β)) (corrected C0 in the next column).")
        try AtomicFile.write(table.renderMarkdown(), to: "\(output)/regime.md")
        try AtomicFile.write(table.renderCSV(), to: "\(output)/regime.csv")
        print("wrote \(output)/regime.md and \(output)/regime.csv")
    }
}
