import Foundation

// The only process-level code with raw pointers: a registry of temporary file names that a
// signal handler can unlink (async-signal-safe: no allocation, no Swift runtime calls).

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

    public static func register(_ path: String) {
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            used = max(used, i + 1)
            return
        }
    }

    public static func unregister(_ path: String) {
        for i in 0..<used {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
                return
            }
        }
    }

    /// Unlinks and unregisters.
    public static func remove(_ path: String) {
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
