import Foundation
import GradFlow
import GradFlowExport

/// A figure of a reproduction's notebook: the series it draws, each a CSV of this
/// reproduction (columns x, mean, min, max).
struct FigureSpecification: Codable {
    struct Series: Codable {
        enum Style: String, Codable {
            /// The mean as a line, the min–max over seeds as a shaded band.
            case band
            /// A theorem's bound or a reference slope: dashed, no band.
            case bound
            /// Points (x, mean) as markers, no line (a sample of data).
            case scatter
        }

        var label: String
        var file: String
        var style: Style
        /// Matplotlib's color cycle index ("C0", "C1", …), to draw a bound in its run's color.
        var color: Int?
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var xScale: String
    var yScale: String
    var series: [Series]
}

/// What the notebook is generated from (`reproduction.json`): the command and every
/// parameter, the choices, the figures, the table file and the disagreement, if any.
struct ReproductionManifest: Codable {
    var id: String
    var title: String
    var source: String
    var command: String
    var scale: String
    var parameters: [[String]]
    var choices: [String]
    /// The `gradflow compare` command that writes each group of runs under `runs/`.
    var commands: [String]
    var figures: [FigureSpecification]
    var summary: String
    /// Why GradFlow and the paper differ, when a row of the table disagrees.
    var disagreement: String?
    var versions: [String: String]
}

/// Runs a reproduction's problems with the library (`RunPlan`, as `compare` does), collects
/// its seed bands, figures and claims, and writes everything in one `OutputSet` commit at the
/// end: a failure before that writes nothing.
///
/// Files under `output`: `runs/<group>/<run>.csv|json` (the per-run samples, the same bytes as
/// the group's `gradflow compare` command writes), `series/<name>.csv` (x, mean, min, max),
/// `summary.csv` (the table) and `reproduction.json` (the manifest).
final class ReproductionRecorder {
    let reproduction: Reproduction
    let scale: Reproduction.Scale
    let output: String
    let jobs: Int
    /// The command line that made this, for the notebook.
    let command: String
    private let outputs = OutputSet()
    private(set) var parameters: [(String, String)] = []
    private(set) var commands: [String] = []
    private(set) var figures: [FigureSpecification] = []
    private(set) var claims: [Claim] = []
    /// Why a disagreeing row disagrees (from EXPERIMENTS' analysis), shown when one does.
    var disagreement: String?

    /// `reproduce --plan`: record, check and print each `compare` command without running it
    /// at its sizes (see `compare`); nothing is written.
    let planOnly: Bool

    init(reproduction: Reproduction, scale: Reproduction.Scale, output: String, jobs: Int, command: String, planOnly: Bool = false) {
        self.reproduction = reproduction
        self.scale = scale
        self.output = output
        self.jobs = jobs
        self.command = command
        self.planOnly = planOnly
    }

    /// Records a parameter of the reproduction (shown first in the notebook).
    func parameter(_ key: String, _ value: String) {
        parameters.append((key, value))
    }

    /// Runs the `gradflow compare` given by `arguments` (without `--output`) on one problem
    /// and stages its runs under `runs/<group>/`. `methods`, when given, makes the `--methods`
    /// list from the built problem (to give GD the η of an HB recipe, read from H(0)).
    /// Returns the runs by name.
    ///
    /// With `planOnly`, the command's options are parsed and checked (every flow and method
    /// entry included; a `methods` closure gets the built problem) and the command is printed;
    /// the runs are then those of a narrow stand-in (`standIn`), only so that the reproduction's
    /// later steps have results of the right shape to go on with: nothing runs at the
    /// command's sizes, and nothing is written.
    @discardableResult
    func compare(_ arguments: [String], group: String,
                 methods: ((Problem) throws -> String)? = nil) throws -> [String: RunResult] {
        var command = try CompareCommand.parse(arguments)
        var full = arguments
        let built: Problem
        if planOnly {
            if let methods {
                command.methods = try methods(try command.problem.specification().build())
                full += ["--methods", command.methods]
            }
            _ = try command.flowParameters.specifications(list: command.flows, option: "--flows")
            for entry in command.methods.listEntries() { _ = try MethodSpecification(commandLine: entry) }
            let line = (["gradflow", "compare"] + full + ["--output", "\(output)/runs/\(group)"]).map(Self.quoted).joined(separator: " ")
            commands.append(line)
            print("  " + line)
            command = try CompareCommand.parse(Self.standIn(full))
            built = try command.problem.specification().build()
        } else {
            built = try command.problem.specification().build()
            if let methods {
                command.methods = try methods(built)
                full += ["--methods", command.methods]
            }
            commands.append((["gradflow", "compare"] + full + ["--output", "\(output)/runs/\(group)"]).map(Self.quoted).joined(separator: " "))
        }
        let directory = "\(output)/runs/\(group)"
        command.solverOptions.applyThreads()
        var plan = RunPlan(command: "compare", problem: built, sampleTimes: try command.solverOptions.sampleTimes())
        plan.iterations = command.iterations
        try plan.addFlows(try command.flowParameters.specifications(list: command.flows, option: "--flows"),
                          solverOptions: command.solverOptions)
        try plan.addMethods(command.methods.listEntries(), flowParameters: command.flowParameters)
        let results = try plan.executeAll(lambdaMin: false, prefix: { "\(directory)/\($0.name)" }, outputs: planOnly ? OutputSet() : outputs,
                                          jobs: jobs, progress: nil)
        if !planOnly { print("  \(group): \(results.map(\.run.name).joined(separator: ", "))") }
        return Dictionary(uniqueKeysWithValues: results.map { ($0.run.name, $0) })
    }

    /// A `compare` command's small stand-in for `--plan`: at most 8 neurons (`--width`), 40
    /// samples, 3 layers (deep-linear's `layers`) and 40 test samples (margin-cnn's `test`,
    /// default 2000); the rest (data files, flows, methods, iterations, times) as
    /// given, so that the results have the shape the reproduction reads.
    static func standIn(_ arguments: [String]) -> [String] {
        let caps = ["--width": 8, "--samples": 40]
        let modelCaps = ["layers": 3, "test": 40]
        var out = arguments
        for k in out.indices.dropLast() {
            if let cap = caps[out[k]], let value = Int(out[k + 1]), value > cap { out[k + 1] = "\(cap)" }
            if out[k] == "--model", let syntax = try? KeyValueSyntax(out[k + 1], input: "--model") {
                var options = syntax.options
                if syntax.name == "margin-cnn", options["test"] == nil { options["test"] = "2000" }
                for (key, cap) in modelCaps {
                    if let value = options[key].flatMap({ Int($0) }), value > cap { options[key] = "\(cap)" }
                }
                out[k + 1] = ([syntax.name] + options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: ":")
            }
        }
        return out
    }

    /// Stages `series/<name>.csv` with columns x, mean, min, max and returns its path
    /// relative to the output directory.
    @discardableResult
    func series(_ name: String, x: [Double], band: SeedBand, description: String) throws -> String {
        let file = "series/\(name).csv"
        let columns: [Observable] = ["x", "mean", "min", "max"]
        var solution = Solution(columns: columns)
        for j in 0..<min(x.count, band.mean.count) {
            solution.rows.append([x[j], band.mean[j], band.minimum[j], band.maximum[j]])
        }
        let metadata: [(String, String)] = [
            ("gradflow", ToolVersion.current), ("gsl", GSL.version), ("reproduction", reproduction.id),
            ("scale", scale.rawValue), ("series", name), ("seeds", "\(band.count)"), ("description", description),
        ]
        try outputs.add(.samples(solution, metadata: metadata), as: CSVTableWriter(), to: "\(output)/\(file)")
        return file
    }

    /// Adds a figure of the notebook.
    func figure(_ title: String, x: String, y: String, xScale: String = "linear", yScale: String = "log",
                series: [FigureSpecification.Series]) {
        figures.append(FigureSpecification(title: title, xLabel: x, yLabel: y, xScale: xScale, yScale: yScale, series: series))
    }

    /// Adds a row of the table.
    func claim(_ quantity: String, paper: String, measured: String, value: Double?, verdict: Claim.Verdict) {
        claims.append(Claim(quantity: quantity, paper: paper, measured: measured, value: value, verdict: verdict))
    }

    /// Stages the table and the manifest, then writes every file.
    func commit() throws {
        let versions = ["gradflow": ToolVersion.current, "gsl": GSL.version, "openblas": BLASThreads.configuration]
        var table = Table(header: ["quantity", "paper", "measured", "value", "verdict"])
        for c in claims {
            table.rows.append([c.quantity, c.paper, c.measured, c.value.map(NumberFormat.roundTrip) ?? "", c.verdict.rawValue])
        }
        let metadata: [(String, String)] = [("gradflow", ToolVersion.current), ("gsl", GSL.version),
                                            ("reproduction", reproduction.id), ("command", command), ("scale", scale.rawValue)]
            + parameters
        try outputs.add(.annotatedTable(table, metadata: metadata), as: CSVTableWriter(), to: "\(output)/summary.csv")
        let manifest = ReproductionManifest(
            id: reproduction.id, title: reproduction.title, source: reproduction.source, command: command, scale: scale.rawValue,
            parameters: parameters.map { [$0.0, $0.1] }, choices: reproduction.choices, commands: commands, figures: figures,
            summary: "summary.csv", disagreement: claims.contains { $0.verdict == .disagrees } ? disagreement : nil,
            versions: versions)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let text = String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n"
        try outputs.add(.json(text), as: JSONRecordWriter(), to: "\(output)/reproduction.json")
        try outputs.commit()
    }

    /// A shell word: quoted when it holds characters the shell would interpret.
    static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_=.,:/+".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
