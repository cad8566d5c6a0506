import Foundation
import GradFlow
import GradFlowExport

/// The finished runs of a command that was interrupted, kept so that a rerun resumes:
/// `OUTPUT/.gradflow-resume/<fingerprint>/<run>.json`, one solution per finished run, written
/// atomically when the run finishes. The fingerprint is a hash of the command line without the
/// options that do not change results (`--output`, `--jobs`, `--progress`, `--quiet`), so a
/// different command never reuses them. A command that finishes — or fails with an error —
/// removes the folder; one killed (kill -9, scancel) leaves it, and the next run of the same
/// command into the same directory reuses what was finished.
final class RunResume: @unchecked Sendable {
    let folder: String
    private let root: String
    private let lock = NSLock()
    private(set) var resumed: [String] = []

    /// The output directory, and whether it existed before this command.
    private let directory: String
    private let directoryExisted: Bool

    init(output directory: String, arguments: [String]) {
        self.directory = directory
        directoryExisted = FileManager.default.fileExists(atPath: directory)
        root = directory + "/.gradflow-resume"
        folder = root + "/" + RunResume.fingerprint(arguments)
    }

    /// Runs `body` with the kept runs of an interrupted invocation of this same command (its
    /// arguments from the process), and removes them when `body` returns or throws.
    static func resuming(output: String, _ body: (RunResume) throws -> Void) throws {
        let resume = RunResume(output: output, arguments: Array(CommandLine.arguments.dropFirst()))
        defer { resume.clear() }
        try body(resume)
    }

    /// FNV-1a 64 of the arguments that change results, in hex.
    static func fingerprint(_ arguments: [String]) -> String {
        var kept: [String] = []
        var skipNext = false
        for a in arguments {
            if skipNext { skipNext = false; continue }
            if ["--output", "--jobs"].contains(a) { skipNext = true; continue }
            if a.hasPrefix("--output=") || a.hasPrefix("--jobs=") || a == "--progress" || a == "--quiet" { continue }
            kept.append(a)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in kept.joined(separator: "\u{0}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private struct Record: Codable {
        var solution: Solution
        var wallSeconds: Double
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    private func path(_ run: String) -> String { folder + "/\(run).json" }

    /// A finished run of an earlier, interrupted invocation.
    func finished(_ run: String) -> (Solution, Double)? {
        guard let data = FileManager.default.contents(atPath: path(run)),
              let record = try? Self.decoder.decode(Record.self, from: data) else { return nil }
        lock.withLock { resumed.append(run) }
        return (record.solution, record.wallSeconds)
    }

    /// Keeps a finished run.
    func keep(_ run: String, _ result: (Solution, Double)) throws {
        let text = String(decoding: try Self.encoder.encode(Record(solution: result.0, wallSeconds: result.1)), as: UTF8.self)
        let outputs = OutputSet()
        try outputs.add(.json(text), as: JSONRecordWriter(), to: path(run))
        try lock.withLock { try outputs.commit() }
    }

    /// Removes the kept runs (the command finished, or failed with an error), and the output
    /// directory too when this command created it and left it empty.
    func clear() {
        try? FileManager.default.removeItem(atPath: root)
        if !directoryExisted, (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
