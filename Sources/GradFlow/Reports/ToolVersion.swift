/// The version of GradFlow, recorded in every output.
public enum ToolVersion {
    public static let current = "0.1.0"
}
