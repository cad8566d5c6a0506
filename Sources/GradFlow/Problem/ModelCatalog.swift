/// Every model GradFlow offers, in the order `--model` lists them. A new model is its own
/// file plus one line here.
public enum ModelCatalog {
    public static var builders: [any ModelBuilder.Type] {
        [
            ReLUWeightField.self,
            TrainedOutputNetwork.self,
            PiecewiseLinearNetwork.self,
            FrozenKernelErrorModel.self,
            QuadraticModel.self,
            DeepLinearNetwork.self,
            MarginPatchCNN.self,
        ]
    }

    /// The names, for help and messages.
    public static var names: [String] { builders.map { $0.modelName } }
}
