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

/// The temporary files of this process, as C strings a signal handler can unlink.
public enum TemporaryFiles {
    /// At most this many temporary files exist at once (one per staged output file).
    static let capacity = 65_536
    /// Slot i holds a malloc'ed path or nil. Written only by the main thread; the signal
    /// handler only reads it, and `unlink` of a path being unregistered is harmless.
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    nonisolated(unsafe) static var used = 0

    static func register(_ path: String) {
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            used = max(used, i + 1)
            return
        }
    }

    static func unregister(_ path: String) {
        for i in 0..<used {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
                return
            }
        }
    }

    /// Unlinks and unregisters.
    static func remove(_ path: String) {
        unlink(path)
        unregister(path)
    }

    /// Removes every registered temporary file (on failure of a commit, or on a signal).
    public static func removeAll() {
        for i in 0..<used {
            if let p = slots[i] {
                unlink(p)
                slots[i] = nil
                free(p)
            }
        }
    }

    /// On SIGINT, SIGTERM and SIGHUP: unlink every temporary file, then die of the signal
    /// with its default action (so the exit status still says which signal).
    public static func installSignalHandlers() {
        _ = slots  // initialize the storage now, not inside the handler
        let handler: @convention(c) (Int32) -> Void = { signal in
            let count = TemporaryFiles.used
            for i in 0..<count {
                if let p = TemporaryFiles.slots[i] { unlink(p) }
            }
            Foundation.signal(signal, SIG_DFL)
            raise(signal)
        }
        for s in [SIGINT, SIGTERM, SIGHUP] { _ = signal(s, handler) }
    }

    /// Removes `.NAME.PID.tmp` files in `directory` left by processes that no longer exist
    /// (killed by SIGKILL during a write). Files of live processes, this one included, stay.
    public static func removeStale(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 3, let pid = Int32(parts.last!), pid > 0 else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                unlink((directory as NSString).appendingPathComponent(name))
            }
        }
    }
}
