/// The weight dynamics of the two-layer ReLU network (002 §2–3): the state is W (d×m,
/// column r = w_r, stored row-major), Φ = L(W) = ½‖f(W) − y‖² and
///
///     ∂L/∂w_r = (1/√m) a_r Σ_i Δ_i 1[w_rᵀx_i ≥ 0] x_i        (002 eq. 2.2 / 3.6).
///
/// In matrix form Z = X W (n×m), S_ir = Δ_i a_r/√m · 1[Z_ir ≥ 0], ∇L = Xᵀ S: two GEMMs of
/// 2·n·m·d flops each plus one fused pass that forms f, Δ and the masked S in place.
/// The indicator follows the papers' convention 1[z ≥ 0].
public final class ReLUWeightField: GradientField {
    public let network: ReLUNetwork
    let n: Int, d: Int, m: Int
    /// The BLAS products of the gradient.
    let products: ReLUGradientKernel
    /// Z(0) = X W(0), computed at the first `patternChangeRatio`.
    private var initialPreactivations: [Double] = []

    public init(network: ReLUNetwork) {
        self.network = network
        n = network.sampleCount
        d = network.dimension
        m = network.width
        products = ReLUGradientKernel(inputs: network.data.inputs, targets: network.data.targets,
                                      outputWeights: network.outputWeights)
    }

    public var dimension: Int { d * m }
    public var sampleCount: Int { n }
    public var constantHessian: DenseMatrix? { nil }

    public func gradient(at w: VectorView, into g: MutableVectorView) { products.gradient(at: w, into: g) }

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
