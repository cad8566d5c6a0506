import Foundation

/// The two-layer network of 002 with a piecewise-linear activation in place of ReLU (002 §6:
/// leaky ReLU, and any activation given by breakpoints and slopes), first layer trained and
/// a = ±1 fixed:
///
///     f(x) = (1/√m) Σ_r a_r σ(w_rᵀx),   L = ½‖f(X) − y‖²,   H(W) = (XXᵀ ∘ D Dᵀ)/m, D = σ'(XW).
///
/// **Infinite-width kernel.** For the leaky-ReLU family (one breakpoint at 0, slopes s₀ left
/// and s₁ right) with w ~ N(0, I):
///
///     H^∞_ij = x_iᵀx_j [ (π − θ_ij)/(2π) (s₀² + s₁²) + (θ_ij/π) s₀ s₁ ],
///
/// since (w·x_i, w·x_j) fall on the same side of 0 with probability (π − θ)/π, half on each
/// side, and on opposite sides with probability θ/π. ReLU (s₀ = 0, s₁ = 1) gives 002's H^∞
/// (Fact 2.2). Other activations have no closed form here: λ0 and κ then come from H(W(0)).
///
/// **Solvers.** The GSL integrators. (The switching solvers, which locate every kink, are
/// written for ReLU.)
public final class PiecewiseLinearNetwork: TwoLayerNetworkModel {
    public let network: ReLUNetwork
    public let activation: PiecewiseLinearActivation
    public let products: TwoLayerProducts
    private let dataSource: (data: String, labels: String?)

    public init(network: ReLUNetwork, activation: PiecewiseLinearActivation, data: String, labels: String?) {
        self.network = network
        self.activation = activation
        dataSource = (data, labels)
        products = TwoLayerProducts(inputs: network.data.inputs.elements, targets: network.data.targets,
                                    dimension: network.dimension, width: network.width,
                                    activation: activation, fixedOutputWeights: network.outputWeights)
    }

    public var name: String { "piecewise-linear" }
    public var initialPosition: [Double] { network.initialWeights.elements }

    /// H^∞ of the type's documentation for the leaky-ReLU family; nil otherwise.
    public static func limitKernel(inputs x: DenseMatrix, activation: PiecewiseLinearActivation) -> DenseMatrix? {
        guard activation.isHomogeneous else { return nil }
        let (s0, s1) = (activation.slopes[0], activation.slopes[1])
        let n = x.rows
        let gram = DenseMatrix.gramOfRows(x.elements, rows: n, columns: x.columns)
        var h = DenseMatrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0...i {
                let g = gram[i * n + j]
                let norms = (gram[i * n + i] * gram[j * n + j]).squareRoot()
                let theta = norms > 0 ? acos(min(1, max(-1, g / norms))) : Double.pi / 2
                let v = g * ((Double.pi - theta) / (2 * Double.pi) * (s0 * s0 + s1 * s1) + theta / Double.pi * s0 * s1)
                h[i, j] = v
                h[j, i] = v
            }
        }
        return h
    }

    public private(set) lazy var spectra: ModelSpectra = {
        let limit = Self.limitKernel(inputs: network.data.inputs, activation: activation).flatMap { try? KernelSpectrum($0) }
        let initial = initialPosition.withView { try? KernelSpectrum(kernel(at: $0)) }
        return ModelSpectra(limit: limit, initial: initial)
    }()

    public var summary: ModelSummary {
        var s = ModelSummary(samples: sampleCount, dimension: network.dimension, width: network.width,
                             data: dataSource.data, labels: dataSource.labels)
        s.extra = [("breakpoints", activation.breakpoints.map(NumberFormat.roundTrip).joined(separator: "/")),
                   ("slopes", activation.slopes.map(NumberFormat.roundTrip).joined(separator: "/"))]
        return s
    }
}

extension PiecewiseLinearNetwork: ModelBuilder {
    public static var modelName: String { "piecewise-linear" }
    public static var help: String { "the two-layer network with a piecewise-linear activation, leaky ReLU by default (002 §6)" }
    public static var optionHelp: [(key: String, help: String)] {
        [("slope", "leaky ReLU with slope s for z < 0 (default 0.1)"),
         ("breakpoints", "c_1/…/c_K, increasing (with slopes; instead of slope)"),
         ("slopes", "s_0/…/s_K, one more than the breakpoints")]
    }

    /// The draws of `network`: data (if synthetic), W(0) neuron by neuron, then a.
    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        let options = s.modelOptions
        try options.check(model: modelName, allowed: optionHelp.map(\.key))
        func list(_ key: String) throws -> [Double] {
            guard let text = options.string(key) else { return [] }
            let values = text.split(separator: "/", omittingEmptySubsequences: false).map { Double($0) }
            guard !values.isEmpty, values.allSatisfy({ $0?.isFinite ?? false }) else {
                throw InputError(.model, value: "\(key)=\(text)", allowed: "\(key) must be finite numbers separated by /")
            }
            return values.map { $0! }
        }
        let activation: PiecewiseLinearActivation
        if options.string("breakpoints") != nil || options.string("slopes") != nil {
            guard options.string("slope") == nil else {
                throw InputError(.model, value: "slope with breakpoints/slopes", allowed: "give either slope= or breakpoints= with slopes=")
            }
            let c = try list("breakpoints"), sl = try list("slopes")
            guard let a = PiecewiseLinearActivation(breakpoints: c, slopes: sl) else {
                throw InputError(.model, value: "breakpoints=\(options.string("breakpoints") ?? ""):slopes=\(options.string("slopes") ?? "")",
                                 allowed: "breakpoints must increase and there must be one more slope than breakpoints")
            }
            activation = a
        } else {
            let slope = try options.number("slope") ?? 0.1
            activation = PiecewiseLinearActivation.leaky(slope)!
        }
        let network = try s.network(data: try s.dataset(random: random), random: random)
        let source = s.dataDescription
        return PiecewiseLinearNetwork(network: network, activation: activation, data: source.data, labels: source.labels)
    }
}
