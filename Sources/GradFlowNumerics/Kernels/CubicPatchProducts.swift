/// The products of the cubic patch CNN of 004 eq. (CNN),
///
///     f_W(X_i) = Σ_r Σ_j ⟨w_r, X_i[j]⟩³        (r = 1…m neurons, j = 1…P patches),
///
/// on a fixed set of N samples whose patches are stored row-major as an (N·P)×d matrix (the
/// P patches of sample i are rows iP … iP + P − 1). With Z = patches · Wᵀ ((N·P)×m, one GEMM
/// of 2NPdm flops):
///
///     f_i = Σ_{j,r} Z_{ij,r}³,
///     Σ_i c_i ∂f_i/∂w_r = 3 Σ_{i,j} c_i Z_{ij,r}² X_i[j]      (one GEMM: (3 c ∘ Z²)ᵀ · patches),
///     ∂f_i/∂W · V = 3 Σ_{j,r} Z_{ij,r}² (patches · Vᵀ)_{ij,r}  (one more GEMM).
///
/// Workspaces are allocated once; no call allocates.
public final class CubicPatchProducts {
    public let sampleCount: Int
    public let patchesPerSample: Int
    public let dimension: Int
    public let width: Int
    private let patches: DoubleBuffer
    /// Z = patches · Wᵀ at the last `forward`.
    private let z: DoubleBuffer
    /// patches · Vᵀ for directional derivatives; also the back-propagated coefficients.
    private let scratch: DoubleBuffer

    /// `patches`: (N·P)×d row-major.
    public init(patches: [Double], sampleCount: Int, patchesPerSample: Int, dimension: Int, width: Int) {
        precondition(patches.count == sampleCount * patchesPerSample * dimension)
        self.sampleCount = sampleCount
        self.patchesPerSample = patchesPerSample
        self.dimension = dimension
        self.width = width
        self.patches = DoubleBuffer(patches)
        z = DoubleBuffer(count: sampleCount * patchesPerSample * width)
        scratch = DoubleBuffer(count: sampleCount * patchesPerSample * width)
    }

    private var rows: Int { sampleCount * patchesPerSample }

    /// Z ← patches · Wᵀ (W row-major m×d) and f_i into `outputs` (length N).
    public func forward(weights w: VectorView, outputs: MutableVectorView) {
        precondition(w.count == width * dimension && outputs.count == sampleCount)
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: width, k: dimension, alpha: 1,
                  a: UnsafePointer(patches.base), lda: dimension, b: w.base, ldb: dimension,
                  beta: 0, c: z.base, ldc: width)
        let block = patchesPerSample * width
        for i in 0..<sampleCount {
            var f = 0.0
            let zi = z.base + i * block
            for k in 0..<block { let v = zi[k]; f += v * v * v }
            outputs.base[i] = f
        }
    }

    /// g ← Σ_i c_i ∂f_i/∂W (row-major m×d) at the W of the last `forward`.
    public func backward(coefficients c: VectorView, into g: MutableVectorView) {
        precondition(c.count == sampleCount && g.count == width * dimension)
        let block = patchesPerSample * width
        for i in 0..<sampleCount {
            let ci = 3 * c.base[i]
            let zi = z.base + i * block, si = scratch.base + i * block
            for k in 0..<block { let v = zi[k]; si[k] = ci * v * v }
        }
        // g (m×d) = scratchᵀ (m×NP) · patches (NP×d).
        BLAS.gemm(transposeA: true, transposeB: false, m: width, n: dimension, k: rows, alpha: 1,
                  a: UnsafePointer(scratch.base), lda: width, b: UnsafePointer(patches.base), ldb: dimension,
                  beta: 0, c: g.base, ldc: dimension)
    }

    /// ḟ_i = ∂f_i/∂W · V for a direction V (row-major m×d), at the W of the last `forward`.
    public func directionalDerivative(direction v: VectorView, into rates: MutableVectorView) {
        precondition(v.count == width * dimension && rates.count == sampleCount)
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: width, k: dimension, alpha: 1,
                  a: UnsafePointer(patches.base), lda: dimension, b: v.base, ldb: dimension,
                  beta: 0, c: scratch.base, ldc: width)
        let block = patchesPerSample * width
        for i in 0..<sampleCount {
            var s = 0.0
            let zi = z.base + i * block, si = scratch.base + i * block
            for k in 0..<block { let v = zi[k]; s += v * v * si[k] }
            rates.base[i] = 3 * s
        }
    }

    /// The Jacobian ∂f/∂W (N × m·d, row-major) at the W of the last `forward`:
    /// row i, block r = 3 Σ_j Z_{ij,r}² X_i[j].
    public func jacobian() -> [Double] {
        let md = width * dimension
        var out = [Double](repeating: 0, count: sampleCount * md)
        out.withUnsafeMutableBufferPointer { jac in
            for i in 0..<sampleCount {
                for j in 0..<patchesPerSample {
                    let row = i * patchesPerSample + j
                    let x = patches.base + row * dimension
                    for r in 0..<width {
                        let v = z.base[row * width + r]
                        let s = 3 * v * v
                        let target = jac.baseAddress! + i * md + r * dimension
                        for k in 0..<dimension { target[k] += s * x[k] }
                    }
                }
            }
        }
        return out
    }
}
