extension Observable {
    /// The fraction of training samples with y f > 0.
    public static let trainAccuracy: Observable = "train_accuracy"
    /// The accuracy on held-out large-margin samples of 004's data (D) (Fig. 3(b)).
    public static let testAccuracyLarge: Observable = "test_accuracy_large"
    /// The accuracy on held-out small-margin samples (Fig. 3(c)): where 004 says GD+M beats GD.
    public static let testAccuracySmall: Observable = "test_accuracy_small"
}

/// The accuracies of 004's margin CNN at every sample: training, and held-out large- and
/// small-margin (1 − the 0-1 test error of 004 eq. TE).
public struct MarginAccuracyMonitor: Monitor {
    public let model: MarginPatchCNN

    public init(model: MarginPatchCNN) { self.model = model }

    public var columns: [Observable] { [.trainAccuracy, .testAccuracyLarge, .testAccuracySmall] }

    public func measure(_ s: StateSnapshot) -> [Double] {
        let a = model.accuracies(at: s.position)
        return [a.train, a.testLarge, a.testSmall]
    }
}
