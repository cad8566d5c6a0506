import Foundation

/// 004's learner (§2, l.249–267): the cubic patch CNN f_W(X) = Σ_r Σ_j ⟨w_r, X[j]⟩³ (eq. CNN,
/// second layer fixed to 1_m) on the margin data (D) (`MarginData`), trained on the logistic
/// objective with weight decay (eq. P):
///
///     Φ(W) = (1/N) Σ_i log(1 + exp(−y_i f_W(X_i))) + (λ/2)‖W‖².
///
/// **Errors.** The framework's errors are chosen so that ½‖Δ‖² is the logistic data loss:
/// Δ_i = √(2ℓ_i/N) with ℓ_i = log(1 + exp(−y_i f_i)). Then ∇(½‖Δ‖²) = JᵀΔ with J = ∂Δ/∂W, the
/// kernel is H = JJᵀ, and the `loss` column is the training loss of 004 Fig. 3(a) (without
/// the weight-decay term, which `potential` adds).
///
/// **Monitors.** Beside the loss: the training accuracy and the test accuracies on held-out
/// large-margin and small-margin samples (004 eq. TE, as 1 − 0-1 error; Fig. 3(b), (c)).
///
/// **Solvers.** No activation pattern and no constant Hessian: the GSL integrators and the
/// discrete methods (GD, GD+M of 004 §2 are `gd` and `gdm`).
public final class MarginPatchCNN: Model {
    public let train: MarginData
    public let test: MarginData
    public let parameters: MarginData.Parameters
    public let width: Int
    public let weightDecay: Double
    public let initialVariance: Double
    public let initialPosition: [Double]
    public let seed: UInt64
    private let trainProducts: CubicPatchProducts
    private let testProducts: CubicPatchProducts
    private let outputs: DoubleBuffer
    private let testOutputs: DoubleBuffer
    private let coefficients: DoubleBuffer
    private let rates: DoubleBuffer

    public init(train: MarginData, test: MarginData, parameters: MarginData.Parameters, width: Int,
                weightDecay: Double, initialVariance: Double, initialWeights: [Double], seed: UInt64) {
        precondition(initialWeights.count == width * train.dimension)
        self.train = train
        self.test = test
        self.parameters = parameters
        self.width = width
        self.weightDecay = weightDecay
        self.initialVariance = initialVariance
        self.seed = seed
        initialPosition = initialWeights
        trainProducts = CubicPatchProducts(patches: train.patches, sampleCount: train.count,
                                           patchesPerSample: train.patchesPerSample, dimension: train.dimension, width: width)
        testProducts = CubicPatchProducts(patches: test.patches, sampleCount: test.count,
                                          patchesPerSample: test.patchesPerSample, dimension: test.dimension, width: width)
        outputs = DoubleBuffer(count: train.count)
        testOutputs = DoubleBuffer(count: test.count)
        coefficients = DoubleBuffer(count: train.count)
        rates = DoubleBuffer(count: train.count)
    }

    public var name: String { "margin-cnn" }
    public var dimension: Int { width * train.dimension }
    public var sampleCount: Int { train.count }

    // MARK: Loss pieces

    /// log(1 + e^x) without overflow.
    @inline(__always) static func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }
    /// 1/(1 + e^x) without overflow.
    @inline(__always) static func logisticComplement(_ x: Double) -> Double {
        x >= 0 ? exp(-x) / (1 + exp(-x)) : 1 / (1 + exp(x))
    }

    /// f at W into `outputs`.
    private func forward(_ w: VectorView) { trainProducts.forward(weights: w, outputs: outputs.view) }

    /// dℓ_i/df_i / N = −y_i σ(−y_i f_i)/N at the last forward.
    private func lossSlopes() {
        let n = Double(train.count)
        for i in 0..<train.count {
            let y = train.labels[i]
            coefficients[i] = -y * Self.logisticComplement(y * outputs[i]) / n
        }
    }

    /// (1/N) Σ ℓ_i at the last forward.
    private var dataLoss: Double {
        var s = 0.0
        for i in 0..<train.count { s += Self.softplus(-train.labels[i] * outputs[i]) }
        return s / Double(train.count)
    }

    public func potential(at w: VectorView) -> Double {
        forward(w)
        let norm = w.norm
        return dataLoss + 0.5 * weightDecay * norm * norm
    }

    /// ∇Φ = Σ_i (dℓ_i/df_i / N) ∂f_i/∂W + λW (004 eq. P).
    public func gradient(at w: VectorView, into g: MutableVectorView) {
        forward(w)
        lossSlopes()
        trainProducts.backward(coefficients: coefficients.readOnly, into: g)
        if weightDecay != 0 { g.add(weightDecay, times: w) }
    }

    /// Δ_i = √(2ℓ_i/N).
    public func residual(at w: VectorView) -> [Double] {
        forward(w)
        let n = Double(train.count)
        return (0..<train.count).map { i in (2 * Self.softplus(-train.labels[i] * outputs[i]) / n).squareRoot() }
    }

    public func predictions(at w: VectorView) -> [Double] {
        forward(w)
        return outputs.array
    }

    /// ∂Δ_i/∂f_i = (dℓ_i/df_i / N)/Δ_i at the last forward (0 where Δ_i underflows to 0,
    /// the limit: the ratio behaves like e^{−y f/2}).
    private func residualSlopes(_ residual: [Double]) -> [Double] {
        lossSlopes()
        return (0..<train.count).map { i in residual[i] > 0 ? coefficients[i] / residual[i] : 0 }
    }

    public func residualRate(at w: VectorView, velocity: VectorView) -> [Double] {
        let r = residual(at: w)
        let slopes = residualSlopes(r)
        trainProducts.directionalDerivative(direction: velocity, into: rates.view)
        return (0..<train.count).map { slopes[$0] * rates[$0] }
    }

    /// J = ∂Δ/∂W (N × m·d): row i is (∂Δ_i/∂f_i) ∂f_i/∂W.
    private func residualJacobian(at w: VectorView) -> DenseMatrix {
        let slopes = residualSlopes(residual(at: w))
        var jacobian = DenseMatrix(rows: train.count, columns: dimension, elements: trainProducts.jacobian())
        for i in 0..<train.count { for k in 0..<dimension { jacobian[i, k] *= slopes[i] } }
        return jacobian
    }

    /// H(W) = JJᵀ (N×N).
    public func kernel(at w: VectorView) -> DenseMatrix {
        let j = residualJacobian(at: w)
        return j * j.transposed
    }

    /// L̂ = ½ΔᵀHΔ = ½‖JᵀΔ‖² = ½‖∇(data loss)‖².
    public func pseudoLoss(at w: VectorView) -> Double {
        forward(w)
        lossSlopes()
        let g = DoubleBuffer(count: dimension)
        trainProducts.backward(coefficients: coefficients.readOnly, into: g.view)
        let norm = g.readOnly.norm
        return 0.5 * norm * norm
    }

    /// The accuracies at W: on the training set, and on the held-out large- and small-margin
    /// samples (fraction with y f > 0; 004 eq. TE).
    public func accuracies(at w: VectorView) -> (train: Double, testLarge: Double, testSmall: Double) {
        forward(w)
        let trainCorrect = (0..<train.count).filter { train.labels[$0] * outputs[$0] > 0 }.count
        testProducts.forward(weights: w, outputs: testOutputs.view)
        func accuracy(small: Bool) -> Double {
            let subset = test.indices(smallMargin: small)
            guard !subset.isEmpty else { return .nan }
            return Double(subset.filter { test.labels[$0] * testOutputs[$0] > 0 }.count) / Double(subset.count)
        }
        return (Double(trainCorrect) / Double(train.count), accuracy(small: false), accuracy(small: true))
    }

    // MARK: Spectra, monitors, solvers

    /// σ0² of W(0) ~ N(0, σ0² I): 10⁻³ (004 Parametrization 2.1's value is garbled; see
    /// `MarginData` for how it was chosen).
    public static let defaultInitialVariance = 1e-3

    /// The largest training set whose N×N kernel the λ_min monitor forms.
    public static let kernelMonitorLimit = 2000

    /// `initial`: the spectrum of H(W(0)) = JJᵀ, from the m·d × m·d matrix JᵀJ (same nonzero
    /// eigenvalues) plus N − m·d zeros when N > m·d: the logistic CNN has no H^∞, and its
    /// kernel is singular whenever N > m·d (λ0 = 0, κ = ∞: the linear-rate theory does not
    /// apply, and flows need their parameters given).
    public private(set) lazy var spectra: ModelSpectra = {
        let j = initialPosition.withView { residualJacobian(at: $0) }
        let spectrum: KernelSpectrum?
        if train.count <= dimension {
            spectrum = try? KernelSpectrum(j * j.transposed)
        } else if let small = try? SymmetricEigensystem(j.transposed * j) {
            spectrum = KernelSpectrum(eigenvalues: small.values + [Double](repeating: 0, count: train.count - dimension))
        } else {
            spectrum = nil
        }
        return ModelSpectra(initial: spectrum ?? KernelSpectrum(eigenvalues: [.nan]))
    }()

    public func monitors(flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor] {
        var monitors: [any Monitor] = [LossMonitor(flow: flow), MarginAccuracyMonitor(model: self)]
        if lambdaMin && train.count <= Self.kernelMonitorLimit { monitors.append(KernelSpectrumMonitor()) }
        return monitors
    }

    public var supportedSolvers: Set<SolverKind> { [.gsl] }
    public func automaticSolver(for flow: any ContinuousFlow) -> SolverKind { .gsl }

    public var summary: ModelSummary {
        let p = parameters
        var s = ModelSummary(samples: train.count, dimension: train.dimension, width: width,
                             data: "004 margin data (D), w* = e1, seed \(seed)", labels: "uniform ±1")
        s.extra = [("patches", "\(p.patches)"), ("alpha", NumberFormat.roundTrip(p.alpha)),
                   ("beta", NumberFormat.roundTrip(p.beta)), ("sigma", NumberFormat.roundTrip(p.sigma)),
                   ("mu", NumberFormat.roundTrip(p.mu)), ("lambda", NumberFormat.roundTrip(weightDecay)),
                   ("init_variance", NumberFormat.roundTrip(initialVariance)),
                   ("small_margin_train", "\(train.isSmallMargin.filter { $0 }.count)"),
                   ("test_large", "\(test.indices(smallMargin: false).count)"),
                   ("test_small", "\(test.indices(smallMargin: true).count)")]
        return s
    }
}

extension MarginPatchCNN: ModelBuilder {
    public static var modelName: String { "margin-cnn" }
    /// Its width is the model option `neurons`.
    public static var readsWidth: Bool { false }
    public static var help: String { "004's cubic patch CNN Σ_r Σ_j <w_r, X[j]>³ on its margin data (D), logistic loss with weight decay" }
    public static var optionHelp: [(key: String, help: String)] {
        [("patches", "patches P per sample (default 5, 004 Fig. 3)"),
         ("neurons", "neurons m (default 5, 004 Fig. 3; --width is not read)"),
         ("alpha", "large-margin signal α (default d^0.49)"),
         ("beta", "small-margin signal β (default 0.3; see MarginData)"),
         ("sigma", "noise σ of the other patches (default log(d)/√d)"),
         ("mu", "probability μ of a small-margin sample (default 1/d)"),
         ("lambda", "weight decay λ (default 0)"),
         ("init", "initialization variance σ0² (default 1e-3; see MarginData)"),
         ("test", "held-out samples, half of each margin kind (default 2000)")]
    }

    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        let options = s.modelOptions
        try options.check(model: modelName, allowed: optionHelp.map(\.key))
        if let path = s.dataPath {
            throw InputError(.data(path), value: "a data file", allowed: "margin-cnn draws 004's data (D) from --seed")
        }
        if s.weightsPath != nil || s.outputWeightsPath != nil {
            throw InputError(.weightFiles, value: "weight files", allowed: "margin-cnn draws W(0) ~ N(0, σ0² I) from --seed")
        }
        let d = s.dimension, n = s.samples
        guard d >= 2 else { throw InputError(.dimension, value: "\(d)", allowed: "margin-cnn needs d ≥ 2 (noise lives orthogonal to w*)") }
        guard n >= 1 else { throw InputError(.samples, value: "\(n)", allowed: "need n ≥ 1") }
        func integer(_ key: String, _ fallback: Int, minimum: Int) throws -> Int {
            guard let v = try options.number(key) else { return fallback }
            guard v == v.rounded(), v >= Double(minimum), v <= 1e7 else {
                throw InputError(.model, value: "\(key)=\(options.string(key) ?? "")", allowed: "\(key) must be an integer ≥ \(minimum)")
            }
            return Int(v)
        }
        func positive(_ key: String, _ fallback: Double, allowZero: Bool = false) throws -> Double {
            guard let v = try options.number(key) else { return fallback }
            guard allowZero ? v >= 0 : v > 0 else {
                throw InputError(.model, value: "\(key)=\(options.string(key) ?? "")", allowed: "\(key) must be \(allowZero ? "≥ 0" : "> 0")")
            }
            return v
        }
        var p = MarginData.Parameters.defaults(dimension: d)
        p.patches = try integer("patches", p.patches, minimum: 1)
        let m = try integer("neurons", 5, minimum: 1)
        p.alpha = try positive("alpha", p.alpha)
        p.beta = try positive("beta", p.beta)
        p.sigma = try positive("sigma", p.sigma, allowZero: true)
        p.mu = try positive("mu", p.mu, allowZero: true)
        guard p.mu <= 1 else { throw InputError(.model, value: "mu=\(options.string("mu") ?? "")", allowed: "mu must be in [0, 1]") }
        let lambda = try positive("lambda", 0, allowZero: true)
        let variance = try positive("init", defaultInitialVariance)
        let testCount = try integer("test", 2000, minimum: 2)
        // Patches of both sets, the Z workspaces (N·P·m, twice) and the N × m·d Jacobian of the
        // initial spectrum, 8 bytes each.
        let (np, md) = (Double(n + testCount) * Double(p.patches), Double(m * d))
        try MemoryEstimate.check(bytes: 8 * (np * Double(d) + 2 * np * Double(m) + Double(n) * md + md * md),
                                 .samples, value: "\(n)", what: "the margin CNN with N = \(n), P = \(p.patches), d = \(d), m = \(m)")
        let train = MarginData.draw(count: n, dimension: d, parameters: p, smallMargin: nil, random: random)
        var test = MarginData.draw(count: testCount / 2, dimension: d, parameters: p, smallMargin: false, random: random)
        let small = MarginData.draw(count: testCount - testCount / 2, dimension: d, parameters: p, smallMargin: true, random: random)
        test.patches += small.patches
        test.labels += small.labels
        test.isSmallMargin += small.isSmallMargin
        let sd = variance.squareRoot()
        let weights = (0..<(m * d)).map { _ in sd * random.gaussian() }
        return MarginPatchCNN(train: train, test: test, parameters: p, width: m, weightDecay: lambda,
                              initialVariance: variance, initialWeights: weights, seed: s.seed)
    }
}
