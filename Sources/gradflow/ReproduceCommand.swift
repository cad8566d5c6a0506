import ArgumentParser
import Foundation
import GradFlow
import GradFlowExport

/// `gradflow reproduce ID`: runs one catalogued experiment of the papers, writes its data
/// and an executed notebook with the paper's figures and a "paper says / GradFlow measured"
/// table. `--list` lists the catalogue.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce a figure or table of the papers: runs, data files and an executed Jupyter notebook.")

    @Argument(help: "The experiment's ID (see --list).")
    var id: String?

    @Flag(help: "List the catalogued experiments: available ones with their sizes, the others with what they need.")
    var list = false

    @Flag(help: "Run the paper's sizes instead of the default scaled-down ones.")
    var full = false

    @Option(help: "Output directory of the data (default out/reproduce/ID).")
    var output: String?

    @Option(help: "The executed notebook (default notebooks-export/ID.ipynb).")
    var notebook: String?

    @Flag(name: .customLong("no-notebook"), help: "Write the data only (no Python needed).")
    var noNotebook = false

    @Flag(help: "Print the sizes and every gradflow compare command of the run (with --full, the paper's sizes), with their options checked, without running them; writes nothing.")
    var plan = false

    @Option(parsing: .unconditional, help: "Independent runs at once, on separate cores (default: the number of cores). The files are the same for every value.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs: got \(jobs); need at least 1") }
        if list {
            if let id { throw ValidationError("--list: got an ID (\(id)) as well; give --list alone or an ID") }
            if plan { throw ValidationError("--plan: got --list as well; --plan lists the commands of one ID") }
            return
        }
        _ = try reproduction()
        if let output {
            let name = output.split(separator: "/").last.map(String.init) ?? ""
            guard !output.isEmpty, !name.hasPrefix(".") || name == "." || name == ".." else {
                throw ValidationError("--output: got \"\(output)\"; a directory name not starting with '.'")
            }
        }
        if let notebook, !notebook.hasSuffix(".ipynb") || notebook.split(separator: "/").last == ".ipynb" {
            throw ValidationError("--notebook: got \"\(notebook)\"; a file name ending in .ipynb")
        }
    }

    /// The entry named by `id`, or a one-line error naming the input and the allowed IDs.
    private func reproduction() throws -> Reproduction {
        let allowed = ReproductionCatalogue.entries.map(\.id).joined(separator: ", ")
        guard let id else { throw ValidationError("reproduce: got no experiment ID; give one of \(allowed), or --list") }
        guard let entry = ReproductionCatalogue.entry(named: id) else {
            throw ValidationError("reproduce ID: got \"\(id)\"; allowed: \(allowed)")
        }
        if case .notAvailable(let needs) = entry.availability {
            let available = ReproductionCatalogue.entries.filter(\.isAvailable).map(\.id).joined(separator: ", ")
            throw ValidationError("reproduce ID: got \(entry.id), which is not available: needs \(needs); available: \(available)")
        }
        return entry
    }

    func run() throws {
        if list {
            print(ReproductionCatalogue.listing(), terminator: "")
            return
        }
        let entry = try reproduction()
        guard case .available(let body) = entry.availability else { return }
        GSL.disableAbortOnError()
        if plan {
            try printPlan(entry, body: body)
            return
        }
        // Python is checked before any run, so a missing module writes nothing.
        let script = noNotebook ? nil : try NotebookBuilder.check()
        let scale: Reproduction.Scale = full ? .full : .standard
        let directory = output ?? "out/reproduce/\(entry.id)"
        let command = (["gradflow", "reproduce", entry.id] + (full ? ["--full"] : [])).joined(separator: " ")
        print("reproduce \(entry.id) (\(scale.rawValue) scale): \(entry.title)")
        let recorder = ReproductionRecorder(reproduction: entry, scale: scale, output: directory, jobs: jobs, command: command)
        try body(scale, recorder)
        try recorder.commit()
        var table = Table(header: ["quantity", "paper", "measured", "verdict"])
        table.rows = recorder.claims.map { [$0.quantity, $0.paper, $0.measured, $0.verdict.rawValue] }
        print(AlignedTextTableWriter().render(table), terminator: "")
        print("wrote \(directory)/summary.csv, reproduction.json, series/ and runs/")
        if let script {
            let path = notebook ?? "notebooks-export/\(entry.id).ipynb"
            try NotebookBuilder.make(script: script, data: directory, notebook: path)
            print("wrote \(path) (executed)")
        }
    }

    /// `--plan`: the sizes and the commands, each checked; nothing runs at these sizes and
    /// nothing is written.
    private func printPlan(_ entry: Reproduction, body: Reproduction.Body) throws {
        let scale: Reproduction.Scale = full ? .full : .standard
        let directory = output ?? "out/reproduce/\(entry.id)"
        print("plan of reproduce \(entry.id) (\(scale.rawValue) scale): \(entry.title)")
        print("sizes: \(full ? entry.scales.full : entry.scales.standard)")
        let recorder = ReproductionRecorder(reproduction: entry, scale: scale, output: directory, jobs: jobs,
                                            command: "", planOnly: true)
        try body(scale, recorder)
        for (key, value) in recorder.parameters { print("parameter \(key): \(value)") }
        print("\(recorder.commands.count) compare commands" + (recorder.commands.isEmpty ? " (reproduce computes this one itself: a closed form, or data drawn from the seed)" : "")
              + "; options checked, nothing run or written")
    }
}
