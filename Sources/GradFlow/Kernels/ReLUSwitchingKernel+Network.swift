extension ReLUSwitchingKernel {
    /// The switching products of a network's data and output weights.
    convenience init(network: ReLUNetwork) {
        self.init(inputs: network.data.inputs, targets: network.data.targets, outputWeights: network.outputWeights)
    }
}
