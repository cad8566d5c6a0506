import GradFlow

/// One catalogued experiment of the papers (a figure or table with numbers), as
/// `gradflow reproduce ID` runs it: what the paper shows, the choices made where the paper is
/// silent or garbled, and either how to run it or what GradFlow lacks for it.
struct Reproduction: Sendable {
    /// How large a run is: `standard` fits 2 cores in well under a few minutes, `full` is the
    /// paper's sizes (where the paper gives them).
    enum Scale: String, Sendable {
        case standard = "default"
        case full
    }

    /// Runs the experiment at a scale into a recorder.
    typealias Body = @Sendable (Scale, ReproductionRecorder) throws -> Void

    enum Availability: Sendable {
        case available(Body)
        /// What is missing (a model, data, or out of scope).
        case notAvailable(needs: String)
    }

    /// The catalogue's identifier: paper, then `F<n>` (figure), `T<n>` (table) or `theta`.
    let id: String
    /// The paper's figure or table and what it plots.
    let title: String
    /// Where in the paper's text extraction (papers/NNN_*.txt) the setup and claims are.
    let source: String
    /// The sizes of the default and of the `--full` run, one line each.
    let scales: (standard: String, full: String)
    /// Choices made where the paper is silent or garbled, shown in the notebook.
    let choices: [String]
    let availability: Availability

    init(id: String, title: String, source: String, scales: (standard: String, full: String) = ("", ""),
         choices: [String] = [], availability: Availability) {
        self.id = id
        self.title = title
        self.source = source
        self.scales = scales
        self.choices = choices
        self.availability = availability
    }

    var isAvailable: Bool {
        if case .available = availability { return true }
        return false
    }
}
