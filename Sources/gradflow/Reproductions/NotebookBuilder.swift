import Foundation
import GradFlow

/// Makes the executed notebook of a reproduction: `python/make_notebook.py` writes its cells
/// (which read the data files), `jupyter nbconvert --to notebook --execute --inplace` runs
/// them, and the result is renamed into place, so a failure leaves no half-made notebook.
enum NotebookBuilder {
    /// The Python modules the notebooks need (pinned in python/requirements.txt).
    static let modules = ["nbformat", "nbconvert", "nbclient", "ipykernel", "matplotlib", "numpy"]

    /// The notebook script: in `GRADFLOW_ROOT/python`, else in the current directory or one of
    /// its parents, else beside the executable's package (.build/…/gradflow).
    static func script() -> String? {
        var roots: [URL] = []
        if let root = ProcessInfo.processInfo.environment["GRADFLOW_ROOT"] { roots.append(URL(fileURLWithPath: root)) }
        for start in [URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                      URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent()] {
            var d = start
            for _ in 0..<8 {
                roots.append(d)
                d = d.deletingLastPathComponent()
            }
        }
        return roots.map { $0.appendingPathComponent("python/make_notebook.py").path }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Checks, before any run, that the script exists and that Python has the modules;
    /// throws a one-line message naming python/setup-env otherwise.
    static func check() throws -> String {
        guard let script = script() else {
            throw CommandLineInputError(message: "--notebook: python/make_notebook.py not found (run from the GradFlow checkout or set GRADFLOW_ROOT); or pass --no-notebook")
        }
        let probe = "import " + modules.joined(separator: ", ")
        let result = try run(["python3", "-c", probe])
        guard result.status == 0 else {
            throw CommandLineInputError(message: "--notebook: python3 lacks \(modules.joined(separator: ", ")) (python/requirements.txt): run python/setup-env, or pass --no-notebook")
        }
        return script
    }

    /// Writes and executes the notebook of the data in `data` as `notebook`.
    static func make(script: String, data: String, notebook: String) throws {
        let target = URL(fileURLWithPath: notebook)
        let directory = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // nbconvert wants the .ipynb suffix; the leading dot keeps it out of listings.
        let temporary = directory.appendingPathComponent(".\(target.deletingPathExtension().lastPathComponent).\(getpid()).tmp.ipynb").path
        TemporaryFiles.register(temporary)
        defer { TemporaryFiles.remove(temporary) }
        let steps: [[String]] = [
            ["python3", script, "--data", data, "--output", temporary, "--final", notebook],
            ["jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace", "--log-level=ERROR",
             "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.record_timing=False", temporary],
        ]
        for step in steps {
            let result = try run(step)
            guard result.status == 0 else {
                let last = result.stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit status \(result.status)"
                throw CommandLineInputError(message: "--notebook: \(step[0] == "jupyter" ? "executing" : "writing") \(notebook) failed: \(last)")
            }
        }
        guard rename(temporary, notebook) == 0 else {
            throw CommandLineInputError(message: "--notebook: cannot move the notebook into place at \(notebook): \(String(cString: strerror(errno)))")
        }
        TemporaryFiles.unregister(temporary)
    }

    /// Runs a program found on PATH; its output goes to temporary files (no pipe can fill).
    private static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("gradflow-notebook-\(getpid())-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        do {
            try process.run()
        } catch {
            return (127, "cannot start \(arguments[0])")
        }
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
