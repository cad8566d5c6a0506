import Foundation

/// The deep linear network of 001 §2 and Theorem 10 (Appendix G, experiment H.2):
///
///     N(x) = (m^{L−1} d_y)^{−1/2} W^(L) W^(L−1) ⋯ W^(1) x,
///
/// W^(1) m×d, W^(l) m×m for 2 ≤ l ≤ L−1, W^(L) d_y×m, all L layers trained. With the data
/// X (d×n, column i = x_i) and labels Y (d_y×n) the loss is L = ½‖U − Y‖²_F, U = N(X)
/// (001 eq. 5 with vector labels). The errors are Δ = vec(U − Y), stacked column by column
/// (sample by sample: Δ[i·d_y + k] = U_ki − Y_ki), so `sampleCount` = d_y·n.
///
/// **State.** All weights concatenated, layer 1 first, each matrix row-major:
/// [W^(1) (m·d) | W^(2) (m²) | … | W^(L−1) (m²) | W^(L) (d_y·m)].
///
/// **Gradient.** With s = m^{−1/2}, the forward pass keeps scaled activations
/// a_1 = X, a_{l+1} = s W^(l) a_l (so a_l = m^{−(l−1)/2} W^(l−1:1) X is O(1) at the
/// orthogonal initialization; the unscaled product grows as m^{L/2} ≈ 10^85 at L = 100,
/// m = 50, and overflows for L ≳ 360), and U = d_y^{−1/2} W^(L) a_L. Backward, with
/// δ = d_y^{−1/2}(U − Y) and p_L = W^(L)ᵀ δ:
///
///     ∂L/∂W^(L) = δ a_Lᵀ,   ∂L/∂W^(l) = s p_{l+1} a_lᵀ,   p_l = s W^(l)ᵀ p_{l+1}   (l = L−1 … 1).
///
/// That is 3 GEMMs per layer, 6·L·m²·n flops (7.5 Mflop at the paper's size), all into
/// workspaces allocated once.
///
/// **Kernel.** U = b_l W^(l) a_l with b_l = d_y^{−1/2} m^{−(L−l)/2} W^(L:l+1) (b_L = d_y^{−1/2} I,
/// b_{l−1} = s b_l W^(l)), so J_l = a_lᵀ ⊗ b_l on column-stacked vectors and
///
///     H(W) = J Jᵀ = Σ_l (a_lᵀ a_l) ⊗ (b_l b_lᵀ)                 (d_y n × d_y n),
///
/// the H of 001 Table 2 / Lemma 4, H_0 = (1/(m^{L−1}d_y)) Σ_l (W^(l−1:1)X)ᵀ(W^(l−1:1)X) ⊗
/// W^(L:l+1)W^(L:l+1)ᵀ, written in the scaled factors. At the orthogonal initialization
/// (W^(l−1:1))ᵀW^(l−1:1) = m^{l−1} I_d and W^(L:l+1)W^(L:l+1)ᵀ = m^{L−l} I_{d_y} (001 Lemma 13),
/// so every layer contributes (XᵀX ⊗ I_{d_y})/d_y and H(0) = (L/d_y) XᵀX ⊗ I_{d_y} exactly,
/// for every width. Lemma 13's bounds λ_min(H_0) ≥ Lσ²_min(X)/d_y, λ_max(H_0) ≤ Lσ²_max(X)/d_y
/// are then equalities.
///
/// **Spectra.** `limit` is the spectrum of (L/d_y)·XᵀX (of (L/d_y)·XXᵀ when n > d), i.e. the
/// distinct nonzero eigenvalues (L/d_y)σ_i²(X) of H(0) without their d_y-fold multiplicity.
/// So λ0 = Lσ²_min(X)/d_y is 001's λ (σ_min the least nonzero singular value, 001's λ_r̄), and
/// κ = σ²_max(X)/σ²_min(X) is 001's κ (Theorem 10; Table 2). The recipe `001-deep-linear`
/// evaluated on it gives Theorem 10's η = d_y/(Lσ²_max(X)) = 1/λ_max and
/// β = (1 − 1/(2√κ))². `initial` is the spectrum of H(W(0)) computed from the weights (for
/// d_y·n ≤ 2000).
///
/// **Initialization** (001 §2, l.737–765, following Hu et al. 2020b): uniform (Haar) on the
/// scaled orthogonal matrices with W^(1)ᵀW^(1) = m I_d, W^(L)W^(L)ᵀ = m I_{d_y} and
/// W^(l)ᵀW^(l) = W^(l)W^(l)ᵀ = m I_m: the entries are O(1) and the scale √m is undone by the
/// output factor (m^{L−1}d_y)^{−1/2}, so U(0) = O(1) (001 Lemma 13: ℓ(W_0) = O(1 + ‖W*‖²)).
/// The Haar draws are Gram–Schmidt (applied twice, for orthogonality to rounding) of i.i.d.
/// N(0, 1) vectors, which is the QR factor with positive diagonal R (Mezzadri 2007).
///
/// **Data** (001 H.2, l.8662–8664; the paper states only "sampled from the normal
/// distribution"): X_ki ~ N(0, 1), not normalized; W* = I + c·W̄ with W̄_kj ~ N(0, 1) and
/// c = 0.1 (d_y×d; I is the rectangular identity when d ≠ d_y); Y = W*X. Draw order from the
/// seed: X sample by sample (column i, its d entries), then W̄ row by row, then W^(1) … W^(L),
/// each as the Gaussian vectors its Gram–Schmidt orthonormalizes (W^(1): d vectors of length
/// m, its columns; W^(l): m vectors of length m, its rows; W^(L): d_y vectors of length m,
/// its rows).
public final class DeepLinearNetwork: Model {
    /// L, d, m, d_y, n.
    public let depth: Int, inputDimension: Int, width: Int, outputDimension: Int, dataCount: Int
    /// X (d×n) and Y (d_y×n).
    public let inputs: DenseMatrix
    public let labels: DenseMatrix
    /// W* when the labels are Y = W*X.
    public let teacher: DenseMatrix?
    public let initialPosition: [Double]
    private let source: String

    /// (rows, columns) of W^(l) and its offset in the state, l = 1 … L.
    public let layerShapes: [(rows: Int, columns: Int)]
    public let layerOffsets: [Int]
    /// s = m^{−1/2} and d_y^{−1/2}.
    private let layerScale: Double, outputScale: Double

    // Workspaces, allocated once.
    private let y: DoubleBuffer
    /// a_1 = X (d×n), then a_2 … a_L (m×n each).
    private let activations: DoubleBuffer
    private let activationOffsets: [Int]
    /// U (d_y×n), then δ = d_y^{−1/2}(U − Y) in `gradient`.
    private let output: DoubleBuffer
    /// Two m×n buffers for p_l (backward) or the tangents ȧ_l (`residualRate`).
    private let scratch: (DoubleBuffer, DoubleBuffer)
    /// ∇L for `pseudoLoss`.
    private let gradientWorkspace: DoubleBuffer

    /// The network with data X (d×n), labels Y (d_y×n), initial weights `weights` (the
    /// concatenated state) and depth L ≥ 2; the hidden width m is W^(1)'s row count.
    public init(inputs: DenseMatrix, labels: DenseMatrix, depth: Int, width: Int, weights: [Double],
                teacher: DenseMatrix? = nil, source: String = "given") throws {
        let d = inputs.rows, n = inputs.columns, dy = labels.rows, m = width
        guard depth >= 2 else {
            throw InputError(.model, value: "layers=\(depth)", allowed: "the deep linear network needs L ≥ 2 layers")
        }
        guard n >= 1, d >= 1, dy >= 1, labels.columns == n else {
            throw InputError(.model, value: "X \(d)x\(n), Y \(dy)x\(labels.columns)", allowed: "need X d×n and Y d_y×n with n, d, d_y ≥ 1")
        }
        guard m >= max(d, dy) else {
            throw InputError(.model, value: "hidden=\(m)", allowed: "the orthogonal initialization needs m ≥ max(d, d_y) = \(max(d, dy))")
        }
        var shapes = [(rows: Int, columns: Int)]()
        shapes.append((m, d))
        for _ in 1..<(depth - 1) { shapes.append((m, m)) }
        shapes.append((dy, m))
        var offsets = [Int](), total = 0
        for s in shapes { offsets.append(total); total += s.rows * s.columns }
        guard weights.count == total else {
            throw InputError(.model, value: "\(weights.count) weights", allowed: "L = \(depth) layers of widths d = \(d), m = \(m), d_y = \(dy) hold \(total)")
        }
        guard inputs.elements.allSatisfy(\.isFinite), labels.elements.allSatisfy(\.isFinite), weights.allSatisfy(\.isFinite) else {
            throw InputError(.model, value: "NaN or Inf", allowed: "data, labels and weights must be finite")
        }
        self.depth = depth
        inputDimension = d
        self.width = m
        outputDimension = dy
        dataCount = n
        self.inputs = inputs
        self.labels = labels
        self.teacher = teacher
        initialPosition = weights
        self.source = source
        layerShapes = shapes
        layerOffsets = offsets
        layerScale = 1 / Double(m).squareRoot()
        outputScale = 1 / Double(dy).squareRoot()
        y = DoubleBuffer(labels.elements)
        var aOffsets = [0], aTotal = d * n
        for _ in 1..<depth { aOffsets.append(aTotal); aTotal += m * n }
        activationOffsets = aOffsets
        activations = DoubleBuffer(count: aTotal)
        for i in 0..<(d * n) { activations[i] = inputs.elements[i] }
        output = DoubleBuffer(count: dy * n)
        scratch = (DoubleBuffer(count: m * n), DoubleBuffer(count: m * n))
        gradientWorkspace = DoubleBuffer(count: total)
    }

    public var name: String { "deep-linear" }
    public var dimension: Int { initialPosition.count }
    public var sampleCount: Int { outputDimension * dataCount }

    // MARK: Products

    private func layer(_ w: VectorView, _ l: Int) -> MatrixView {
        let s = layerShapes[l]
        return MatrixView(w.slice(layerOffsets[l], s.rows * s.columns), rows: s.rows, columns: s.columns)
    }

    /// a_l (0-based l: a[0] = X).
    private func activation(_ l: Int) -> MutableMatrixView {
        let rows = l == 0 ? inputDimension : width
        return MutableMatrixView(activations.view.slice(activationOffsets[l], rows * dataCount), rows: rows, columns: dataCount)
    }

    private var outputView: MutableMatrixView {
        MutableMatrixView(output.view, rows: outputDimension, columns: dataCount)
    }

    private func scratchView(_ k: Int) -> MutableMatrixView {
        MutableMatrixView((k == 0 ? scratch.0 : scratch.1).view, rows: width, columns: dataCount)
    }

    /// a_2 … a_L and U = d_y^{−1/2} W^(L) a_L into the workspaces.
    private func forward(_ w: VectorView) {
        for l in 0..<(depth - 1) {
            BLAS.multiply(layer(w, l), activation(l).readOnly, into: activation(l + 1), alpha: layerScale)
        }
        BLAS.multiply(layer(w, depth - 1), activation(depth - 1).readOnly, into: outputView, alpha: outputScale)
    }

    /// Writes ∇L into `g`; allocates nothing.
    public func gradient(at w: VectorView, into g: MutableVectorView) {
        precondition(w.count == dimension && g.count == dimension)
        forward(w)
        // δ = d_y^{−1/2}(U − Y), in place.
        let count = outputDimension * dataCount
        for i in 0..<count { output[i] = outputScale * (output[i] - y[i]) }
        let delta = outputView.readOnly
        func gradientBlock(_ l: Int) -> MutableMatrixView {
            let s = layerShapes[l]
            return MutableMatrixView(g.slice(layerOffsets[l], s.rows * s.columns), rows: s.rows, columns: s.columns)
        }
        // ∂L/∂W^(L) = δ a_Lᵀ; p_L = W^(L)ᵀ δ.
        BLAS.multiply(delta, activation(depth - 1).readOnly.transposed, into: gradientBlock(depth - 1))
        var current = 0
        BLAS.multiply(layer(w, depth - 1).transposed, delta, into: scratchView(current))
        for l in stride(from: depth - 2, through: 0, by: -1) {
            let p = scratchView(current).readOnly
            // ∂L/∂W^(l) = s p_{l+1} a_lᵀ.
            BLAS.multiply(p, activation(l).readOnly.transposed, into: gradientBlock(l), alpha: layerScale)
            if l > 0 {
                // p_l = s W^(l)ᵀ p_{l+1}.
                BLAS.multiply(layer(w, l).transposed, p, into: scratchView(1 - current), alpha: layerScale)
                current = 1 - current
            }
        }
    }

    /// U − Y as stored (d_y×n row-major) after `forward`, column-stacked.
    private func stackedOutput(minusLabels: Bool) -> [Double] {
        var out = [Double](repeating: 0, count: sampleCount)
        for k in 0..<outputDimension {
            for i in 0..<dataCount {
                let j = k * dataCount + i
                out[i * outputDimension + k] = minusLabels ? output[j] - y[j] : output[j]
            }
        }
        return out
    }

    /// Δ = vec(U − Y), sample by sample.
    public func residual(at w: VectorView) -> [Double] {
        forward(w)
        return stackedOutput(minusLabels: true)
    }

    /// vec(U) = vec(N(X)), sample by sample.
    public func predictions(at w: VectorView) -> [Double] {
        forward(w)
        return stackedOutput(minusLabels: false)
    }

    /// The output matrix U = N(X) (d_y×n).
    public func outputs(at w: VectorView) -> DenseMatrix {
        forward(w)
        return DenseMatrix(rows: outputDimension, columns: dataCount, elements: output.array)
    }

    /// Δ̇ = J v by forward-mode differentiation: ȧ_1 = 0, ȧ_{l+1} = s(V^(l) a_l + W^(l) ȧ_l),
    /// U̇ = d_y^{−1/2}(V^(L) a_L + W^(L) ȧ_L).
    public func residualRate(at w: VectorView, velocity v: VectorView) -> [Double] {
        precondition(v.count == dimension)
        forward(w)
        var current = 0
        BLAS.multiply(layer(v, 0), activation(0).readOnly, into: scratchView(current), alpha: layerScale)
        for l in 1..<(depth - 1) {
            let next = scratchView(1 - current)
            BLAS.multiply(layer(v, l), activation(l).readOnly, into: next, alpha: layerScale)
            BLAS.multiply(layer(w, l), scratchView(current).readOnly, into: next, alpha: layerScale, beta: 1)
            current = 1 - current
        }
        var rate = DenseMatrix(rows: outputDimension, columns: dataCount)
        rate.elements.withMutableView { r in
            let u = MutableMatrixView(r, rows: outputDimension, columns: dataCount)
            BLAS.multiply(layer(v, depth - 1), activation(depth - 1).readOnly, into: u, alpha: outputScale)
            BLAS.multiply(layer(w, depth - 1), scratchView(current).readOnly, into: u, alpha: outputScale, beta: 1)
        }
        return Self.stack(rate)
    }

    /// Column-stacks a d_y×n matrix.
    static func stack(_ a: DenseMatrix) -> [Double] {
        var out = [Double](repeating: 0, count: a.rows * a.columns)
        for k in 0..<a.rows { for i in 0..<a.columns { out[i * a.rows + k] = a[k, i] } }
        return out
    }

    /// H(W) = Σ_l (a_lᵀa_l) ⊗ (b_l b_lᵀ), d_y n × d_y n, entry ((i, k), (j, k')) at row
    /// i·d_y + k, column j·d_y + k'. Costs O(L(m²d_y + m(n² + d_y²) + n²d_y²)).
    public func kernel(at w: VectorView) -> DenseMatrix {
        forward(w)
        let n = dataCount, dy = outputDimension, m = width
        let weights = w.array, stored = activations.array
        func weight(_ l: Int) -> DenseMatrix {
            let s = layerShapes[l]
            return DenseMatrix(rows: s.rows, columns: s.columns,
                               elements: Array(weights[layerOffsets[l]..<(layerOffsets[l] + s.rows * s.columns)]))
        }
        var h = DenseMatrix(rows: dy * n, columns: dy * n)
        // b_L = d_y^{−1/2} I: its Gram is I/d_y; b is carried from l = L−1 down.
        var b = DenseMatrix(rows: 0, columns: 0)
        for l in stride(from: depth - 1, through: 0, by: -1) {
            let rows = l == 0 ? inputDimension : m
            let a = DenseMatrix(rows: rows, columns: n, elements: Array(stored[activationOffsets[l]..<(activationOffsets[l] + rows * n)]))
            let ga = a.transposed * a
            let gb: DenseMatrix
            if l == depth - 1 {
                gb = DenseMatrix.diagonal([Double](repeating: 1 / Double(dy), count: dy))
                b = weight(l)
                for i in 0..<b.elements.count { b.elements[i] *= outputScale * layerScale }
            } else {
                gb = b * b.transposed
                if l > 0 {
                    b = b * weight(l)
                    for i in 0..<b.elements.count { b.elements[i] *= layerScale }
                }
            }
            for i in 0..<n {
                for j in 0..<n {
                    let c = ga[i, j]
                    for k in 0..<dy { for k2 in 0..<dy { h[i * dy + k, j * dy + k2] += c * gb[k, k2] } }
                }
            }
        }
        return h
    }

    /// L = ½‖U − Y‖²_F.
    public func potential(at w: VectorView) -> Double {
        let r = residual(at: w)
        return 0.5 * r.reduce(0) { $0 + $1 * $1 }
    }

    /// L̂ = ½ΔᵀH(W)Δ = ½‖∇L(W)‖², since H = JJᵀ and ∇L = JᵀΔ.
    public func pseudoLoss(at w: VectorView) -> Double {
        gradient(at: w, into: gradientWorkspace.view)
        let norm = gradientWorkspace.readOnly.norm
        return 0.5 * norm * norm
    }

    // MARK: Spectra, monitors, solvers

    /// σ²_i(X): the eigenvalues of XᵀX (n ≤ d) or XXᵀ (n > d), ascending.
    public private(set) lazy var dataGram: KernelSpectrum? = {
        let x = inputs
        return try? KernelSpectrum(x.columns <= x.rows ? x.transposed * x : x * x.transposed)
    }()

    /// `limit`: (L/d_y)σ_i²(X) (H(0) at the orthogonal initialization, without multiplicity);
    /// `initial`: H(W(0)) from the weights when d_y·n ≤ 2000.
    public private(set) lazy var spectra: ModelSpectra = {
        let x = inputs, c = Double(depth) / Double(outputDimension)
        var gram = x.columns <= x.rows ? x.transposed * x : x * x.transposed
        for i in 0..<gram.elements.count { gram.elements[i] *= c }
        let limit = try? KernelSpectrum(gram)
        let initial = sampleCount <= 2000 ? initialPosition.withView { try? KernelSpectrum(kernel(at: $0)) } : nil
        return ModelSpectra(limit: limit, initial: initial)
    }()

    public func monitors(flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor] {
        var monitors: [any Monitor] = [LossMonitor(flow: flow)]
        if lambdaMin { monitors.append(KernelSpectrumMonitor()) }
        return monitors
    }

    /// No activation pattern and a non-constant Hessian: the GSL integrators only.
    public var supportedSolvers: Set<SolverKind> { [.gsl] }
    public func automaticSolver(for flow: any ContinuousFlow) -> SolverKind { .gsl }

    public var summary: ModelSummary {
        var s = ModelSummary(samples: dataCount, dimension: inputDimension, width: width, data: source,
                             labels: teacher == nil ? "given" : "Y = W*X")
        s.extra = [("layers", "\(depth)"), ("outputs", "\(outputDimension)"), ("errors", "\(sampleCount)")]
        if let g = dataGram {
            s.extra += [("sigma_max_sq", NumberFormat.roundTrip(g.lambdaMax)), ("sigma_min_sq", NumberFormat.roundTrip(g.lambdaMin)),
                        ("kappa_data", NumberFormat.roundTrip(g.conditionNumber))]
        }
        return s
    }

    // MARK: Initialization

    /// k orthonormal vectors of length `length` (k ≤ length), k×length row-major, uniform on
    /// the Stiefel manifold: k i.i.d. N(0, I) vectors (drawn in order) orthonormalized by
    /// Gram–Schmidt, each projection applied twice.
    public static func orthonormalRows(_ k: Int, length: Int, random: RandomSource) -> [Double] {
        precondition(k <= length)
        var q = (0..<(k * length)).map { _ in random.gaussian() }
        for r in 0..<k {
            for _ in 0..<2 {
                for p in 0..<r {
                    var dot = 0.0
                    for j in 0..<length { dot += q[p * length + j] * q[r * length + j] }
                    for j in 0..<length { q[r * length + j] -= dot * q[p * length + j] }
                }
            }
            var norm = 0.0
            for j in 0..<length { norm += q[r * length + j] * q[r * length + j] }
            norm = norm.squareRoot()
            for j in 0..<length { q[r * length + j] /= norm }
        }
        return q
    }

    /// The scaled orthogonal initialization of 001 §2 (see the type's documentation).
    public static func orthogonalWeights(depth: Int, inputDimension d: Int, width m: Int, outputDimension dy: Int,
                                         random: RandomSource) -> [Double] {
        let scale = Double(m).squareRoot()
        var weights = [Double]()
        // W^(1) (m×d): its d columns orthonormal.
        let first = orthonormalRows(d, length: m, random: random)
        for i in 0..<m { for j in 0..<d { weights.append(scale * first[j * m + i]) } }
        for _ in 1..<(depth - 1) {
            weights += orthonormalRows(m, length: m, random: random).map { scale * $0 }
        }
        weights += orthonormalRows(dy, length: m, random: random).map { scale * $0 }
        return weights
    }
}

extension DeepLinearNetwork: ModelBuilder {
    public static var modelName: String { "deep-linear" }
    /// Its hidden width is the model option `hidden`.
    public static var readsWidth: Bool { false }
    public static var help: String { "all L layers of the deep linear network (m^(L-1) d_y)^(-1/2) W_L…W_1 x of 001 Theorem 10" }
    public static var optionHelp: [(key: String, help: String)] {
        [("layers", "depth L ≥ 2 (default 100, 001 H.2)"),
         ("hidden", "width m of the hidden layers, m ≥ max(d, d_y) (default 50; --width is not read)"),
         ("outputs", "output dimension d_y (default d = --dimension)"),
         ("teacher", "c in W* = I + c·W̄, Y = W*X (default 0.1)")]
    }

    /// The paper's experiment (001 H.2): L = 100, m = 50, W* = I + 0.1·W̄.
    public static let defaults = (layers: 100, hidden: 50, teacher: 0.1)

    public static func build(_ s: ProblemSpecification, random: RandomSource) throws -> any Model {
        let options = s.modelOptions
        try options.check(model: modelName, allowed: optionHelp.map(\.key))
        if let path = s.dataPath {
            throw InputError(.data(path), value: "a data file", allowed: "deep-linear draws X ~ N(0, 1) and Y = W*X from --seed")
        }
        if s.weightsPath != nil || s.outputWeightsPath != nil {
            throw InputError(.weightFiles, value: "weight files", allowed: "deep-linear draws its orthogonal initialization from --seed")
        }
        func integer(_ key: String, _ fallback: Int) throws -> Int {
            guard let v = try options.number(key) else { return fallback }
            guard v == v.rounded(), v >= 1, v <= 1e6 else {
                throw InputError(.model, value: "\(key)=\(options.string(key) ?? "")", allowed: "\(key) must be a positive integer")
            }
            return Int(v)
        }
        let depth = try integer("layers", defaults.layers)
        let m = try integer("hidden", defaults.hidden)
        let d = s.dimension, n = s.samples
        guard d >= 1 else { throw InputError(.dimension, value: "\(d)", allowed: "need d ≥ 1") }
        guard n >= 1 else { throw InputError(.samples, value: "\(n)", allowed: "need n ≥ 1") }
        let dy = try integer("outputs", d)
        let c = try options.number("teacher") ?? defaults.teacher
        guard depth >= 2 else { throw InputError(.model, value: "layers=\(depth)", allowed: "the deep linear network needs L ≥ 2 layers") }
        guard m >= max(d, dy) else {
            throw InputError(.model, value: "hidden=\(m)", allowed: "the orthogonal initialization needs m ≥ max(d, d_y) = \(max(d, dy))")
        }
        // Memory before any allocation: the L layers (≈ L·m² parameters) with gradient,
        // velocity and solver copies (×4), the activations of n samples through every layer
        // (2·L·m·n), and the (n·d_y)² kernel with its eigen-decomposition (×8) — 8 bytes each.
        let (nd, md, ld) = (Double(n), Double(m), Double(depth))
        let parameterBytes = 8 * (4 * ld * md * md + 2 * ld * md * nd)
        let kernelBytes = 8 * (8 * (nd * Double(dy)) * (nd * Double(dy)) + nd * Double(d + dy))
        try MemoryEstimate.check(bytes: parameterBytes + kernelBytes, parameterBytes >= kernelBytes ? .model : .samples,
                                 value: parameterBytes >= kernelBytes ? "layers=\(depth), hidden=\(m)" : "\(n)",
                                 what: "a deep linear network with L = \(depth), m = \(m), n = \(n), d = \(d), d_y = \(dy)")
        // X sample by sample, then W̄ row by row, then the layers.
        var x = DenseMatrix(rows: d, columns: n)
        for i in 0..<n { for k in 0..<d { x[k, i] = random.gaussian() } }
        var teacher = DenseMatrix(rows: dy, columns: d)
        for k in 0..<dy { for j in 0..<d { teacher[k, j] = (k == j ? 1 : 0) + c * random.gaussian() } }
        let weights = orthogonalWeights(depth: depth, inputDimension: d, width: m, outputDimension: dy,
                                        random: s.initializationRandom(continuing: random))
        return try DeepLinearNetwork(inputs: x, labels: teacher * x, depth: depth, width: m, weights: weights, teacher: teacher,
                                     source: "synthetic X ~ N(0,1) \(d)x\(n), W* = I + \(NumberFormat.roundTrip(c))·N(0,1), seed \(s.seed)")
    }
}
