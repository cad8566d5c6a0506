import Foundation

/// The two-layer ReLU network with both layers trained (002 §5.3): the state is [W | a], W the
/// first-layer weights (d×m, column r = w_r, as in `network`) and a the output weights, with
///
///     f(x) = (1/√m) Σ_r a_r σ(w_rᵀx),   L = ½‖f(X) − y‖².
///
/// The network is no longer piecewise linear in all its weights (f is bilinear in a and σ(Wx)),
/// so the flows run on the GSL integrators. The kernel gains the a-part,
///
///     H = H_W + H_a,   H_W = (XXᵀ ∘ (D diag(a²) Dᵀ))/m,   H_a = σ(XW)σ(XW)ᵀ/m   (002 §5.3),
///
/// and its infinite-width limit at w_r ~ N(0, I), a_r = ±1 is H^∞ = H^∞_W + H^∞_a with
/// H^∞_W of 002 Fact 2.2 and the degree-1 arc-cosine kernel
///
///     H^∞_a(i, j) = E[σ(wᵀx_i)σ(wᵀx_j)] = ‖x_i‖‖x_j‖ (sin θ_ij + (π − θ_ij) cos θ_ij)/(2π)
///
/// (Cho and Saul 2009). Data, W(0) and a(0) are drawn exactly as for `network` from the same
/// seed, so the two models start from the same network.
public final class TrainedOutputNetwork: TwoLayerNetworkModel {
    public let network: ReLUNetwork
    public let products: TwoLayerProducts
    private let dataSource: (data: String, labels: String?)
    public let initialPosition: [Double]

    public init(network: ReLUNetwork, data: String, labels: String?) {
        self.network = network
        dataSource = (data, labels)
        products = TwoLayerProducts(inputs: network.data.inputs.elements, targets: network.data.targets,
                                        dimension: network.dimension, width: network.width)
        initialPosition = network.initialWeights.elements + network.outputWeights
    }

    public var name: String { "trained-output" }

    /// H^∞_a of the type's documentation (n×n).
    public static func outputLayerLimit(inputs x: DenseMatrix) -> DenseMatrix {
        let n = x.rows
        let gram = DenseMatrix.gramOfRows(x.elements, rows: n, columns: x.columns)
        var h = DenseMatrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0...i {
                let ni = gram[i * n + i].squareRoot(), nj = gram[j * n + j].squareRoot()
                guard ni > 0, nj > 0 else { continue }
                let c = min(1, max(-1, gram[i * n + j] / (ni * nj)))
                let theta = acos(c)
                let v = ni * nj * (sin(theta) + (Double.pi - theta) * c) / (2 * Double.pi)
                h[i, j] = v
                h[j, i] = v
            }
        }
        return h
    }

    /// `limit`: H^∞ = H^∞_W + H^∞_a; `initial`: H(W(0), a(0)).
    public private(set) lazy var spectra: ModelSpectra = {
        let x = network.data.inputs
        var limit = NeuralTangentKernel.limit(inputs: x)
        let outputPart = Self.outputLayerLimit(inputs: x)
        for e in 0..<limit.elements.count { limit.elements[e] += outputPart.elements[e] }
        let initial = initialPosition.withView { try? KernelSpectrum(kernel(at: $0)) }
        return ModelSpectra(limit: try? KernelSpectrum(limit), initial: initial)
    }()

    public var summary: ModelSummary {
        var s = ModelSummary(samples: sampleCount, dimension: network.dimension, width: network.width,
                             data: dataSource.data, labels: dataSource.labels)
        s.extra = [("trained", "W and a")]
        return s
    }
}

extension TrainedOutputNetwork: ModelBuilder {
    public static var modelName: String { "trained-output" }
    public static var help: String { "the two-layer ReLU network with W and the output layer a both trained (002 §5.3)" }

    /// The draws of `network`: data (if synthetic), W(0) neuron by neuron, then a.
    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        try s.modelOptions.check(model: modelName, allowed: [])
        let network = try s.network(data: try s.dataset(random: random), random: random)
        let source = s.dataDescription
        return TrainedOutputNetwork(network: network, data: source.data, labels: source.labels)
    }
}
