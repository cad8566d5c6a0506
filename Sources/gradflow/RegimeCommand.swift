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

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: "K of max_{k ≤ K} ‖M^k‖/ρ^k (at most \(RegimeCommand.iterationLimit)).")
    var maxIterations: Int = 10_000

    @Option(help: "Output directory: regime.md, regime.csv (full precision) and regime.json.")
    var output: String = "out/regime"

    /// The largest K: the transient scan costs O(K·n).
    static let iterationLimit = 10_000_000

    func validate() throws {
        guard maxIterations >= 1, maxIterations <= Self.iterationLimit else {
            throw ValidationError("--max-iterations: got \(maxIterations); need 1 ≤ K ≤ \(Self.iterationLimit)")
        }
    }

    /// One method's analysis, as numbers.
    struct Row: Codable {
        var method: String
        var eta: Double
        var beta: Double
        var kernel: String
        var spectralRadius: Double
        var spectralNorm: Double
        var transientConstant: Double
        var transientIteration: Int
        var theorem5Applies: Bool
        var printedC0: Double?
        var correctedC0: Double?
        var momentumScaledConstant: Double?
        var momentumScaledIteration: Int?
    }

    func run() throws {
        GSL.disableAbortOnError()
        // The analysis is on a frozen kernel: a file as given (no network, no Δ(0)), else the
        // error model's (H(0) by default).
        var spec = problem.specification()
        spec.model = FrozenKernelErrorModel.modelName
        let built: Problem
        if case .file(let path) = spec.kernel {
            let csv = try NumericCSV.read(path: path, name: .kernel(path))
            let h = DenseMatrix(rows: csv.rows.count, columns: csv.columnCount, elements: csv.rows.flatMap { $0 })
            built = Problem(specification: spec, model: try FrozenKernelErrorModel(kernel: h, source: path))
        } else {
            built = try spec.build()
        }
        let spectrum = built.frozenSpectrum!
        var analyses: [(text: String, iteration: LinearIteration)] = []
        for text in methods.listEntries() {
            let (method, _) = try MethodSpecification(commandLine: text)
                .build(problem: built, flowParameters: FlowSpecification(kind: .heavyBall))
            guard let iteration = method.residualPairIteration else {
                throw CommandLineInputError(message: "--methods: got \(text); the linear regime is computed for hb and nag")
            }
            // The transient constant divides by ρ(M)^k: refuse ρ = 0 or ∞ before any output.
            do {
                _ = try iteration.regime(eigenvalues: spectrum.eigenvalues).normalizingRate()
            } catch let error as InputError {
                throw CommandLineInputError(message: "--methods \(text): got \(error.parameter.key) = \(error.value); \(error.allowed)")
            }
            analyses.append((text, iteration))
        }
        var rows: [Row] = []
        for (text, iteration) in analyses {
            let regime = try iteration.regime(eigenvalues: spectrum.eigenvalues)
            let transient = regime.transientConstant(maxIterations: maxIterations)
            let applies = regime.method == .heavyBall && regime.theorem5Applies
            let betaScaled = applies ? regime.transientConstant(maxIterations: maxIterations, rate: regime.momentum.squareRoot()) : nil
            rows.append(Row(method: text, eta: regime.stepSize, beta: regime.momentum, kernel: spec.kernel.name,
                            spectralRadius: regime.spectralRadius, spectralNorm: regime.spectralNorm,
                            transientConstant: transient.value, transientIteration: transient.atIteration,
                            theorem5Applies: applies, printedC0: regime.theorem5C0(.printed),
                            correctedC0: regime.theorem5C0(.corrected), momentumScaledConstant: betaScaled?.value,
                            momentumScaledIteration: betaScaled?.atIteration))
        }
        var table = Table(header: ["method", "eta", "beta", "kernel", "ρ(M)", "‖M‖₂", "max ‖M^k‖/ρ^k (k)",
                                   "Thm 5 applies", "printed C0", "corrected C0", "max ‖M^k‖/β^{k/2}"])
        var precise = Table(header: ["method", "eta", "beta", "kernel", "spectral_radius", "spectral_norm", "transient_constant",
                                     "transient_iteration", "theorem5_applies", "printed_c0", "corrected_c0",
                                     "momentum_scaled_constant", "momentum_scaled_iteration"])
        for r in rows {
            table.rows.append([
                r.method, NumberFormat.short(r.eta, digits: 5), NumberFormat.short(r.beta, digits: 5), r.kernel,
                NumberFormat.short(r.spectralRadius, digits: 6), NumberFormat.short(r.spectralNorm, digits: 5),
                "\(NumberFormat.short(r.transientConstant, digits: 5)) (\(r.transientIteration))", r.theorem5Applies ? "yes" : "no",
                r.printedC0.map { NumberFormat.short($0, digits: 5) } ?? "-",
                r.correctedC0.map { NumberFormat.short($0, digits: 5) } ?? "-",
                r.momentumScaledConstant.map { "\(NumberFormat.short($0, digits: 5)) (\(r.momentumScaledIteration!))" } ?? "-",
            ])
            func n(_ x: Double?) -> String { x.map(NumberFormat.roundTrip) ?? "" }
            precise.rows.append([r.method, n(r.eta), n(r.beta), r.kernel, n(r.spectralRadius), n(r.spectralNorm),
                                 n(r.transientConstant), "\(r.transientIteration)", r.theorem5Applies ? "true" : "false",
                                 n(r.printedC0), n(r.correctedC0), n(r.momentumScaledConstant),
                                 r.momentumScaledIteration.map { "\($0)" } ?? ""])
        }
        print("kernel \(spec.kernel.name): n = \(spectrum.eigenvalues.count), λmin = \(NumberFormat.short(spectrum.lambdaMin)), λmax = \(NumberFormat.short(spectrum.lambdaMax)), κ = \(NumberFormat.short(spectrum.conditionNumber))")
        print(AlignedTextTableWriter().render(table), terminator: "")
        print("ρ(M): predicted contraction of ‖[ξ_k; ξ_k−1]‖ per iteration; ‖M‖₂ ≥ 1 always (000 Lemma 3 meant the spectral radius).")
        print("001 Thm 5 bounds ‖M^k v‖ ≤ C0 β^{k/2}‖v‖; its printed C0 is too small by √(2(1+β)) (corrected C0 in the next column).")
        let outputs = OutputSet()
        try outputs.add(.table(table, caption: nil), as: MarkdownTableWriter(), to: "\(output)/regime.md")
        try outputs.add(.table(precise, caption: nil), as: CSVTableWriter(), to: "\(output)/regime.csv")
        let record = RegimeRecord(kernel: spec.kernel.name, seed: spec.seed, maxIterations: maxIterations,
                                  lambdaMin: spectrum.lambdaMin, lambdaMax: spectrum.lambdaMax, methods: rows)
        try outputs.add(.json(try record.json()), as: JSONRecordWriter(), to: "\(output)/regime.json")
        try outputs.commit()
        print("wrote \(output)/regime.md, \(output)/regime.csv and \(output)/regime.json")
    }
}

/// regime.json: the kernel, the versions and every method's numbers in full precision.
struct RegimeRecord: Encodable {
    var kernel: String
    var seed: UInt64
    var maxIterations: Int
    var lambdaMin: Double
    var lambdaMax: Double
    var methods: [RegimeCommand.Row]
    var gradflow = ToolVersion.current
    var gsl = GSL.version

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
