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
