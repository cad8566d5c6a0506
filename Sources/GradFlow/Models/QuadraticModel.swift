import Foundation

/// The strongly convex quadratic of 001 Theorem 7 (and §4.1):
///
///     Φ(w) = ½ wᵀΓw + bᵀw,   ∇Φ(w) = Γw + b = Γ(w − w*),   w* = −Γ⁻¹b,
///
/// with Γ symmetric and spectrum in [μ, α], μ > 0. The errors are Δ = w − w* (what 001
/// Theorem 7 bounds: ‖[w_t − w*; w_{t−1} − w*]‖), the loss L = ½‖w − w*‖², the pseudo-loss
/// L̂ = ½ΔᵀΓΔ = Φ(w) − Φ*, and the kernel is Γ itself. λ0 = μ and κ = α/μ, so the
/// papers' recipes (001's classical η = 4/(√μ+√α)², β = (1 − 2/(√κ+1))²) apply unchanged.
///
/// Γ and b come from CSV files (`hessian=`, `linear=`), or Γ = diag(λ_1 … λ_N) with
/// λ_1 = μ, λ_N = α and the others uniform in [μ, α], and b ~ N(0, I), drawn from the seed
/// in that order. The start is w(0) = 0.
public final class QuadraticModel: Model {
    /// Γ (N×N).
    public let hessian: DenseMatrix
    /// b.
    public let linearTerm: [Double]
    /// w* = −Γ⁻¹b.
    public let minimizer: [Double]
    public let initialPosition: [Double]
    public let spectra: ModelSpectra
    public let summary: ModelSummary
    private let eigensystem: SymmetricEigensystem
    private let gamma: DoubleBuffer
    private let b: DoubleBuffer

    /// The quadratic with Hessian Γ (symmetric positive definite) and linear term b, from
    /// w(0) = `start` (default 0).
    public init(hessian: DenseMatrix, linearTerm: [Double], start: [Double]? = nil, source: String = "given") throws {
        let n = hessian.rows
        guard hessian.isSquare, n > 0 else {
            throw InputError("quadratic Γ", value: "\(hessian.rows)x\(hessian.columns)", allowed: "Γ must be a non-empty square matrix")
        }
        guard hessian.elements.allSatisfy(\.isFinite), linearTerm.allSatisfy(\.isFinite) else {
            throw InputError("quadratic Γ, b", value: "NaN or Inf", allowed: "all entries must be finite")
        }
        guard hessian.asymmetry <= 1e-10 else {
            throw InputError("quadratic Γ", value: "asymmetry \(hessian.asymmetry)", allowed: "Γ must be symmetric to 1e-10 relative")
        }
        guard linearTerm.count == n else {
            throw InputError("quadratic b", value: "\(linearTerm.count) values", allowed: "b must have N = \(n) values, like Γ")
        }
        let system = try SymmetricEigensystem(hessian)
        guard system.minimum > 0 else {
            throw InputError("quadratic Γ", value: "λ_min = \(system.minimum)", allowed: "Γ must be positive definite (strongly convex)")
        }
        // w* = −V Λ⁻¹ Vᵀ b.
        let coordinates = system.coordinates(of: linearTerm)
        minimizer = system.vector(fromCoordinates: zip(coordinates, system.values).map { -$0 / $1 })
        self.hessian = hessian
        self.linearTerm = linearTerm
        initialPosition = start ?? [Double](repeating: 0, count: n)
        eigensystem = system
        spectra = ModelSpectra(frozen: try KernelSpectrum(hessian))
        var summary = ModelSummary(samples: n, dimension: n, data: source)
        summary.extra = [("mu", NumberFormat.roundTrip(system.minimum)), ("alpha", NumberFormat.roundTrip(system.maximum))]
        self.summary = summary
        gamma = DoubleBuffer(hessian.elements)
        b = DoubleBuffer(linearTerm)
    }

    public var name: String { "quadratic" }
    public var dimension: Int { hessian.rows }
    public var sampleCount: Int { hessian.rows }
    public var constantHessian: DenseMatrix? { hessian }
    public var affineGradient: (kernel: SymmetricEigensystem, minimizer: [Double])? { (eigensystem, minimizer) }

    /// Newton flow ẇ = −Γ⁻¹∇Φ = −(w − w*): P = I (002 §5.2 on a quadratic).
    public private(set) lazy var newtonKernel: (kernel: SymmetricEigensystem, minimizer: [Double])? = {
        let n = dimension
        var identity = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { identity[i, i] = 1 }
        return (try? SymmetricEigensystem(identity)).map { ($0, minimizer) }
    }()

    /// ∇Φ = Γw + b.
    public func gradient(at w: VectorView, into g: MutableVectorView) {
        BLAS.multiply(gamma, rows: dimension, columns: dimension, w, into: g)
        g.add(1, times: b.readOnly)
    }

    /// Δ = w − w*.
    public func residual(at w: VectorView) -> [Double] {
        (0..<dimension).map { w[$0] - minimizer[$0] }
    }

    /// The "predictions" of a quadratic are its parameters w.
    public func predictions(at w: VectorView) -> [Double] { w.array }

    /// Δ̇ = ẇ.
    public func residualRate(at w: VectorView, velocity: VectorView) -> [Double] { velocity.array }

    public func kernel(at w: VectorView) -> DenseMatrix { hessian }

    /// Φ(w) − Φ* = ½ΔᵀΓΔ (so that energies built on Φ are non-negative).
    public func potential(at w: VectorView) -> Double { pseudoLoss(at: w) }

    /// L̂ = ½ΔᵀΓΔ.
    public func pseudoLoss(at w: VectorView) -> Double {
        let delta = residual(at: w)
        let hd = hessian * delta
        var s = 0.0
        for i in 0..<dimension { s += delta[i] * hd[i] }
        return 0.5 * s
    }

    /// Loss and energies (the constructed modal energy for flows without one), and on
    /// request λ_min(Γ).
    public func monitors(flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor] {
        var monitors: [any Monitor] = [LossMonitor(flow: flow, modalEnergy: flow.constructedEnergy(frozenKernel: eigensystem))]
        if lambdaMin { monitors.append(KernelSpectrumMonitor()) }
        return monitors
    }

    public var supportedSolvers: Set<SolverKind> { [.gsl, .exact] }
    /// The modal solution is exact and costs one eigendecomposition.
    public func automaticSolver(for flow: any ContinuousFlow) -> SolverKind { flow.modalForm == .none ? .gsl : .exact }
}

extension QuadraticModel: ModelBuilder {
    public static var modelName: String { "quadratic" }
    public static var readsWidth: Bool { false }
    public static var help: String { "the strongly convex quadratic ½wᵀΓw + bᵀw of 001 Theorem 7" }
    public static var optionHelp: [(key: String, help: String)] {
        [("mu", "smallest eigenvalue μ of the diagonal Γ (default 0.01)"),
         ("alpha", "largest eigenvalue α of the diagonal Γ (default 1)"),
         ("hessian", "Γ from an N×N CSV file instead (with linear=)"),
         ("linear", "b from a CSV column of N values (with hessian=)")]
    }

    /// The default spectrum [μ, α] = [0.01, 1], κ = 100.
    public static let defaultSpectrum = (mu: 0.01, alpha: 1.0)

    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        let options = s.modelOptions
        try options.check(model: modelName, allowed: optionHelp.map(\.key))
        if options.string("hessian") != nil || options.string("linear") != nil {
            guard let gammaPath = options.string("hessian"), let bPath = options.string("linear") else {
                throw InputError(.model, value: "only one of hessian= and linear=", allowed: "give both Γ and b, or neither")
            }
            if options.values["mu"] != nil || options.values["alpha"] != nil {
                throw InputError(.model, value: "mu/alpha with hessian=", allowed: "the spectrum comes from the Γ file")
            }
            let g = try NumericCSV.read(path: gammaPath, name: Parameter("model hessian", detail: gammaPath))
            let bFile = try NumericCSV.read(path: bPath, name: Parameter("model linear", detail: bPath))
            guard bFile.columnCount == 1 else {
                throw InputError(Parameter("model linear", detail: bPath), value: "\(bFile.columnCount) columns",
                                 allowed: "b is one column of N values")
            }
            return try QuadraticModel(hessian: DenseMatrix(rows: g.rows.count, columns: g.columnCount, elements: g.rows.flatMap { $0 }),
                                      linearTerm: bFile.rows.map { $0[0] }, source: "hessian \(gammaPath), linear \(bPath)")
        }
        let mu = try options.number("mu") ?? defaultSpectrum.mu
        let alpha = try options.number("alpha") ?? defaultSpectrum.alpha
        guard mu > 0, alpha >= mu else {
            throw InputError(.model, value: "mu=\(mu), alpha=\(alpha)", allowed: "need 0 < μ ≤ α")
        }
        let n = s.dimension
        guard n >= 1 else { throw InputError(.dimension, value: "\(n)", allowed: "need N ≥ 1") }
        // Γ, its eigenvectors and the Jacobian of implicit steppers: a few N×N matrices.
        try MemoryEstimate.check(bytes: 8 * 6 * Double(n) * Double(n), .dimension, value: "\(n)",
                                 what: "a quadratic of dimension N = \(n)")
        var eigenvalues = (0..<n).map { _ in mu + (alpha - mu) * random.uniform() }
        eigenvalues[0] = mu
        if n > 1 { eigenvalues[n - 1] = alpha }
        let b = (0..<n).map { _ in random.gaussian() }
        return try QuadraticModel(hessian: .diagonal(eigenvalues), linearTerm: b,
                                  source: "diagonal spectrum in [\(NumberFormat.roundTrip(mu)), \(NumberFormat.roundTrip(alpha))], seed \(s.seed)")
    }
}
