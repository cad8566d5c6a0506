/// The numerical core of the switching solvers of the two-layer ReLU network (DESIGN §7):
/// products with the inputs X and the Gram matrix G = XXᵀ, the pattern-frozen
/// weight field with Filippov sliding, and the scans over all n·m pre-activations that find
/// pattern violations.
///
/// Layouts follow `ReLUWeightField`: W is d×m row-major (column r = w_r), pre-activation
/// matrices Z = XW are n×m row-major (entry (i, r) at i·m + r). A pattern is given by three
/// n×m arrays owned by `SwitchingPattern`: `mask` (1 where the pair is active, 0 where it is
/// inactive or sliding), `orientation` (+1 active, −1 inactive, 0 not checked: sliding, or
/// just released from a surface and still within the release band).
///
/// Frozen field. With the pattern held fixed, f_i = Σ_r (a_r/√m) mask_ir z_ir is linear in W
/// (sliding pairs have z = 0 and do not contribute) and the Filippov gradient is
///
///     ∇_r = (a_r/√m) (Σ_i Δ_i mask_ir x_i + Σ_{k∈K_r} u_rk x_k),
///
/// where K_r is neuron r's sliding set and u_r (= s_rk Δ_k, the equivalent control times the
/// residual) solves G_KK u_r = −G_{K,·}(Δ ∘ mask_r), which makes x_kᵀ∇_r = 0 for k ∈ K_r:
/// the sliding pre-activations stay exactly at 0.
public final class ReLUSwitchingKernel {
    public let n: Int, d: Int, m: Int
    /// X, n×d row-major.
    public let inputs: DoubleBuffer
    /// G = XXᵀ, n×n.
    public let gram: DoubleBuffer
    /// y.
    public let targets: DoubleBuffer
    /// a_r/√m.
    public let scaledOutput: DoubleBuffer
    /// a_r.
    public let outputWeights: [Double]
    /// n×m workspace (the masked S of the gradient).
    private let work: DoubleBuffer
    /// Δ of the last `filippovGradient` call.
    public let lastResidual: DoubleBuffer

    /// X (n×d, row i = x_i), y and the output weights a of the network.
    public init(inputs: DenseMatrix, targets: [Double], outputWeights: [Double]) {
        n = inputs.rows
        d = inputs.columns
        m = outputWeights.count
        self.inputs = DoubleBuffer(inputs.elements)
        self.targets = DoubleBuffer(targets)
        self.outputWeights = outputWeights
        let s = 1 / Double(m).squareRoot()
        scaledOutput = DoubleBuffer(outputWeights.map { $0 * s })
        gram = DoubleBuffer(count: n * n)
        work = DoubleBuffer(count: n * m)
        lastResidual = DoubleBuffer(count: n)
        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: d, alpha: 1,
                  a: UnsafePointer(self.inputs.base), lda: d, b: UnsafePointer(self.inputs.base), ldb: d,
                  beta: 0, c: gram.base, ldc: n)
    }

    /// The n×m workspace, free for the caller between calls of this kernel.
    public var workspace: MutableVectorView { work.view }

    /// a_r/√m.
    @inline(__always) public func scaledOutputWeight(_ r: Int) -> Double { scaledOutput.base[r] }

    public var weightCount: Int { d * m }
    public var pairCount: Int { n * m }

    @inline(__always) public func gramEntry(_ i: Int, _ k: Int) -> Double { gram.base[i * n + k] }

    // MARK: - Products

    /// out (n×m) ← X W for a d×m block W.
    public func preactivations(_ w: VectorView, into out: MutableVectorView) {
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: m, k: d, alpha: 1,
                  a: UnsafePointer(inputs.base), lda: d, b: w.base, ldb: m,
                  beta: 0, c: out.base, ldc: m)
    }

    /// x_iᵀ w_r for one pair of a d×m block.
    @inline(__always)
    public func preactivation(sample i: Int, neuron r: Int, of w: VectorView) -> Double {
        var s = 0.0
        for j in 0..<d { s += inputs.base[i * d + j] * w.base[j * m + r] }
        return s
    }

    /// out (d×m) ← Xᵀ S (+ out when `accumulate`) for an n×m block S.
    public func inputsTransposed(times s: VectorView, into out: MutableVectorView, accumulate: Bool = false) {
        BLAS.gemm(transposeA: true, transposeB: false, m: d, n: m, k: n, alpha: 1,
                  a: UnsafePointer(inputs.base), lda: d, b: s.base, ldb: m,
                  beta: accumulate ? 1 : 0, c: out.base, ldc: m)
    }

    /// out (rows·n × m) ← L (rows·n × n) · A (n×m), for a stack of left factors.
    public func leftMultiply(_ left: [Double], rows: Int, times a: VectorView, into out: MutableVectorView) {
        precondition(left.count == rows * n && a.count == n * m && out.count == rows * m)
        left.withUnsafeBufferPointer { l in
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: m, k: n, alpha: 1,
                      a: l.baseAddress!, lda: n, b: a.base, ldb: m, beta: 0, c: out.base, ldc: m)
        }
    }

    // MARK: - Frozen field

    /// Δ_i = Σ_r (a_r/√m) mask_ir z_ir − y_i from pre-activations z (n×m).
    public func residual(preactivations z: VectorView, mask: VectorView, into out: MutableVectorView) {
        for i in 0..<n {
            out[i] = rowDot(z.base + i * m, mask.base + i * m) - targets.base[i]
        }
    }

    /// Σ_r (a_r/√m) mask_r v_r over one row, eight lanes at a time in a fixed order.
    @inline(__always)
    private func rowDot(_ v: UnsafePointer<Double>, _ mask: UnsafePointer<Double>) -> Double {
        let vr = UnsafeRawPointer(v), mr = UnsafeRawPointer(mask), ar = UnsafeRawPointer(scaledOutput.base)
        let stride = MemoryLayout<Double>.stride
        var lanes = SIMD8<Double>()
        var r = 0
        while r + 8 <= m {
            let a = ar.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            let k = mr.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            let z = vr.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
            lanes += a * k * z
            r += 8
        }
        var s = lanes.sum()
        while r < m {
            s += scaledOutput.base[r] * mask[r] * v[r]
            r += 1
        }
        return s
    }

    /// The equivalent control u_K of a sliding group (neuron r, samples K): the solution of
    /// G_KK u = −G_{K,·}(Δ ∘ mask_r), through the stored inverse of G_KK.
    public func equivalentControl(neuron r: Int, samples: [Int], inverseGram: [Double],
                           residual delta: VectorView, mask: VectorView) -> [Double] {
        let k = samples.count
        var c = [Double](repeating: 0, count: k)
        for (a, i) in samples.enumerated() {
            var s = 0.0
            for j in 0..<n { s += gram.base[i * n + j] * delta.base[j] * mask.base[j * m + r] }
            c[a] = s
        }
        var u = [Double](repeating: 0, count: k)
        for a in 0..<k {
            var s = 0.0
            for b in 0..<k { s += inverseGram[a * k + b] * c[b] }
            u[a] = -s
        }
        return u
    }

    /// out_ir ← c_i (a_r/√m) mask_ir.
    public func fillMaskedResidual(_ c: VectorView, mask: VectorView, into out: MutableVectorView) {
        let stride = MemoryLayout<Double>.stride
        let ar = UnsafeRawPointer(scaledOutput.base)
        for i in 0..<n {
            let o = UnsafeMutableRawPointer(out.base + i * m), mr = UnsafeRawPointer(mask.base + i * m)
            let ci = c[i]
            let cv = SIMD8<Double>(repeating: ci)
            var r = 0
            while r + 8 <= m {
                let a = ar.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                let k = mr.loadUnaligned(fromByteOffset: r * stride, as: SIMD8<Double>.self)
                o.storeBytes(of: cv * a * k, toByteOffset: r * stride, as: SIMD8<Double>.self)
                r += 8
            }
            while r < m {
                out.base[i * m + r] = ci * scaledOutput.base[r] * mask.base[i * m + r]
                r += 1
            }
        }
    }

    /// Projects w_r (column r of the d×m block w) onto {x_kᵀ w_r = 0, k ∈ samples}:
    /// w_r ← w_r − X_Kᵀ G_KK⁻¹ X_K w_r.
    public func project(neuron r: Int, samples: [Int], inverseGram: [Double], weights w: MutableVectorView) {
        let k = samples.count
        var zk = [Double](repeating: 0, count: k)
        for (a, i) in samples.enumerated() { zk[a] = preactivation(sample: i, neuron: r, of: w.readOnly) }
        for a in 0..<k {
            var c = 0.0
            for b in 0..<k { c += inverseGram[a * k + b] * zk[b] }
            let i = samples[a]
            for j in 0..<d { w.base[j * m + r] -= c * inputs.base[i * d + j] }
        }
    }

    /// Σ_r (a_r/√m) mask_ir v_ir for each row i of an n×m block (Δ̇ from Ż).
    public func maskedRowSums(_ v: VectorView, mask: VectorView) -> [Double] {
        (0..<n).map { rowDot(v.base + $0 * m, mask.base + $0 * m) }
    }

    // MARK: - Scans

    /// Indices i·m + r of the pairs whose pre-activation contradicts the orientation:
    /// active (+1) with z < 0, or inactive (−1) with z ≥ 0 (the convention 1[z ≥ 0]).
    public func violations(preactivations z: VectorView, orientation: VectorView) -> [Int] {
        var out: [Int] = []
        let count = n * m
        let zr = UnsafeRawPointer(z.base), orr = UnsafeRawPointer(orientation.base)
        let stride = MemoryLayout<Double>.stride
        var k = 0
        let zero = SIMD8<Double>()
        while k + 8 <= count {
            let v = zr.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let o = orr.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let bad = ((o .> zero) .& (v .< zero)) .| ((o .< zero) .& (v .>= zero))
            if any(bad) {
                for l in 0..<8 where bad[l] { out.append(k + l) }
            }
            k += 8
        }
        while k < count {
            let v = z.base[k], o = orientation.base[k]
            if (o > 0 && v < 0) || (o < 0 && v >= 0) { out.append(k) }
            k += 1
        }
        return out
    }

    /// The earliest τ ∈ (0, horizon] at which the quadratic Taylor model
    /// v(τ) = v + v'τ + ½v''τ² of some checked pair's oriented pre-activation v = o·z
    /// reaches 0, or nil. Pairs that cannot reach 0 within the horizon even at their
    /// largest possible rate are skipped cheaply.
    public func predictCrossing(z: VectorView, dz: VectorView, ddz: VectorView, orientation: VectorView,
                         horizon: Double) -> Double? {
        let count = n * m
        var best = Double.infinity
        let stride = MemoryLayout<Double>.stride
        let pz = UnsafeRawPointer(z.base), pd = UnsafeRawPointer(dz.base), pa = UnsafeRawPointer(ddz.base)
        let po = UnsafeRawPointer(orientation.base)
        let hv = SIMD8<Double>(repeating: horizon), half = SIMD8<Double>(repeating: 0.5 * horizon)
        let zero = SIMD8<Double>()
        var k = 0
        while k + 8 <= count {
            let o = po.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let v = o * pz.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let b = pd.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let a = pa.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            // v can reach 0 within the horizon only if v ≤ (|v'| + ½|v''|H) H.
            let reach = (b.replacing(with: -b, where: b .< zero) + half * a.replacing(with: -a, where: a .< zero)) * hv
            let near = (o .!= zero) .& (v .<= reach)
            if any(near) {
                for l in 0..<8 where near[l] {
                    if let tau = Self.firstRoot(v: v[l], slope: o[l] * b[l], curvature: o[l] * a[l]) { best = min(best, tau) }
                }
            }
            k += 8
        }
        while k < count {
            let o = orientation.base[k]
            if o != 0, let tau = Self.firstRoot(v: o * z.base[k], slope: o * dz.base[k], curvature: o * ddz.base[k]) {
                best = min(best, tau)
            }
            k += 1
        }
        return best <= horizon ? best : nil
    }

    /// The first τ > 0 with v + sτ + ½cτ² = 0, for v ≥ 0 (0 when v ≤ 0 and s < 0).
    @inline(__always)
    public static func firstRoot(v: Double, slope s: Double, curvature c: Double) -> Double? {
        if v <= 0 { return s < 0 || (s == 0 && c < 0) ? 0 : nil }
        let a = 0.5 * c
        if a == 0 { return s < 0 ? -v / s : nil }
        let disc = s * s - 4 * a * v
        if disc < 0 { return nil }
        let q = -0.5 * (s + (s >= 0 ? 1 : -1) * disc.squareRoot())
        var best = Double.infinity
        let r1 = q / a
        if r1 > 0 { best = r1 }
        if q != 0 {
            let r2 = v / q
            if r2 > 0 { best = min(best, r2) }
        }
        return best.isFinite ? best : nil
    }

    /// Pairs that are valid at both ends of an interval of length h but whose cubic Hermite
    /// interpolant (values z0, z1, derivatives dz0, dz1) dips into the violating side inside
    /// it — a graze that the end-point signs miss. Returns (pair, estimated fraction s ∈ (0, 1)
    /// of the interval at which the cubic first enters the violating side).
    public func grazes(z0: VectorView, dz0: VectorView, z1: VectorView, dz1: VectorView,
                orientation: VectorView, length h: Double) -> [(Int, Double)] {
        var out: [(Int, Double)] = []
        let count = n * m
        let stride = MemoryLayout<Double>.stride
        let zero = SIMD8<Double>()
        let p0 = UnsafeRawPointer(dz0.base), p1 = UnsafeRawPointer(dz1.base), po = UnsafeRawPointer(orientation.base)
        var k = 0
        // Necessary conditions: oriented slope negative at the start and positive at the end,
        // and min(v0, v1) ≤ (4/27)(|v0'| + |v1'|)h, since p(s) = h00 v0 + h01 v1 + h10 d0 + h11 d1
        // with h00 + h01 = 1 and |h10|, |h11| ≤ 4/27 on [0, 1].
        let pz0 = UnsafeRawPointer(z0.base), pz1 = UnsafeRawPointer(z1.base)
        let bound = SIMD8<Double>(repeating: 4.0 / 27.0 * h)
        while k + 8 <= count {
            let o = po.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let a = o * p0.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let b = o * p1.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let v0 = o * pz0.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let v1 = o * pz1.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let low = v0.replacing(with: v1, where: v1 .< v0) .<= bound * (b - a)
            let turn = (a .< zero) .& (b .> zero) .& low
            if any(turn) {
                for l in 0..<8 where turn[l] {
                    if let s = grazeFraction(k + l, z0, dz0, z1, dz1, orientation, h) { out.append((k + l, s)) }
                }
            }
            k += 8
        }
        while k < count {
            let o = orientation.base[k]
            if o * dz0.base[k] < 0 && o * dz1.base[k] > 0,
               let s = grazeFraction(k, z0, dz0, z1, dz1, orientation, h) { out.append((k, s)) }
            k += 1
        }
        return out
    }

    private func grazeFraction(_ k: Int, _ z0: VectorView, _ dz0: VectorView, _ z1: VectorView, _ dz1: VectorView,
                               _ orientation: VectorView, _ h: Double) -> Double? {
        let o = orientation.base[k]
        let v0 = o * z0.base[k], v1 = o * z1.base[k]
        guard v0 >= 0, v1 >= 0 else { return nil }
        let cubic = EventHermiteCubic(v0: v0, d0: o * dz0.base[k] * h, v1: v1, d1: o * dz1.base[k] * h)
        return cubic.firstNegative()
    }
}

/// The cubic Hermite interpolant p(s), s ∈ [0, 1], with p(0) = v0, p'(0) = d0, p(1) = v1,
/// p'(1) = d1 (derivatives already scaled by the interval length).
public struct EventHermiteCubic {
    public let c0: Double, c1: Double, c2: Double, c3: Double

    public init(v0: Double, d0: Double, v1: Double, d1: Double) {
        c0 = v0
        c1 = d0
        c2 = 3 * (v1 - v0) - 2 * d0 - d1
        c3 = 2 * (v0 - v1) + d0 + d1
    }

    @inline(__always) public func value(_ s: Double) -> Double { c0 + s * (c1 + s * (c2 + s * c3)) }
    @inline(__always) public func slope(_ s: Double) -> Double { c1 + s * (2 * c2 + s * 3 * c3) }

    /// The stationary points of p in (0, 1).
    public func stationaryPoints() -> [Double] {
        // p'(s) = 3c3 s² + 2c2 s + c1.
        let a = 3 * c3, b = 2 * c2, c = c1
        var roots: [Double] = []
        if abs(a) <= 1e-14 * (abs(b) + abs(c)) {
            if b != 0 { roots.append(-c / b) }
        } else {
            let disc = b * b - 4 * a * c
            if disc >= 0 {
                let q = -0.5 * (b + (b >= 0 ? 1 : -1) * disc.squareRoot())
                roots.append(q / a)
                if q != 0 { roots.append(c / q) }
            }
        }
        return roots.filter { $0 > 0 && $0 < 1 }.sorted()
    }

    /// For p(0) ≥ 0: the first s ∈ (0, 1) where p becomes negative, if it does before s = 1
    /// and p(1) ≥ 0 (an interior dip); nil otherwise.
    public func firstNegative() -> Double? {
        for s in stationaryPoints() where value(s) < 0 {
            return root(in: 0, s)
        }
        return nil
    }

    /// A root of p in [a, b] with p(a) ≥ 0 > p(b) (or p(a) < 0 ≤ p(b)): Newton steps kept
    /// inside the bracket, bisection when a step leaves it or stalls; returns the bracket's
    /// end on the far side of the root.
    public func root(in a: Double, _ b: Double) -> Double {
        var lo = a, hi = b
        let negativeAtLo = value(lo) < 0
        var x = 0.5 * (lo + hi)
        for _ in 0..<100 {
            let fx = value(x)
            if (fx < 0) == negativeAtLo { lo = x } else { hi = x }
            if hi - lo <= 1e-15 { break }
            let d = slope(x)
            var next = d != 0 ? x - fx / d : .nan
            if !(next > lo && next < hi) || abs(next - x) > 0.5 * (hi - lo) { next = 0.5 * (lo + hi) }
            if next == x { break }
            x = next
        }
        return hi
    }

    /// For p(0) ≥ 0 > p(1): the first s at which p becomes negative.
    public func firstCrossing() -> Double {
        // The first stationary point with a negative value bounds the first crossing.
        var end = 1.0
        for s in stationaryPoints() where value(s) < 0 { end = s; break }
        return root(in: 0, end)
    }
}
