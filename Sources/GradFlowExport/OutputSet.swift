import Foundation
import GradFlow

/// The files one command writes, staged in memory and written together at the end. A
/// command that fails while validating or running writes nothing; one whose run diverged
/// writes what it has (the samples kept).
///
/// `commit` writes in two phases: every file to its temporary file first, then every
/// rename. A failure in the first phase (a full disk, a name too long) removes every
/// temporary file and every directory this commit created, so the output location is left as
/// it was found. Stale temporary files of earlier killed runs in the same directories are
/// removed first.
public final class OutputSet {
    /// The files, in the order they were added: path and text.
    public private(set) var files: [(path: String, text: String)] = []

    public init() {}

    /// Adds `document` rendered by `writer` as `path`. Adding a path twice is an error: two
    /// runs would overwrite each other. A file name longer than the file system allows is
    /// refused now, before any file is written.
    public func add(_ document: Document, as writer: any DocumentWriter, to path: String) throws {
        guard !files.contains(where: { $0.path == path }) else {
            throw InputError("output file", value: path, allowed: "two outputs of this command would have the same name")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard name.utf8.count <= AtomicFile.maximumNameBytes else {
            throw InputError("output file", value: "a name of \(name.utf8.count) bytes (\(name.prefix(24))…)",
                             allowed: "file names have at most \(AtomicFile.maximumNameBytes) bytes")
        }
        files.append((path, try writer.render(document)))
    }

    /// The paths, for messages.
    public var paths: [String] { files.map(\.path) }

    /// Writes every file (see the type's documentation).
    public func commit() throws {
        var created: [URL] = []
        var temporaries: [(temporary: String, path: String)] = []
        func undo() {
            for t in temporaries { TemporaryFiles.remove(t.temporary) }
            for d in created.reversed() { rmdir(d.path) }
        }
        do {
            var cleaned = Set<String>()
            for file in files {
                let directory = try AtomicFile.prepareDirectory(of: file.path, created: &created).path
                if cleaned.insert(directory).inserted { TemporaryFiles.removeStale(in: directory) }
                temporaries.append((try AtomicFile.writeTemporary(file.text, for: file.path), file.path))
            }
        } catch {
            undo()
            throw error
        }
        var renamed: [String] = []
        for (k, t) in temporaries.enumerated() {
            let existed = FileManager.default.fileExists(atPath: t.path)
            do {
                try AtomicFile.moveIntoPlace(t.temporary, t.path)
            } catch {
                // Remove the rest, and the files this commit added (an overwritten file
                // cannot be restored).
                for rest in temporaries[(k + 1)...] { TemporaryFiles.remove(rest.temporary) }
                for path in renamed { unlink(path) }
                for d in created.reversed() { rmdir(d.path) }
                throw error
            }
            if !existed { renamed.append(t.path) }
        }
    }
}
