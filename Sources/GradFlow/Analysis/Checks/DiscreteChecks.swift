import Foundation

/// Checks along discrete runs in the linear regime: the iterates' residual pairs against the
/// powers of the transition matrix (001 Theorem 5 / Corollary 1).
public enum DiscreteChecks {
    /// Adds the column `xi_norm` = ‖[ξ_k; ξ_{k−1}]‖ = √(2L_k + 2L_{k−1}), with ξ_{−1} = ξ_0
    /// (the heavy-ball start w_{−1} = w_0), from the `loss` column (L = ½‖ξ‖²).
    public static func addingResidualPairNorm(to trajectory: Solution) -> Solution {
        guard let loss = trajectory[.loss] else { return trajectory }
        var out = Solution(columns: trajectory.columns + [.residualPairNorm], rows: [], statistics: trajectory.statistics,
                             earlyStop: trajectory.earlyStop)
        for (i, row) in trajectory.rows.enumerated() {
            let previous = i == 0 ? loss[0] : loss[i - 1]
            out.rows.append(row + [(2 * loss[i] + 2 * previous).squareRoot()])
        }
        return out
    }

    /// The bound on ‖[ξ_k; ξ_{k−1}]‖ / ‖[ξ_0; ξ_{−1}]‖ that a constant-momentum method's
    /// transition matrix M gives on the frozen kernel: C ρ^k with C = max_{k ≤ K} ‖M^k‖/ρ^k
    /// measured on the spectrum (exact in the linear regime), and, for heavy ball where
    /// 001 Theorem 5 applies, C0 β^{k/2} with the printed and the corrected C0.
    public static func checks(method: any DiscreteMethod, eigenvalues: [Double], iterations: Int) throws -> [BoundCheck] {
        guard let regime = try method.residualPairIteration?.regime(eigenvalues: eigenvalues),
              (try? regime.normalizingRate()) != nil else { return [] }
        let rho = regime.spectralRadius
        let transient = regime.transientConstant(maxIterations: max(iterations, 1)).value
        var checks = [BoundCheck(name: "‖[ξ_k; ξ_k−1]‖ ≤ C ρ^k ‖[ξ_0; ξ_−1]‖, ρ = \(NumberFormat.short(rho, digits: 5)), C = max‖M^k‖/ρ^k = \(NumberFormat.short(transient, digits: 4))",
                                 source: "spectral radius of M on H(0) (linear regime)", column: .residualPairRatio,
                                 timeColumn: .iteration) { k in transient * pow(rho, k) }]
        if regime.method == .heavyBall && regime.theorem5Applies {
            let beta = regime.momentum
            for variant in [LinearRegime.C0Variant.printed, .corrected] {
                if let c0 = regime.theorem5C0(variant) {
                    checks.append(BoundCheck(name: "001 Thm 5: ‖[ξ_k; ξ_k−1]‖ ≤ C0 β^{k/2} ‖[ξ_0; ξ_−1]‖, \(variant.rawValue) C0 = \(NumberFormat.short(c0, digits: 4))",
                                             source: "001 Theorem 5 (\(variant.rawValue) C0)", column: .residualPairRatio,
                                             timeColumn: .iteration) { k in c0 * pow(beta, k / 2) })
                }
            }
        }
        return checks
    }

    /// Adds `xi_norm_ratio` = ‖[ξ_k; ξ_{k−1}]‖ / ‖[ξ_0; ξ_{−1}]‖ next to `xi_norm`.
    public static func addingResidualPairRatio(to trajectory: Solution) -> Solution {
        let withNorm = addingResidualPairNorm(to: trajectory)
        guard let norms = withNorm[.residualPairNorm], let first = norms.first, first > 0 else { return withNorm }
        var out = Solution(columns: withNorm.columns + [.residualPairRatio], rows: [], statistics: withNorm.statistics,
                             earlyStop: withNorm.earlyStop)
        for (row, norm) in zip(withNorm.rows, norms) { out.rows.append(row + [norm / first]) }
        return out
    }
}
