/// A check that does not apply to a run, stated with the reason, so that the checks table
/// says "not applicable" rather than leaving the check out.
public struct NotApplicableCheck: SolutionCheck {
    public let name: String
    public let source: String
    /// Why the check does not apply.
    public let reason: String

    /// The reason of the network-only checks (lazy-training radii, width-dependent rates) on
    /// every other model (errors, quadratic, deep-linear, trained output layer, …).
    public static let withoutNeurons = "002 states it for the weights w_r of the two-layer ReLU network with a fixed output layer (--model network), which this run does not move"

    public init(name: String, source: String, reason: String) {
        self.name = name
        self.source = source
        self.reason = reason
    }

    public func evaluate(_ solution: Solution) -> CheckVerdict? {
        CheckVerdict(name: name, source: source, held: true, worstRatio: .nan, worstTime: .nan, firstFailureTime: nil,
                     firstFailureRatio: nil, sampleCount: 0, note: "not applicable: \(reason)", isApplicable: false)
    }
}
