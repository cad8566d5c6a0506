/// The weight dynamics of the two-layer ReLU network (002 §2–3): the state is W (d×m,
/// column r = w_r, stored row-major), Φ = L(W) = ½‖f(W) − y‖² and
///
///     ∂L/∂w_r = (1/√m) a_r Σ_i Δ_i 1[w_rᵀx_i ≥ 0] x_i        (002 eq. 2.2 / 3.6).
///
/// In matrix form Z = X W (n×m), S_ir = Δ_i a_r/√m · 1[Z_ir ≥ 0], ∇L = Xᵀ S: two GEMMs of
/// 2·n·m·d flops each plus one fused pass that forms f, Δ and the masked S in place.
/// The indicator follows the papers' convention 1[z ≥ 0].
///
/// As a `Model` ("network"): the state is W, Δ = f(W) − y, the kernel H(W); λ0 and κ come
/// from H^∞. It supports every solver but `exact`, and `auto` locates every activation
/// switch (exact pieces for constant-coefficient flows, GSL events otherwise).
public final class ReLUWeightField: Model {
    public let network: ReLUNetwork
    let n: Int, d: Int, m: Int
    /// The BLAS products of the gradient.
    let products: ReLUGradientKernel
    /// Where the data came from, for outputs.
    private let dataSource: (data: String, labels: String?)
    /// Z(0) = X W(0), computed at the first `patternChangeRatio`.
    private var initialPreactivations: [Double] = []

    /// The weight model of `network`; `data` and `labels` describe its data in outputs.
    public init(network: ReLUNetwork, data: String = "synthetic", labels: String? = nil) {
        self.network = network
        dataSource = (data, labels)
        n = network.sampleCount
        d = network.dimension
        m = network.width
        products = ReLUGradientKernel(inputs: network.data.inputs, targets: network.data.targets,
                                      outputWeights: network.outputWeights)
    }

    public var name: String { "network" }
    public var dimension: Int { d * m }
    public var sampleCount: Int { n }
    public var initialPosition: [Double] { network.initialWeights.elements }
    public var reluNetwork: ReLUNetwork? { network }

    /// H^∞ (from the data) and H(0), computed on first use.
    public private(set) lazy var spectra: ModelSpectra = {
        let limit = try? KernelSpectrum(NeuralTangentKernel.limit(inputs: network.data.inputs))
        let initial = try? KernelSpectrum(NeuralTangentKernel.empirical(inputs: network.data.inputs,
                                                                         weights: network.initialWeights))
        return ModelSpectra(limit: limit, initial: initial)
    }()

    /// Loss, energies, the lazy-training distances and, on request, λ_min(H(W(t))).
    public func monitors(flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor] {
        var monitors: [any Monitor] = [LossMonitor(flow: flow), LazyTrainingMonitor(field: self)]
        if lambdaMin { monitors.append(KernelSpectrumMonitor()) }
        return monitors
    }

    public var supportedSolvers: Set<SolverKind> { [.gsl, .events, .exactPieces, .kinetic] }

    /// The kinetic solver for gradient flow (through Filippov sliding), HBF and Nesterov, exact
    /// pieces for higher order, events for Newton flow; GSL for other flows whose force is not ∇L.
    ///
    /// HBF rule (one BLAS thread, same runs side by side): the kinetic solver was
    /// faster than exact pieces on every HBF problem measured, 6.6–8.3× at n = 20, d = 10,
    /// m = 2000 (T = 20: 0.13 s against 1.0 s, 1,892 switches each), and it finishes the
    /// medium problem (n = 256, d = 64, m = 4096, T = 50, 34,881 switches) in 14–20 s,
    /// where exact pieces (~60 ms per switch) would need about 35 minutes.
    ///
    /// Gradient-flow rule (Filippov sliding in the kinetic solver; README
    /// "Kinetic solver: gradient flow through sliding"): at n = 20, d = 10, m = 2000, T = 50 the
    /// kinetic solver took 0.25 s against 1.81 s for exact pieces and 5.7 s for events (1,578
    /// switches, 425 sliding entries each), and it finishes the medium problem to T = 50
    /// (29,351 switches, 6,191 entries) in 38 s, where exact pieces reach t = 0.28 in 240 s.
    ///
    /// Nesterov rule: at n = 20, d = 10, m = 500, T = 50 the kinetic solver took
    /// 0.20 s (γ = 0.5, events 2.2 s), 0.10 s (γ = 3, exact pieces 0.67 s, events 0.92 s),
    /// 0.21 s (γ = 7, exact pieces 4.5 s, events 7.0 s) and 9.5 s at γ = 20 (433,117
    /// switches), where exact pieces and events did not reach T = 5 in 100 s. It also agrees
    /// with rk8pd events better than exact pieces do (4e-11 against 9e-7 in the loss at
    /// n = 20, m = 2000), whose Bessel functions carry GSL's relative error.
    ///
    /// Newton rule (002 §5.2; README "Newton flow"): plain GSL chatters along the kinks where
    /// Newton flow slides, so events (`NewtonEventSolver`, Filippov sliding followed) are the
    /// choice: n = 8, d = 3, m = 64, T = 2 in 0.02 s against 16.8 s for GSL (93 switches);
    /// n = 50, d = 3, m = 100 to T = 0.5 in 0.1 s where GSL reaches t = 0.05 in 20 s; n = 20,
    /// d = 10, m = 2000 to T = 2e-5 in 0.1 s against 53 s. Events keep a d×d matrix per
    /// neuron: beyond `NewtonPieceField.cacheLimit` values, GSL.
    public func automaticSolver(for flow: any ContinuousFlow) -> SolverKind {
        if let kinks = flow as? any WeightKinkFollowing { return kinks.followsKinks(width: m, dimension: d) ? .events : .gsl }
        guard flow.isDrivenByGradient else { return .gsl }
        if flow.order <= 2, KineticPiecesSolver.damping(of: flow) != nil { return .kinetic }
        return flow.exactPiecesMeasuredFaster ? .exactPieces : .events
    }

    public var summary: ModelSummary {
        ModelSummary(samples: n, dimension: d, width: m, data: dataSource.data, labels: dataSource.labels)
    }

    /// f_i = Σ_r (a_r/√m) σ(w_rᵀx_i) (002 eq. 2.1).
    public func predictions(at w: VectorView) -> [Double] {
        zip(residual(at: w), network.data.targets).map { $0 + $1 }
    }

    public func gradient(at w: VectorView, into g: MutableVectorView) { products.gradient(at: w, into: g) }

    /// The gradient forms Δ row by row: its loss is free.
    public var lossAtLastGradient: Double? { products.lastGradientLoss }

    /// The kinetic iterator (`KineticMomentumIterator`): exact GD / HB at O(n²) per iteration
    /// plus O(n) per pair check, for 0 ≤ β < 1 (the range its safe counts are derived for).
    public func structuredMomentumIterator(initialPosition: [Double], stepSize: Double, momentum: Double,
                                           timePerStep: Double) -> (any DiscreteIterator)? {
        guard momentum >= 0, momentum < 1, stepSize > 0, stepSize.isFinite, n > 0, m > 0 else { return nil }
        return KineticMomentumIterator(kernel: ReLUSwitchingKernel(network: network), initialPosition: initialPosition,
                                       stepSize: stepSize, momentum: momentum, timePerStep: timePerStep)
    }

    public func residual(at w: VectorView) -> [Double] { products.residual(at: w) }

    public func residualRate(at w: VectorView, velocity v: VectorView) -> [Double] {
        products.residualRate(at: w, velocity: v)
    }

    public func kernel(at w: VectorView) -> DenseMatrix {
        NeuralTangentKernel.empirical(inputs: network.data.inputs,
                                      weights: DenseMatrix(rows: d, columns: m, elements: w.array))
    }

    public func potential(at w: VectorView) -> Double {
        let r = residual(at: w)
        return 0.5 * r.reduce(0) { $0 + $1 * $1 }
    }

    /// L̂ = ½ΔᵀH(W)Δ = ½‖∇L(W)‖²_F, since H = JJᵀ and ∇L = JᵀΔ. The gradient is kept by
    /// `products` for a discrete method's next step at the same W.
    public func pseudoLoss(at w: VectorView) -> Double { 0.5 * products.gradientNormSquared(at: w) }

    /// max_r ‖w_r − w_r(0)‖ (002 Lemma 3.3, the lazy-training distance).
    public func maxWeightDistance(at w: VectorView) -> Double {
        // Row by row (contiguous), each neuron's sum still in the order j = 0 … d−1.
        let w0 = network.initialWeights.elements
        var s = [Double](repeating: 0, count: m)
        for j in 0..<d {
            let row = j * m
            for r in 0..<m {
                let diff = w[row + r] - w0[row + r]
                s[r] += diff * diff
            }
        }
        var worst = 0.0
        for r in 0..<m { worst = max(worst, s[r]) }
        return worst.squareRoot()
    }

    /// (1/(mn)) Σ_i Σ_r 1[sign(x_iᵀw_r) ≠ sign(x_iᵀw_r(0))], with sign taken as the
    /// activation indicator 1[z ≥ 0] (003 Figures 3–6).
    public func patternChangeRatio(at w: VectorView) -> Double {
        if initialPreactivations.isEmpty {
            initialPreactivations = (network.data.inputs * network.initialWeights).elements
        }
        return Double(products.changedActivations(at: w, reference: initialPreactivations)) / Double(n * m)
    }
}

extension ReLUWeightField: ModelBuilder {
    public static var modelName: String { "network" }
    public static var help: String { "the first-layer weights W of the two-layer ReLU network (002 eqs. 3.3, 4.3)" }

    /// Data first (if synthetic), then W(0) neuron by neuron, then a, from one seed.
    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        try s.modelOptions.check(model: modelName, allowed: [])
        let network = try s.network(data: try s.dataset(random: random), random: random)
        let source = s.dataDescription
        return ReLUWeightField(network: network, data: source.data, labels: source.labels)
    }
}
