/// A Lyapunov function for any constant-coefficient flow on the frozen-kernel error model,
/// built per eigenmode. 002 gives none for higher-order momentum (§5.1); this one is
/// constructed: in H's eigenbasis each mode z_k = (y, y', …, y^{(p−1)}) obeys z' = A_k z with
/// the companion matrix A_k of s^p + Σ_j b_j s^j + λ_k, and P_k solves the Lyapunov equation
/// A_kᵀ P_k + P_k A_k = −I. Then V = Σ_k z_kᵀ P_k z_k has V̇ = −Σ_k ‖z_k‖² ≤ −μ V with
/// μ = min_k 1/λ_max(P_k), so V(t) ≤ e^{−μt} V(0).
public struct ModalLyapunovEnergy: Sendable {
    public let eigensystem: SymmetricEigensystem
    /// P_k, one p×p matrix per eigenvalue.
    public let modeMatrices: [DenseMatrix]
    /// μ = min_k 1/λ_max(P_k): the guaranteed decay rate of V.
    public let decayRate: Double
    public let order: Int

    /// Needs a flow with constant coefficients whose characteristic polynomials are Hurwitz
    /// (every mode with λ_k > 0 decays); modes with λ_k = 0 do not decay and are rejected.
    public init(kernel: SymmetricEigensystem, flow: any ContinuousFlow) throws {
        guard flow.isAutonomous else {
            throw InputError("Lyapunov energy", value: flow.name, allowed: "the modal construction needs constant coefficients")
        }
        let p = flow.order
        var matrices: [DenseMatrix] = []
        var mu = Double.infinity
        for lambda in kernel.values {
            guard lambda > 0 else {
                throw InputError("Lyapunov energy", value: "eigenvalue \(lambda)", allowed: "every eigenvalue of H must be > 0")
            }
            var a = DenseMatrix(rows: p, columns: p)
            for i in 0..<(p - 1) { a[i, i + 1] = 1 }
            a[p - 1, 0] = -lambda
            for j in 1..<max(p, 1) { a[p - 1, j] = -flow.damping(j, at: 0) }
            // vec(AᵀP + PA) = (I ⊗ Aᵀ + Aᵀ ⊗ I) vec(P) for row-major vec.
            var system = DenseMatrix(rows: p * p, columns: p * p)
            for i in 0..<p {
                for j in 0..<p {
                    let row = i * p + j
                    for k in 0..<p {
                        system[row, k * p + j] += a[k, i]   // (AᵀP)_ij = Σ_k A_ki P_kj
                        system[row, i * p + k] += a[k, j]   // (PA)_ij = Σ_k P_ik A_kj
                    }
                }
            }
            var rhs = [Double](repeating: 0, count: p * p)
            for i in 0..<p { rhs[i * p + i] = -1 }
            let solution = try system.solve(rhs)
            var pk = DenseMatrix(rows: p, columns: p, elements: solution)
            for i in 0..<p { for j in 0..<i { let s = 0.5 * (pk[i, j] + pk[j, i]); pk[i, j] = s; pk[j, i] = s } }
            let spectrum = try SymmetricEigensystem(pk)
            guard spectrum.minimum > 0 else {
                throw InputError("Lyapunov energy", value: "mode λ = \(lambda)", allowed: "the flow must damp every mode (Hurwitz characteristic polynomial)")
            }
            mu = min(mu, 1 / spectrum.maximum)
            matrices.append(pk)
        }
        eigensystem = kernel
        modeMatrices = matrices
        decayRate = mu
        order = p
    }

    /// V from the derivatives Δ, Δ', …, Δ^{(p−1)}.
    public func energy(derivatives: [[Double]]) -> Double {
        precondition(derivatives.count == order)
        let coordinates = derivatives.map { eigensystem.coordinates(of: $0) }
        var v = 0.0
        for (k, pk) in modeMatrices.enumerated() {
            for i in 0..<order {
                for j in 0..<order { v += coordinates[i][k] * pk[i, j] * coordinates[j][k] }
            }
        }
        return v
    }
}
