import GradFlow
import Foundation

/// Writes a whole file or nothing: the text goes to a temporary file beside the target,
/// `.NAME.PID.tmp` (NAME shortened when the whole would pass the 255-byte limit of a file
/// name), which is then renamed over it, so a failed run never leaves a half-written output.
///
/// Temporary files are registered in `TemporaryFiles` while they exist, so that SIGINT,
/// SIGTERM and SIGHUP remove them (`TemporaryFiles.installSignalHandlers`); those of a run
/// killed by SIGKILL are removed by the next run that writes into the same directory
/// (`TemporaryFiles.removeStale(in:)`).
public enum AtomicFile {
    /// The longest file name (bytes) of Linux and macOS file systems.
    public static let maximumNameBytes = 255

    public static func write(_ text: String, to path: String) throws {
        var created: [URL] = []
        let directory = try prepareDirectory(of: path, created: &created)
        TemporaryFiles.removeStale(in: directory.path)
        let temporary = try writeTemporary(text, for: path)
        try moveIntoPlace(temporary, path)
    }

    /// The directory of `path`, created (with its missing parents, appended to `created`
    /// outermost first) when missing.
    static func prepareDirectory(of path: String, created: inout [URL]) throws -> URL {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw InputError("output directory", value: directory.path, allowed: "must be a directory")
            }
            return directory
        }
        var missing: [URL] = []
        var d = directory
        while !FileManager.default.fileExists(atPath: d.path), d.path != "/" {
            missing.insert(d, at: 0)
            d = d.deletingLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            for m in missing.reversed() { rmdir(m.path) }
            throw InputError("output directory", value: directory.path, allowed: "it must exist or be creatable")
        }
        created += missing
        return directory
    }

    nonisolated(unsafe) private static var shortened = 0

    /// `.NAME.PID.tmp` beside `path`; when that passes `maximumNameBytes`, NAME is cut (at a
    /// character boundary) and made unique with `~K`, K counting such names in this process.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let suffix = ".\(getpid()).tmp"
        var name = url.lastPathComponent
        if 1 + name.utf8.count + suffix.utf8.count > maximumNameBytes {
            shortened += 1
            let mark = "~\(shortened)"
            while 1 + name.utf8.count + mark.utf8.count + suffix.utf8.count > maximumNameBytes { name.removeLast() }
            name += mark
        }
        return url.deletingLastPathComponent().appendingPathComponent("." + name + suffix).path
    }

    /// Writes `text` to the temporary file of `path` (registered for signal cleanup) and
    /// returns its path; removes it and throws when the write fails (a full disk).
    static func writeTemporary(_ text: String, for path: String) throws -> String {
        let temporary = temporaryPath(for: path)
        TemporaryFiles.register(temporary)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            TemporaryFiles.remove(temporary)
            throw InputError("output file", value: path, allowed: "it must be writable (\(error.localizedDescription))")
        }
        return temporary
    }

    /// Renames the temporary file over `path`; removes it and throws when that fails.
    static func moveIntoPlace(_ temporary: String, _ path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            TemporaryFiles.remove(temporary)
            throw InputError("output file", value: path, allowed: "renaming the finished file into place failed (\(reason))")
        }
        TemporaryFiles.unregister(temporary)
    }
}
