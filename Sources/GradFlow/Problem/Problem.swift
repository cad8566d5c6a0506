/// A built problem: the model a flow or method moves, and the specification it came from.
public struct Problem {
    public let specification: ProblemSpecification
    public let model: any Model

    public init(specification: ProblemSpecification, model: any Model) {
        self.specification = specification
        self.model = model
    }

    /// λ0 of the model's theory (λ_min(H^∞) for networks, 002 Fact 2.2).
    public var lambda0: Double { model.lambda0 }
    /// κ = λ_max/λ_min of the same matrix.
    public var conditionNumber: Double { model.conditionNumber }
    /// The network of network and error models built from one.
    public var network: ReLUNetwork? { model.reluNetwork }
    public var limitSpectrum: KernelSpectrum? { model.spectra.limit }
    public var initialSpectrum: KernelSpectrum? { model.spectra.initial }
    public var frozenSpectrum: KernelSpectrum? { model.spectra.frozen }
}
