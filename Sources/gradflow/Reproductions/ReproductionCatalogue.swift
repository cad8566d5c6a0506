import GradFlow

/// The 19 experiments of the five papers (figures and tables with numbers, and 000's θ(α)),
/// in the order of the catalogue (EXPERIMENTS.md): one entry each, runnable or with what it
/// needs.
enum ReproductionCatalogue {
    static let entries: [Reproduction] = [
        .paper000Theta,
        .paper000Figure2,
        .paper001Figure1,
        .paper001Figure2,
        .paper002Figure1,
        .paper002Figure2,
        .paper002Figure3,
        .paper002Figure4,
        .paper003Table1,
        .paper003Figure2,
        .paper003Figure3,
        .paper003Figure4,
        .paper003Figure5,
        .paper003Figure6,
        .paper004Table1,
        .paper004Figure2,
        .paper004Figure3,
        .paper004Figure1,
        .paper004Figure4,
    ]

    /// The entry with this ID (case-insensitive; "000-θ" is "000-theta").
    static func entry(named name: String) -> Reproduction? {
        let key = name.lowercased().replacingOccurrences(of: "θ", with: "theta")
        return entries.first { $0.id.lowercased() == key }
    }

    /// `reproduce --list`: one line per entry, then its sizes or what it needs.
    static func listing() -> String {
        let width = entries.map(\.id.count).max() ?? 0
        var out = ""
        for e in entries {
            let id = e.id.padding(toLength: width, withPad: " ", startingAt: 0)
            switch e.availability {
            case .available:
                out += "\(id)  available      \(e.title)\n"
                out += String(repeating: " ", count: width + 17) + "default: \(e.scales.standard); --full: \(e.scales.full)\n"
            case .notAvailable(let needs):
                out += "\(id)  not available  \(e.title)\n"
                out += String(repeating: " ", count: width + 17) + "needs \(needs)\n"
            }
        }
        return out
    }
}
