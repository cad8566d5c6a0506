import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport

/// Theorem checks and decay tables on the frozen-kernel error model, against values
/// computed here directly from the modal solution.
final class TheoremCheckTests: XCTestCase {
    /// H = Q diag(0.3, 0.6, 1.2) Qᵀ, Δ0 fixed; λ0 := λ_min(H) = 0.3.
    private func problem() throws -> (FrozenKernelErrorModel, [Double], Double) {
        let random = RandomSource(seed: 5)
        var a = DenseMatrix(rows: 3, columns: 3)
        for i in 0..<3 { for j in 0..<3 { a[i, j] = random.gaussian() } }
        let q = try SymmetricEigensystem(a * a.transposed).vectors
        var h = q * DenseMatrix.diagonal([0.3, 0.6, 1.2]) * q.transposed
        for i in 0..<3 { for j in 0..<i { let s = 0.5 * (h[i, j] + h[j, i]); h[i, j] = s; h[j, i] = s } }
        return (try FrozenKernelErrorModel(kernel: h, source: "test"), [1, -2, 0.5], 0.3)
    }

    private func run(_ flow: any ContinuousFlow, times: [Double]) throws -> Solution {
        let (field, delta0, _) = try problem()
        return try solveFlow(field, from: delta0, flow, solver: .exact,
                              sampleTimes: try SampleTimes(list: times), monitors: [LossMonitor(flow: flow)])
    }

    private let times = (0...80).map { Double($0) * 0.25 }

    func testEveryContinuousCheckHoldsOnFrozenKernel() throws {
        let lambda0 = 0.3
        let flows: [any ContinuousFlow] = [GradientFlow(), HeavyBallFlow.theorem2(lambda0: lambda0),
                                           NesterovFlow(gamma: 7, energyExponent: 2)]
        for flow in flows {
            let trajectory = try run(flow, times: times)
            let verdicts = TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: lambda0, sampleCount: 3, width: nil)
            XCTAssertFalse(verdicts.isEmpty, flow.name)
            for v in verdicts { XCTAssertTrue(v.held, "\(flow.name): \(v.name) — \(v.summary)") }
        }
    }

    func testNesterovLyapunovFunctionRisesForAlphaAboveTwo() throws {
        // On L̂ = ½ΔᵀHΔ, with k = 2γ − α (derived in NesterovFlow.theoremChecks):
        //   V̇ = (α − k) t^{α−1} L̂ + (α − 2) t^{α−3} [(k²/8)‖Δ‖² + (k t/4) ΔᵀΔ̇].
        // Checked here against central differences of the energy column of the exact modal
        // solution, then: at α = 4 V rises where V̇ > 0, and the check says so.
        let (field, delta0, _) = try problem()
        let gamma = 7.0, alpha = 4.0, k = 2 * gamma - alpha
        let flow = NesterovFlow(gamma: gamma, energyExponent: alpha)
        let exact = try ModalSolution(kernel: SymmetricEigensystem(field.kernelMatrix), initialResidual: delta0, flow: flow)
        func vDot(_ t: Double) throws -> Double {
            let d = try exact.derivatives(at: t)
            let hd = field.kernelMatrix * d[0]
            let lhat = 0.5 * zip(d[0], hd).map(*).reduce(0, +)
            let norm2 = d[0].reduce(0) { $0 + $1 * $1 }, inner = zip(d[0], d[1]).map(*).reduce(0, +)
            return (alpha - k) * pow(t, alpha - 1) * lhat + (alpha - 2) * pow(t, alpha - 3) * (k * k / 8 * norm2 + k * t / 4 * inner)
        }
        let h = 1e-5
        for t in [0.3, 1.0, 2.5, 6.0] {
            let v = try run(flow, times: [t - h, t + h]).column("energy")!
            let predicted = try vDot(t)
            // Central difference of a smooth function: truncation h²|V‴|/6 ≈ 1e-9 and rounding
            // ε|V|/h ≈ 1e-10 relative to the terms; 1e-6 relative to max(|V̇|, V, 1) is far above both.
            XCTAssertEqual((v[1] - v[0]) / (2 * h), predicted, accuracy: 1e-6 * max(abs(predicted), v[0], 1), "t = \(t)")
        }
        XCTAssertGreaterThan(try vDot(0.25), 0, "the formula predicts an early rise at α > 2")
        let trajectory = try run(flow, times: times)
        let verdicts = TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: 0.3, sampleCount: 3, width: nil)
        let verdict = try XCTUnwrap(verdicts.first { $0.name.hasPrefix("V(t; α, γ) non-increasing") })
        XCTAssertFalse(verdict.held, verdict.summary)
    }

    func testHeavyBallEnergyColumnMatchesModalSolution() throws {
        // V(t) = L̂ + ½‖αΔ + Δ̇‖², α = b/2, recomputed here from the modal solution's Δ and Δ̇.
        let (field, delta0, lambda0) = try problem()
        let flow = HeavyBallFlow.theorem2(lambda0: lambda0)
        let trajectory = try run(flow, times: times)
        let exact = try ModalSolution(kernel: SymmetricEigensystem(field.kernelMatrix), initialResidual: delta0, flow: flow)
        let alpha = (2 * lambda0).squareRoot() / 2
        for (t, v) in zip(trajectory.column("t")!, trajectory.column("energy")!) {
            let d = try exact.derivatives(at: t)
            let hd = field.kernelMatrix * d[0]
            var lhat = 0.0, sq = 0.0
            for i in 0..<3 {
                lhat += 0.5 * d[0][i] * hd[i]
                sq += (alpha * d[0][i] + d[1][i]) * (alpha * d[0][i] + d[1][i])
            }
            // Same formula, different code path: rounding only (1e-13 relative).
            XCTAssertEqual(v, lhat + 0.5 * sq, accuracy: 1e-13 * max(v, 1e-300))
        }
        // The decay table's ratio column equals V(t)/V(0), and its bound is e^{−αt}.
        var table = DecayTable()
        table.add(run: "hbf", trajectory: trajectory, times: [0, 5, 10], energyBound: { exp(-alpha * $0) })
        let energies = trajectory.column("energy")!
        XCTAssertEqual(table.rows.count, 3)
        XCTAssertEqual(table.rows[1].energyRatio, energies[20] / energies[0], accuracy: 1e-15)
        XCTAssertEqual(table.rows[2].bound!, exp(-alpha * 10), accuracy: 1e-16)
    }

    func testTooLittleFrictionFailsTheoremTwoAtTheRightTime() throws {
        // b = √(2λ0)/10 with Theorem 2's α = √(λ0/2): V with that α must exceed e^{−αt}V(0)
        // at some sample; the first such t is found here by direct evaluation.
        let (field, delta0, lambda0) = try problem()
        let alpha = (lambda0 / 2).squareRoot()
        let flow = HeavyBallFlow(friction: (2 * lambda0).squareRoot() / 10, energyRate: alpha)
        let trajectory = try run(flow, times: times)
        let exact = try ModalSolution(kernel: SymmetricEigensystem(field.kernelMatrix), initialResidual: delta0, flow: flow)
        func energy(_ t: Double) throws -> Double {
            let d = try exact.derivatives(at: t)
            let hd = field.kernelMatrix * d[0]
            var v = 0.0
            for i in 0..<3 { v += 0.5 * d[0][i] * hd[i] + 0.5 * pow(alpha * d[0][i] + d[1][i], 2) }
            return v
        }
        let v0 = try energy(0)
        var expectedFirst: Double?
        for t in times where t > 0 {
            if try energy(t) > exp(-alpha * t) * v0 * (1 + 1e-12) { expectedFirst = t; break }
        }
        let expected = try XCTUnwrap(expectedFirst, "the broken case must violate the bound somewhere")
        let verdicts = TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: lambda0, sampleCount: 3, width: nil)
        let energyCheck = try XCTUnwrap(verdicts.first { $0.name.hasPrefix("Thm 2: V(t)") })
        XCTAssertFalse(energyCheck.held)
        XCTAssertEqual(energyCheck.firstFailureTime, expected)
        XCTAssertGreaterThan(energyCheck.firstFailureRatio ?? 0, 1)
    }

    func testTheorem3ConstantIsTheSmallestThatHolds() throws {
        // A* = max_t t^α L(t)/L(0): L(t) ≤ A* t^{−α} L(0) holds at every sample, with equality at one.
        let flow = NesterovFlow(gamma: 7, energyExponent: 4)
        let trajectory = try run(flow, times: times)
        let a = try XCTUnwrap(TheoremChecks.theorem3Constant(solution: trajectory, alpha: 4, fromTime: 0.25))
        let t = trajectory.column("t")!, loss = trajectory.column("loss")!
        var equalSomewhere = false
        for (ti, li) in zip(t, loss) where ti >= 0.25 {
            let bound = a.constant * pow(ti, -4) * loss[0]
            XCTAssertLessThanOrEqual(li, bound * (1 + 1e-14))
            if abs(li - bound) <= 1e-14 * bound { equalSomewhere = true }
        }
        XCTAssertTrue(equalSomewhere)
    }

    func testLowerBoundCheckReportsFailure() throws {
        // λ_min(H(t)) ≥ λ0/2 with a claimed λ0 three times the kernel's λ_min (0.3): fails at the first sample.
        let flow = GradientFlow()
        let (field, delta0, _) = try problem()
        let trajectory = try solveFlow(field, from: delta0, flow, solver: .exact,
                                        sampleTimes: try SampleTimes(list: [0, 1, 2]),
                                        monitors: [LossMonitor(flow: flow), KernelSpectrumMonitor()])
        let verdicts = TheoremChecks.verdicts(flow: flow, trajectory: trajectory, lambda0: 0.9, sampleCount: 3, width: nil)
        let check = try XCTUnwrap(verdicts.first { $0.name.hasPrefix("λ_min") })
        XCTAssertFalse(check.held)
        XCTAssertEqual(check.firstFailureTime, 0)
        // ratio = (λ0/2)/λ_min = 0.45/0.3 = 1.5, to eigen-solver rounding.
        XCTAssertEqual(check.firstFailureRatio ?? 0, 1.5, accuracy: 1e-12)
    }

    func testModalLyapunovEnergyDecaysAtItsDerivative() throws {
        // For the higher-order flow b = (3, 2.5), V = Σ_k z_kᵀP_k z_k with AᵀP + PA = −I has
        // V̇ = −Σ_k ‖z_k‖² = −Σ_j ‖Δ^{(j)}‖² (Q is orthogonal). Checked by central differences of
        // V along the exact solution (h = 1e-4: O(h²) ≈ 1e-8 relative error).
        let (field, delta0, _) = try problem()
        let flow = HigherOrderMomentumFlow(coefficients: [3, 2.5])
        let eigen = try SymmetricEigensystem(field.kernelMatrix)
        let energy = try ModalLyapunovEnergy(kernel: eigen, flow: flow)
        let exact = try ModalSolution(kernel: eigen, initialResidual: delta0, flow: flow)
        let h = 1e-4
        for t in [0.5, 2.0, 7.0] {
            let vp = energy.energy(derivatives: try exact.derivatives(at: t + h))
            let vm = energy.energy(derivatives: try exact.derivatives(at: t - h))
            let d = try exact.derivatives(at: t)
            let expected = -d.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
            XCTAssertEqual((vp - vm) / (2 * h), expected, accuracy: 1e-6 * abs(expected))
        }
        // V(t) ≤ e^{−μt} V(0) along the run.
        let v0 = energy.energy(derivatives: try exact.derivatives(at: 0))
        for t in stride(from: 0.0, through: 30, by: 0.5) {
            XCTAssertLessThanOrEqual(energy.energy(derivatives: try exact.derivatives(at: t)),
                                     exp(-energy.decayRate * t) * v0 * (1 + 1e-12), "t = \(t)")
        }
        // An unstable flow (s³ + 0.8s² + s + λ is not Hurwitz for λ > 0.8) has no such energy.
        XCTAssertThrowsError(try ModalLyapunovEnergy(kernel: eigen, flow: HigherOrderMomentumFlow(coefficients: [1, 0.8])))
    }

    func testMonotonicityCheckFindsTheFirstRise() throws {
        var solution = Solution(columns: ["t", "energy"])
        solution.rows = [[0, 4], [1, 3], [2, 3], [3, 3.3], [4, 2], [5, 2.5]]
        let verdict = try XCTUnwrap(MonotonicityCheck(name: "V non-increasing", source: "test", column: .energy).evaluate(solution))
        XCTAssertFalse(verdict.held)
        XCTAssertEqual(verdict.firstFailureTime, 3)
        XCTAssertEqual(try XCTUnwrap(verdict.firstFailureRatio), 1.1, accuracy: 1e-15)
        // Worst step: 2 → 2.5 at t = 5, ratio 1.25; two of the five steps rise.
        XCTAssertEqual(verdict.worstRatio, 1.25, accuracy: 1e-15)
        XCTAssertEqual(verdict.worstTime, 5)
        XCTAssertTrue(verdict.summary.contains("2 of 5 steps rise"), verdict.summary)
        // Equal values and rises within the relative slack (1e-9) hold.
        solution.rows = [[0, 4], [1, 3], [2, 3], [3, 3 * (1 + 1e-12)], [4, 1]]
        XCTAssertTrue(try XCTUnwrap(MonotonicityCheck(name: "V", source: "test", column: .energy).evaluate(solution)).held)
        // A missing observable gives no verdict.
        XCTAssertNil(MonotonicityCheck(name: "V", source: "test", column: .lambdaMin).evaluate(solution))
    }
}
