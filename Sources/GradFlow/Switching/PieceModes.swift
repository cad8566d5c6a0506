import Foundation

/// The exact solution inside one piece of constant activation pattern (DESIGN §7).
///
/// With the pattern (and, for gradient flow, the sliding sets) fixed, f is linear in W:
/// Δ = J W − y with a constant J (rows: ∂f_i/∂w_r = (a_r/√m) mask_ir Π_r x_i, Π_r the
/// projection off the neuron's sliding surfaces), so a flow of order p with constant
/// coefficients c_j,
///
///     W^{(p)} + Σ_{j=1}^{p−1} c_j W^{(j)} = −JᵀΔ,
///
/// splits into the errors, Δ^{(p)} + Σ c_j Δ^{(j)} + HΔ = 0 with H = JJᵀ constant, and
///
///     W^{(j)}(τ) = Σ_l F_jl(τ) W^{(l)}(0) + Jᵀ φ^{(j)}(τ),
///
/// where F = exp(τ M_F) is the free motion (M_F the companion matrix of s^p + Σ c_j s^j) and
/// φ solves φ^{(p)} + Σ c_j φ^{(j)} = −Δ with zero initial data. In H's eigenbasis
/// (H = Q diag(λ) Qᵀ, y = QᵀΔ, ψ = Qᵀφ) each mode q is the 2p-dimensional linear system
///
///     u = (ψ, ψ', …, ψ^{(p−1)}, y, y', …, y^{(p−1)}),  u' = M_q u,
///     ψ^{(p)} = −Σ c_j ψ^{(j)} − y,   y^{(p)} = −Σ c_j y^{(j)} − λ_q y,
///
/// with u(0) = (0, …, 0, y(0), …, y^{(p−1)}(0)), solved as u(τ) = exp(τ M_q) u(0). The
/// matrix exponential (scaling and squaring of a Taylor series) is used rather than the
/// characteristic roots because repeated roots are common here (λ = 0 modes, critical
/// damping, the free motion's root 0).
struct PieceModes {
    let order: Int
    let sampleCount: Int
    /// Q, n×n row-major, column q = eigenvector q.
    let vectors: [Double]
    let lambdas: [Double]
    /// M_q, 2p×2p row-major, per mode.
    let systems: [[Double]]
    /// u_q(0), per mode.
    let initial: [[Double]]
    /// M_F, p×p.
    let free: [Double]
    /// An upper bound of the rates in the piece: max ‖M_q‖_∞ over the modes and M_F.
    let rate: Double

    /// `kernel` is H (n×n), `residuals[l]` = Δ^{(l)}(0), `damping` = c_1 … c_{p−1}. H is
    /// decomposed with LAPACK's `dsyevd` on `eigen` (of size n), symmetrized first.
    init(kernel: [Double], residuals: [[Double]], damping: [Double], eigen: LAPACKSymmetricEigen) throws {
        let n = residuals[0].count
        let p = damping.count + 1
        order = p
        sampleCount = n
        let (values, q) = try eigen.decompose(symmetrizing: kernel)
        vectors = q
        lambdas = values
        // Qᵀ r, in the same loop order as `SymmetricEigensystem.coordinates(of:)`.
        let coordinates = residuals.map { r -> [Double] in
            var out = [Double](repeating: 0, count: n)
            for k in 0..<n {
                var s = 0.0
                for i in 0..<n { s += q[i * n + k] * r[i] }
                out[k] = s
            }
            return out
        }
        var systems: [[Double]] = []
        var initial: [[Double]] = []
        var rate = 0.0
        let k = 2 * p
        for q in 0..<n {
            var a = [Double](repeating: 0, count: k * k)
            for j in 0..<(p - 1) {
                a[j * k + j + 1] = 1
                a[(p + j) * k + p + j + 1] = 1
            }
            // ψ^{(p)} row and y^{(p)} row.
            for j in 1..<p {
                a[(p - 1) * k + j] = -damping[j - 1]
                a[(2 * p - 1) * k + p + j] = -damping[j - 1]
            }
            a[(p - 1) * k + p] -= 1
            a[(2 * p - 1) * k + p] -= values[q]
            systems.append(a)
            var u = [Double](repeating: 0, count: k)
            for l in 0..<p { u[p + l] = coordinates[l][q] }
            initial.append(u)
            rate = max(rate, PieceMatrixExponential.infinityNorm(a, size: k))
        }
        var f = [Double](repeating: 0, count: p * p)
        for j in 0..<(p - 1) { f[j * p + j + 1] = 1 }
        for j in 1..<p { f[(p - 1) * p + j] = -damping[j - 1] }
        free = f
        self.systems = systems
        self.initial = initial
        self.rate = max(rate, PieceMatrixExponential.infinityNorm(f, size: p))
    }

    /// Everything a piece needs at local time τ.
    struct State {
        let tau: Double
        /// φ^{(j)}(τ), j = 0 … p−1.
        let phi: [[Double]]
        /// dφ/dτ (= φ^{(1)} for p ≥ 2, −Δ for gradient flow).
        let phiRate: [Double]
        let delta: [Double]
        let deltaRate: [Double]
        /// F(τ), p×p.
        let free: [Double]
        /// Row 0 of dF/dτ.
        let freeRate: [Double]
    }

    func state(at tau: Double) -> State {
        let n = sampleCount, p = order, k = 2 * p
        var psi = [[Double]](repeating: [Double](repeating: 0, count: n), count: p)
        var psiRate = [Double](repeating: 0, count: n)
        var y = [Double](repeating: 0, count: n), yRate = [Double](repeating: 0, count: n)
        for q in 0..<n {
            let e = PieceMatrixExponential.exp(systems[q], size: k, scale: tau)
            let u = PieceMatrixExponential.apply(e, size: k, initial[q])
            let du = PieceMatrixExponential.apply(systems[q], size: k, u)
            for j in 0..<p { psi[j][q] = u[j] }
            psiRate[q] = du[0]
            y[q] = u[p]
            yRate[q] = du[p]
        }
        let f = PieceMatrixExponential.exp(free, size: p, scale: tau)
        var fRate = [Double](repeating: 0, count: p)
        for l in 0..<p {
            var s = 0.0
            for j in 0..<p { s += free[j] * f[j * p + l] }
            fRate[l] = s
        }
        return State(tau: tau, phi: psi.map(rotate), phiRate: rotate(psiRate), delta: rotate(y),
                     deltaRate: rotate(yRate), free: f, freeRate: fRate)
    }

    /// Q c.
    private func rotate(_ c: [Double]) -> [Double] {
        let n = sampleCount
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for q in 0..<n { s += vectors[i * n + q] * c[q] }
            out[i] = s
        }
        return out
    }
}

/// exp(τA) of a small dense matrix.
enum PieceMatrixExponential {
    static func infinityNorm(_ a: [Double], size k: Int) -> Double {
        var worst = 0.0
        for i in 0..<k {
            var s = 0.0
            for j in 0..<k { s += abs(a[i * k + j]) }
            worst = max(worst, s)
        }
        return worst
    }

    static func multiply(_ a: [Double], _ b: [Double], size k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: k * k)
        multiply(a, b, size: k, into: &c)
        return c
    }

    /// c ← a b (c must not alias a or b).
    static func multiply(_ a: [Double], _ b: [Double], size k: Int, into c: inout [Double]) {
        for i in 0..<(k * k) { c[i] = 0 }
        for i in 0..<k {
            for l in 0..<k {
                let x = a[i * k + l]
                if x == 0 { continue }
                for j in 0..<k { c[i * k + j] += x * b[l * k + j] }
            }
        }
    }

    static func apply(_ a: [Double], size k: Int, _ v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var s = 0.0
            for j in 0..<k { s += a[i * k + j] * v[j] }
            out[i] = s
        }
        return out
    }

    /// exp(τA) by scaling and squaring: B = τA/2^s with ‖B‖_∞ ≤ 1/2, the Taylor series of
    /// exp(B) summed until a term is below 1e-18 of the sum (at most 30 terms; the
    /// truncation error is then below 2^{−30}/30! relative), then squared s times.
    static func exp(_ a: [Double], size k: Int, scale tau: Double) -> [Double] {
        let kk = k * k
        var sum = [Double](repeating: 0, count: kk)
        for i in 0..<k { sum[i * k + i] = 1 }
        if tau == 0 { return sum }
        let norm = infinityNorm(a, size: k) * abs(tau)
        var s = 0
        if norm > 0.5 { s = Int((Foundation.log2(norm / 0.5)).rounded(.up)) }
        let factor = tau / Foundation.pow(2, Double(s))
        let b = a.map { $0 * factor }
        var term = sum, scratch = [Double](repeating: 0, count: kk)
        for j in 1...30 {
            multiply(term, b, size: k, into: &scratch)
            let inverse = 1 / Double(j)
            var big = 0.0, total = 0.0
            for idx in 0..<kk {
                let v = scratch[idx] * inverse
                term[idx] = v
                sum[idx] += v
                big = max(big, abs(v))
                total = max(total, abs(sum[idx]))
            }
            if big <= 1e-18 * total { break }
        }
        for _ in 0..<s {
            multiply(sum, sum, size: k, into: &scratch)
            swap(&sum, &scratch)
        }
        return sum
    }
}
