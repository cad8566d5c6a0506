import Foundation

/// The real data sets that ship with GradFlow (see Datasets/README.md for their sources,
/// transformations and licences), located in the package's resource bundle: nothing is
/// downloaded at run time.
public enum BundledDatasets {
    /// The names `--dataset` accepts, with one line each.
    public static let catalog: [(name: String, summary: String)] = [
        ("digits01", "handwritten digits 0 and 1 (UCI, via scikit-learn), n = 360, d = 64, rows of unit norm, labels ±1"),
        ("digits01-64", "the first 64 rows of digits01"),
        ("breast_cancer", "Wisconsin diagnostic breast cancer (UCI, via scikit-learn), n = 569, d = 30, standardized, rows of unit norm, labels ±1"),
    ]

    public static var names: [String] { catalog.map(\.name) }

    /// The path of a data set's CSV file, or nil for an unknown name or a missing bundle.
    public static func path(of name: String) -> String? {
        guard names.contains(name) else { return nil }
        return Bundle.module.url(forResource: name, withExtension: "csv")?.path
    }
}
