/// The products of the two-layer network with a piecewise-linear activation σ (002 §6), the
/// output layer trained with W (002 §5.3) or fixed,
///
///     f(x_i) = (1/√m) Σ_r a_r σ(w_rᵀx_i),   Δ = f(X) − y,
///
/// on a state [W | a] (trained output) or W (fixed a): W d×m row-major (column r is w_r, the
/// layout of the `network` model). With Z = XW (n×m), S = σ(Z), D = σ'(Z):
///
///     ∇_W L = Xᵀ(D ∘ Δaᵀ)/√m,   ∇_a L = SᵀΔ/√m,
///     Δ̇ = ((D ∘ (X V_W)) a + S v_a)/√m                for a velocity [V_W | v_a],
///     H = JJᵀ = (XXᵀ ∘ (D diag(a²) Dᵀ) + SSᵀ)/m = H_W + H_a   (002 §5.3),
///
/// without the v_a and H_a terms when a is fixed. Three GEMMs per gradient (one for Z, one for
/// ∇_W, one for ∇_a); workspaces are allocated once.
public final class TwoLayerProducts {
    public let n: Int
    public let d: Int
    public let m: Int
    private let inputs: DoubleBuffer
    private let targets: [Double]
    private let z: DoubleBuffer
    private let s: DoubleBuffer
    private let scratch: DoubleBuffer
    private let errors: DoubleBuffer
    private let scale: Double
    public let activation: PiecewiseLinearActivation
    /// a when it is fixed (nil: a is the last m entries of the state).
    public let fixedOutputWeights: [Double]?
    /// The piece of every pair (i, r) (entry i·m + r) while `holdsPieces`: the products then
    /// use each pair's affine piece σ_k (extended beyond the piece) instead of σ, so that a
    /// switching solver integrates a smooth field inside a step (`PieceEventSolver`).
    public private(set) var heldPieces: [Int32]
    public private(set) var holdsPieces = false

    /// `inputs`: n×d row-major; `fixedOutputWeights` nil when a is trained.
    public init(inputs: [Double], targets: [Double], dimension: Int, width: Int,
                activation: PiecewiseLinearActivation = .relu, fixedOutputWeights: [Double]? = nil) {
        precondition(fixedOutputWeights.map { $0.count == width } ?? true)
        self.activation = activation
        self.fixedOutputWeights = fixedOutputWeights
        n = targets.count
        d = dimension
        m = width
        precondition(inputs.count == n * d)
        self.inputs = DoubleBuffer(inputs)
        self.targets = targets
        z = DoubleBuffer(count: n * m)
        s = DoubleBuffer(count: n * m)
        scratch = DoubleBuffer(count: n * m)
        errors = DoubleBuffer(count: n)
        scale = 1 / Double(width).squareRoot()
        heldPieces = [Int32](repeating: 0, count: n * m)
    }

    /// Holds every pair on the piece that holds its z at x (from now on the products use the
    /// held pieces).
    public func holdPieces(at x: VectorView) {
        holdsPieces = false
        forwardPreactivations(x)
        for k in 0..<(n * m) { heldPieces[k] = Int32(activation.piece(z.base[k])) }
        holdsPieces = true
    }

    /// Moves pair k = i·m + r to `piece`.
    public func setPiece(_ k: Int, to piece: Int) { heldPieces[k] = Int32(piece) }

    /// Stops holding pieces: σ itself again (the held pieces are kept for `resumeHoldingPieces`).
    public func releasePieces() { holdsPieces = false }

    /// Holds the pieces held before `releasePieces` again.
    public func resumeHoldingPieces() { holdsPieces = true }

    /// The pairs whose z at x has left its held piece by more than `slack`, in increasing order.
    public func pairsOffTheirPieces(at x: VectorView, slack: Double = 0) -> [Int] {
        forwardPreactivations(x)
        var out: [Int] = []
        for k in 0..<(n * m) where activation.margin(z.base[k], onPiece: Int(heldPieces[k])) < -slack { out.append(k) }
        return out
    }

    /// z_ri = w_rᵀx_i of pair k = i·m + r at x (O(d)).
    public func preactivation(pair k: Int, at x: VectorView) -> Double {
        let i = k / m, r = k % m
        var v = 0.0
        for j in 0..<d { v += inputs.base[i * d + j] * x.base[j * m + r] }
        return v
    }

    /// Z = XW into the workspace.
    private func forwardPreactivations(_ x: VectorView) {
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1,
                  a: UnsafePointer(inputs.base), lda: d, b: x.base, ldb: m, beta: 0, c: z.base, ldc: m)
    }

    /// σ or the held piece's σ_k of pair k at z.
    @inline(__always) private func value(_ zk: Double, pair k: Int) -> Double {
        holdsPieces ? activation.value(zk, onPiece: Int(heldPieces[k])) : activation.value(zk)
    }

    /// σ' or the held piece's slope of pair k at z.
    @inline(__always) private func slope(_ zk: Double, pair k: Int) -> Double {
        holdsPieces ? activation.slopes[Int(heldPieces[k])] : activation.slope(zk)
    }

    /// The length of the state: [W | a], or W when a is fixed.
    public var stateCount: Int { d * m + (fixedOutputWeights == nil ? m : 0) }

    /// Calls `body` with a pointer to a: the state's tail, or the fixed weights.
    @inline(__always) private func withOutputWeights<R>(_ x: VectorView, _ body: (UnsafePointer<Double>) -> R) -> R {
        if let fixed = fixedOutputWeights { return fixed.withUnsafeBufferPointer { body($0.baseAddress!) } }
        return body(x.base + d * m)
    }

    /// Z = XW, S = σ(Z) and Δ at the state x; returns Δ.
    @discardableResult
    public func forward(_ x: VectorView) -> VectorView {
        precondition(x.count == stateCount)
        forwardPreactivations(x)
        withOutputWeights(x) { a in
            for i in 0..<n {
                var f = 0.0
                for r in 0..<m {
                    let v = value(z.base[i * m + r], pair: i * m + r)
                    s.base[i * m + r] = v
                    f += a[r] * v
                }
                errors.base[i] = scale * f - targets[i]
            }
        }
        return errors.readOnly
    }

    /// ∇L = [∇_W L | ∇_a L] at x into g.
    public func gradient(at x: VectorView, into g: MutableVectorView) {
        precondition(g.count == stateCount)
        forward(x)
        withOutputWeights(x) { a in
            for i in 0..<n {
                let e = scale * errors.base[i]
                for r in 0..<m { scratch.base[i * m + r] = e * a[r] * slope(z.base[i * m + r], pair: i * m + r) }
            }
        }
        // ∇_W (d×m) = Xᵀ (d×n) · scratch (n×m).
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: 1,
                  a: UnsafePointer(inputs.base), lda: d, b: UnsafePointer(scratch.base), ldb: m,
                  beta: 0, c: g.base, ldc: m)
        guard fixedOutputWeights == nil else { return }
        // ∇_a (m×1) = Sᵀ (m×n) · Δ (n×1) / √m.
        BLAS.gemm(transposeA: true, transposeB: false, m: m, n: 1, k: n, alpha: scale,
                  a: UnsafePointer(s.base), lda: m, b: UnsafePointer(errors.base), ldb: 1,
                  beta: 0, c: g.base + d * m, ldc: 1)
    }

    /// Δ̇ = ((D ∘ (X V_W)) a + S v_a)/√m for a velocity v = [V_W | v_a] at x.
    public func residualRate(at x: VectorView, velocity v: VectorView) -> [Double] {
        precondition(v.count == stateCount)
        forward(x)
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1,
                  a: UnsafePointer(inputs.base), lda: d, b: v.base, ldb: m, beta: 0, c: scratch.base, ldc: m)
        let trained = fixedOutputWeights == nil
        return withOutputWeights(x) { a in
            (0..<n).map { i in
                var rate = 0.0
                for r in 0..<m {
                    rate += a[r] * slope(z.base[i * m + r], pair: i * m + r) * scratch.base[i * m + r]
                    if trained { rate += s.base[i * m + r] * v.base[d * m + r] }
                }
                return scale * rate
            }
        }
    }

    /// H = (XXᵀ ∘ (D diag(a²) Dᵀ) + SSᵀ)/m (without SSᵀ when a is fixed), n×n row-major.
    public func kernel(at x: VectorView) -> [Double] {
        forward(x)
        var h = [Double](repeating: 0, count: n * n)
        let inverseWidth = 1 / Double(m)
        if fixedOutputWeights == nil {
            h.withUnsafeMutableBufferPointer { hb in
                // H_a = S Sᵀ / m.
                BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: m, alpha: inverseWidth,
                          a: UnsafePointer(s.base), lda: m, b: UnsafePointer(s.base), ldb: m, beta: 0, c: hb.baseAddress!, ldc: n)
            }
        }
        withOutputWeights(x) { a in
            for i in 0..<n { for r in 0..<m { scratch.base[i * m + r] = a[r] * slope(z.base[i * m + r], pair: i * m + r) } }
        }
        let counts = DoubleBuffer(count: n * n), gram = DoubleBuffer(count: n * n)
        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: m, alpha: 1,
                  a: UnsafePointer(scratch.base), lda: m, b: UnsafePointer(scratch.base), ldb: m, beta: 0, c: counts.base, ldc: n)
        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: d, alpha: 1,
                  a: UnsafePointer(inputs.base), lda: d, b: UnsafePointer(inputs.base), ldb: d, beta: 0, c: gram.base, ldc: n)
        for e in 0..<(n * n) { h[e] += inverseWidth * gram.base[e] * counts.base[e] }
        return h
    }
}
