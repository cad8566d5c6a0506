/// The linearized error dynamics of 002 with the kernel frozen (H(0), H^∞ or a given H):
/// the state is Δ itself, Φ(Δ) = L̂ = ½ΔᵀHΔ and ∇Φ = HΔ (002 eqs. 2.4, 3.7, 4.5).
///
/// As a `Model` ("errors"): the state is Δ; λ0 and κ come from H^∞ when there is data,
/// else from the frozen kernel. It supports GSL (every stepper, with the exact Jacobian)
/// and the exact modal solution. Built from a network, it also freezes Newton flow's
/// P(W0) = Σ_r J_r J_r^+ (002 §5.2), computed on first use.
public final class FrozenKernelErrorModel: Model {
    /// The frozen kernel H (n×n, symmetric).
    public let kernelMatrix: DenseMatrix
    /// Where H came from ("H(0)", "H-infinity", a file path).
    public let kernelSource: String
    private let h: DoubleBuffer

    /// Δ(0).
    public let initialPosition: [Double]
    public let spectra: ModelSpectra
    public let summary: ModelSummary
    /// H's eigensystem, for the exact solver.
    private let eigensystem: SymmetricEigensystem
    /// The network Δ(0) and P(W0) come from, when there is one.
    private let network: ReLUNetwork?

    /// The error model with kernel H, started at Δ(0) (default: zero, for tests of the field
    /// alone). `spectra` adds H^∞ and H(0) when the model comes from a network; `summary`
    /// what the outputs record.
    /// `network`, when given, is the network at W0 whose P(W0) Newton flow freezes.
    public init(kernel: DenseMatrix, source: String, initialResidual: [Double]? = nil,
                spectra: ModelSpectra = ModelSpectra(), summary: ModelSummary? = nil, network: ReLUNetwork? = nil) throws {
        self.network = network
        guard kernel.isSquare, kernel.rows > 0 else {
            throw InputError("kernel \(source)", value: "\(kernel.rows)x\(kernel.columns)",
                             allowed: "the kernel must be a non-empty square n×n matrix")
        }
        guard kernel.elements.allSatisfy(\.isFinite) else {
            throw InputError("kernel \(source)", value: "NaN or Inf", allowed: "all entries must be finite")
        }
        guard kernel.asymmetry <= 1e-10 else {
            throw InputError("kernel \(source)", value: "asymmetry \(kernel.asymmetry)",
                             allowed: "the kernel must be symmetric to 1e-10 relative")
        }
        kernelMatrix = kernel
        kernelSource = source
        h = DoubleBuffer(kernel.elements)
        let delta0 = initialResidual ?? [Double](repeating: 0, count: kernel.rows)
        guard delta0.count == kernel.rows else {
            throw InputError(.kernel(source), value: "a \(kernel.rows)×\(kernel.columns) kernel",
                             allowed: "it must be n×n with n = \(delta0.count), the length of Δ(0)")
        }
        initialPosition = delta0
        eigensystem = try SymmetricEigensystem(kernel)
        // A kernel is a Gram matrix: positive semi-definite. With a negative eigenvalue the
        // "loss" ½ΔᵀHΔ is unbounded below and the flows run off to infinity (or the default
        // friction √(2λ0) is NaN). Eigenvalues are computed to about n·ε·λmax, so −1e-10·λmax
        // is rounding; anything below is a real negative direction.
        let lambdaMax = eigensystem.values.last ?? 0
        guard lambdaMax > 0 else {
            throw InputError(.kernel(source), value: "λmax = \(lambdaMax)",
                             allowed: "the kernel must be positive semi-definite and nonzero")
        }
        guard eigensystem.minimum >= -1e-10 * lambdaMax else {
            throw InputError(.kernel(source), value: "λmin = \(NumberFormat.short(eigensystem.minimum)) (λmax = \(NumberFormat.short(lambdaMax)))",
                             allowed: "the kernel must be positive semi-definite (λmin ≥ −1e-10·λmax): an indefinite or negative kernel has a loss unbounded below")
        }
        var all = spectra
        all.frozen = try KernelSpectrum(kernel)
        self.spectra = all
        self.summary = summary ?? ModelSummary(samples: kernel.rows, data: "none (error model from files)", kernel: source)
    }

    public var name: String { "errors" }

    public var dimension: Int { kernelMatrix.rows }
    public var sampleCount: Int { kernelMatrix.rows }
    public var constantHessian: DenseMatrix? { kernelMatrix }

    public func gradient(at x: VectorView, into gradient: MutableVectorView) {
        BLAS.multiply(h, rows: dimension, columns: dimension, x, into: gradient)
    }

    public func residual(at x: VectorView) -> [Double] { x.array }

    public func residualRate(at x: VectorView, velocity: VectorView) -> [Double] { velocity.array }

    public func kernel(at x: VectorView) -> DenseMatrix { kernelMatrix }

    /// ∇L̂ = HΔ: affine with minimizer 0.
    public var affineGradient: (kernel: SymmetricEigensystem, minimizer: [Double])? {
        (eigensystem, [Double](repeating: 0, count: dimension))
    }

    /// Loss and energies (with the constructed modal energy for flows that have none) and,
    /// on request, λ_min of the frozen kernel.
    public func monitors(flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor] {
        var monitors: [any Monitor] = [LossMonitor(flow: flow, modalEnergy: flow.constructedEnergy(frozenKernel: eigensystem))]
        if lambdaMin { monitors.append(KernelSpectrumMonitor()) }
        return monitors
    }

    /// Newton flow on the errors (002 §5.2): Δ̇ = −P(W0)Δ, P(W0) = Σ_r J_r J_r^+ of the network
    /// at W0; nil without a network.
    public private(set) lazy var newtonKernel: (kernel: SymmetricEigensystem, minimizer: [Double])? = {
        guard let network else { return nil }
        let blocks = NeuronGaussNewtonBlocks(network: network)
        guard let p = network.initialWeights.elements.withView({ try? blocks.newtonKernel(weights: $0) }),
              let system = try? SymmetricEigensystem(p) else { return nil }
        return (system, [Double](repeating: 0, count: dimension))
    }()

    public var supportedSolvers: Set<SolverKind> { [.gsl, .exact] }
    public func automaticSolver(for flow: any ContinuousFlow) -> SolverKind { .gsl }

    public func potential(at x: VectorView) -> Double { pseudoLoss(at: x) }

    public func pseudoLoss(at x: VectorView) -> Double {
        let hx = kernelMatrix * x.array
        var s = 0.0
        for i in 0..<dimension { s += x[i] * hx[i] }
        return 0.5 * s
    }
}

extension FrozenKernelErrorModel: ModelBuilder {
    public static var modelName: String { "errors" }
    public static var help: String { "the errors Δ under a frozen kernel (002 eqs. 3.7, 4.4, linearized)" }

    /// The kernel (H(0), H^∞ or a file) and Δ(0) (f(W0) − y or a file). A problem given
    /// entirely by files needs neither data nor network.
    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        try s.modelOptions.check(model: modelName, allowed: [])
        let needsNetwork = s.initialErrorPath == nil || s.kernel == .initial
        var data: Dataset?
        var network: ReLUNetwork?
        if needsNetwork || s.kernel == .limit {
            data = try s.dataset(random: random)
        }
        if needsNetwork, let data {
            network = try s.network(data: data, random: random)
        }
        var spectra = ModelSpectra()
        spectra.limit = try data.map { try KernelSpectrum(NeuralTangentKernel.limit(inputs: $0.inputs)) }
        let initialKernel = network.map { NeuralTangentKernel.empirical(inputs: $0.data.inputs, weights: $0.initialWeights) }
        spectra.initial = try initialKernel.map { try KernelSpectrum($0) }
        let h: DenseMatrix
        switch s.kernel {
        case .initial: h = initialKernel!
        case .limit: h = NeuralTangentKernel.limit(inputs: data!.inputs)
        case .file(let path):
            let csv = try NumericCSV.read(path: path, name: .kernel(path))
            h = DenseMatrix(rows: csv.rows.count, columns: csv.columnCount, elements: csv.rows.flatMap { $0 })
        }
        let delta0: [Double]
        if let path = s.initialErrorPath {
            let csv = try NumericCSV.read(path: path, name: .initialError(path))
            guard csv.columnCount == 1 else {
                throw InputError(.initialError(path), value: "\(csv.columnCount) columns",
                                 allowed: "Δ(0) is one column of n values")
            }
            delta0 = csv.rows.map { $0[0] }
        } else {
            let net = network!
            delta0 = net.initialWeights.elements.withView { ReLUWeightField(network: net).residual(at: $0) }
        }
        guard delta0.count == h.rows else {
            let source = s.initialErrorPath.map { "Δ(0) from \($0)" } ?? "Δ(0) = f(W0) − y of the network"
            throw InputError(.kernel(s.kernel.name), value: "a \(h.rows)×\(h.columns) kernel",
                             allowed: "it must be n×n with n = \(delta0.count), the length of \(source)")
        }
        var summary = ModelSummary(samples: h.rows, dimension: network?.dimension, width: network?.width,
                                   data: network == nil ? "none (error model from files)" : s.dataDescription.data,
                                   labels: network == nil ? nil : s.dataDescription.labels,
                                   kernel: s.kernel.name, initialError: s.initialErrorPath ?? "f(W0) - y")
        if network == nil { summary.labels = nil }
        return try FrozenKernelErrorModel(kernel: h, source: s.kernel.name, initialResidual: delta0,
                                          spectra: spectra, summary: summary, network: network)
    }
}
