/// What a run is trained on, as a user names it: synthetic or loaded data, a network
/// width and initialization, and for error runs the frozen kernel and Δ(0).
public struct ProblemSpecification: Sendable {
    /// The state the flows move.
    public enum StateKind: String, Sendable, CaseIterable {
        /// The first-layer weights W of the ReLU network (002 eqs. 3.3, 4.3).
        case network
        /// The errors Δ under a frozen kernel (002 eqs. 3.7, 4.4, linearized).
        case errors
    }

    /// The frozen kernel of error runs.
    public enum KernelChoice: Sendable, Equatable {
        /// H(0) = H(W(0)), the empirical NTK at initialization (002 eq. 2.6).
        case initial
        /// H^∞, the infinite-width limit (002 Fact 2.2).
        case limit
        /// An n×n matrix from a CSV file.
        case file(String)

        public init(parsing text: String) {
            switch text.lowercased() {
            case "h0", "initial": self = .initial
            case "hinf", "h-infinity", "limit": self = .limit
            default: self = .file(text)
            }
        }

        public var name: String {
            switch self {
            case .initial: return "H(0)"
            case .limit: return "H-infinity"
            case .file(let path): return path
            }
        }
    }

    public var state: StateKind = .network
    public var samples = 8
    public var dimension = 8
    public var labels: Dataset.LabelKind = .signs
    public var dataPath: String?
    public var width = 512
    public var weightsPath: String?
    public var outputWeightsPath: String?
    public var seed: UInt64 = 0
    public var kernel: KernelChoice = .initial
    public var initialErrorPath: String?

    public init() {}

    /// Builds the problem. Random draws: data first (if synthetic), then the network.
    public func build() throws -> Problem {
        let random = RandomSource(seed: seed)
        // Error runs given entirely by files (kernel and Δ(0)) need neither data nor network.
        let needsNetwork = state == .network || initialErrorPath == nil || kernel == .initial
        var network: ReLUNetwork?
        var data: Dataset?
        if needsNetwork || kernel == .limit {
            data = try dataPath.map { try Dataset.load(csvPath: $0) }
                ?? Dataset.synthetic(samples: samples, dimension: dimension, labels: labels, random: random)
        }
        if needsNetwork, let data {
            if weightsPath != nil || outputWeightsPath != nil {
                guard let w = weightsPath, let a = outputWeightsPath else {
                    throw InputError(.weightFiles, value: "only one of them",
                                     allowed: "give both W(0) and a to load a network, or neither")
                }
                network = try ReLUNetwork.load(data: data, weightsCSV: w, outputWeightsCSV: a)
            } else {
                guard width >= 1 else {
                    throw InputError(.width, value: "\(width)", allowed: "width must be a positive integer")
                }
                network = try ReLUNetwork.gaussian(data: data, width: width, random: random)
            }
        }
        let limitSpectrum = try data.map { try KernelSpectrum(NeuralTangentKernel.limit(inputs: $0.inputs)) }
        let initialKernel = network.map {
            NeuralTangentKernel.empirical(inputs: $0.data.inputs, weights: $0.initialWeights)
        }
        let initialSpectrum = try initialKernel.map { try KernelSpectrum($0) }

        switch state {
        case .network:
            let network = network!
            let field = ReLUWeightField(network: network)
            return Problem(specification: self, network: network, field: field,
                           initialPosition: network.initialWeights.elements,
                           limitSpectrum: limitSpectrum, initialSpectrum: initialSpectrum, frozenSpectrum: nil)
        case .errors:
            let h: DenseMatrix
            switch kernel {
            case .initial: h = initialKernel!
            case .limit: h = NeuralTangentKernel.limit(inputs: data!.inputs)
            case .file(let path):
                let csv = try NumericCSV.read(path: path, name: .kernel(path))
                h = DenseMatrix(rows: csv.rows.count, columns: csv.columnCount, elements: csv.rows.flatMap { $0 })
            }
            let field = try FrozenKernelErrorModel(kernel: h, source: kernel.name)
            let delta0: [Double]
            if let path = initialErrorPath {
                let csv = try NumericCSV.read(path: path, name: .initialError(path))
                guard csv.columnCount == 1 else {
                    throw InputError(.initialError(path), value: "\(csv.columnCount) columns",
                                     allowed: "Δ(0) is one column of n values")
                }
                delta0 = csv.rows.map { $0[0] }
            } else {
                let net = network!
                delta0 = ReLUWeightField(network: net).residual(at: net.initialWeights.elements)
            }
            guard delta0.count == h.rows else {
                let source = initialErrorPath.map { "--initial-error \($0)" } ?? "Δ(0) = f(W0) − y of the network"
                throw InputError(.kernel(kernel.name), value: "a \(h.rows)×\(h.columns) kernel",
                                 allowed: "it must be n×n with n = \(delta0.count), the length of \(source)")
            }
            return Problem(specification: self, network: network, field: field, initialPosition: delta0,
                           limitSpectrum: limitSpectrum, initialSpectrum: initialSpectrum,
                           frozenSpectrum: try KernelSpectrum(h))
        }
    }
}

extension ReLUWeightField {
    func residual(at weights: [Double]) -> [Double] {
        weights.withView { residual(at: $0) }
    }
}

/// A built problem: the field a flow moves on, its initial position and its spectra.
public struct Problem {
    public let specification: ProblemSpecification
    /// The network (absent for an error run given entirely by files).
    public let network: ReLUNetwork?
    public let field: any GradientField
    public let initialPosition: [Double]
    /// Spectrum of H^∞ (when there is data); λ0 = its λ_min.
    public let limitSpectrum: KernelSpectrum?
    /// Spectrum of H(0) (when there is a network).
    public let initialSpectrum: KernelSpectrum?
    /// Spectrum of the frozen kernel of an error run.
    public let frozenSpectrum: KernelSpectrum?

    /// λ0 = λ_min(H^∞) (002 Fact 2.2); for an error run given only by files, λ_min of its kernel.
    public var lambda0: Double { (limitSpectrum ?? frozenSpectrum)!.lambdaMin }
    /// κ = λ_max/λ_min of the same matrix.
    public var conditionNumber: Double { (limitSpectrum ?? frozenSpectrum)!.conditionNumber }
}
