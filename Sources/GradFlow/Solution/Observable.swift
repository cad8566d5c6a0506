/// A quantity recorded at every sample of a solution: a typed key whose raw value is its
/// column name in the outputs.
public struct Observable: Hashable, Sendable, Codable, RawRepresentable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    /// t, the time (continuous runs, and the time axis of discrete runs).
    public static let time: Observable = "t"
    /// k, the iteration of a discrete run.
    public static let iteration: Observable = "k"
    /// L = ½‖Δ‖².
    public static let loss: Observable = "loss"
    /// L̂ = ½ΔᵀHΔ.
    public static let pseudoLoss: Observable = "pseudo_loss"
    /// ‖ẋ‖.
    public static let velocityNorm: Observable = "velocity_norm"
    /// The flow's Lyapunov energy.
    public static let energy: Observable = "energy"
    /// Nesterov's ℰ = Φ + ½‖ẋ‖².
    public static let mechanicalEnergy: Observable = "mechanical_energy"
    /// max_r ‖w_r(t) − w_r(0)‖.
    public static let maxWeightDistance: Observable = "max_weight_distance"
    /// Fraction of activation indicators changed since t = 0.
    public static let patternChangeRatio: Observable = "pattern_change_ratio"
    /// λ_min of the kernel at the sample.
    public static let lambdaMin: Observable = "lambda_min"
    /// Cumulative activation switches.
    public static let switchingEvents: Observable = "switching_events"
    /// Pairs sliding on a switching surface at the sample.
    public static let slidingPairs: Observable = "sliding_pairs"
    /// ‖[ξ_k; ξ_{k−1}]‖ of a discrete run.
    public static let residualPairNorm: Observable = "xi_norm"
    /// ‖[ξ_k; ξ_{k−1}]‖/‖[ξ_0; ξ_{−1}]‖ of a discrete run.
    public static let residualPairRatio: Observable = "xi_norm_ratio"
}
