import Foundation
import GradFlow

/// The files one command writes, staged in memory and written together at the end, each
/// atomically (temporary file, then rename). A command that fails while validating or
/// running writes nothing; one whose run diverged writes what it has (the samples kept).
public final class OutputSet {
    /// The files, in the order they were added: path and text.
    public private(set) var files: [(path: String, text: String)] = []

    public init() {}

    /// Adds `document` rendered by `writer` as `path`. Adding a path twice is an error: two
    /// runs would overwrite each other.
    public func add(_ document: Document, as writer: any DocumentWriter, to path: String) throws {
        guard !files.contains(where: { $0.path == path }) else {
            throw InputError("output file", value: path, allowed: "two outputs of this command would have the same name")
        }
        files.append((path, try writer.render(document)))
    }

    /// The paths, for messages.
    public var paths: [String] { files.map(\.path) }

    /// Writes every file.
    public func commit() throws {
        for file in files { try AtomicFile.write(file.text, to: file.path) }
    }
}
