import Foundation

/// The built `gradflow` executable that the command-line tests run: next to the test bundle
/// (`swift test` builds it there), else the debug build of the package.
func gradflowExecutable(file: String = #filePath) throws -> URL {
    let bundle = Bundle.main.bundleURL
    let packageRoot = URL(fileURLWithPath: file)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [
        bundle.appendingPathComponent("gradflow"),
        bundle.deletingLastPathComponent().appendingPathComponent("gradflow"),
        bundle.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("gradflow"),
        packageRoot.appendingPathComponent(".build/debug/gradflow"),
    ]
    for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return url
        }
    }
    throw GradFlowExecutableNotFound(searched: candidates.map(\.path))
}

struct GradFlowExecutableNotFound: Error, CustomStringConvertible {
    let searched: [String]
    var description: String {
        "gradflow executable not found (searched \(searched.joined(separator: ", "))); run `swift build` first"
    }
}

/// What one run of the binary did.
struct GradflowRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the run did not finish within its time limit and was terminated.
    var timedOut = false
    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
}

/// Runs `gradflow` with `arguments` in `directory`; stdout and stderr go to files there (not
/// pipes, so large outputs cannot block). With a `timeout`, a run still going after it is
/// terminated and reported as `timedOut`.
func runGradflow(_ arguments: [String], in directory: URL, timeout: Double? = nil) throws -> GradflowRun {
    let id = UUID().uuidString
    let outURL = directory.appendingPathComponent("stdout-\(id).txt")
    let errURL = directory.appendingPathComponent("stderr-\(id).txt")
    guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
          FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown)
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = try gradflowExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    var timedOut = false
    if let timeout {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            timedOut = true
        }
    }
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return GradflowRun(status: process.terminationStatus,
                       stdout: try String(contentsOf: outURL, encoding: .utf8),
                       stderr: try String(contentsOf: errURL, encoding: .utf8), timedOut: timedOut)
}
