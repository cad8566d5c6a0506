/// Weight-run columns: `max_weight_distance` = max_r ‖w_r(t) − w_r(0)‖ (002 Lemma 3.3) and
/// `pattern_change_ratio` = (1/(mn)) Σ_i Σ_r 1[activation of (i, r) changed] (003 §5).
public struct LazyTrainingMonitor: Monitor {
    public let field: ReLUWeightField

    public init(field: ReLUWeightField) { self.field = field }

    public var columns: [Observable] { [.maxWeightDistance, .patternChangeRatio] }

    public func measure(_ s: StateSnapshot) -> [Double] {
        [field.maxWeightDistance(at: s.position), field.patternChangeRatio(at: s.position)]
    }
}
