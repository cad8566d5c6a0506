import GradFlow
import Foundation

/// Writes a whole file or nothing: the text goes to a temporary file beside the target,
/// which is then renamed over it, so a failed run never leaves a half-written output.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw InputError("output directory", value: directory.path, allowed: "it must exist or be creatable")
            }
        } else if !isDirectory.boolValue {
            throw InputError("output directory", value: directory.path, allowed: "must be a directory")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw InputError("output file", value: path, allowed: "it must be writable (\(error.localizedDescription))")
        }
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw InputError("output file", value: path, allowed: "renaming the finished file into place failed")
        }
    }
}
