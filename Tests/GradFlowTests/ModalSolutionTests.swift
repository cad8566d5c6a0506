import Foundation
import XCTest
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport

/// A constant-coefficient flow that is none of the named flows, to exercise the generic path.
private struct ConstantDampingFlow: ContinuousFlow {
    let c: [Double]
    var name: String { "constant-test" }
    var order: Int { c.count + 1 }
    func damping(_ j: Int, at t: Double) -> Double { c[j - 1] }
    var parameters: [(String, Double)] { [] }
}

final class ModalSolutionTests: XCTestCase {
    // MARK: - Fixtures

    /// A random SPD 4×4 H = GGᵀ/4 + 0.3 I from a seeded stream, and a random Δ0.
    private func randomProblem(seed: UInt64 = 7) throws -> (h: DenseMatrix, kernel: SymmetricEigensystem, delta0: [Double]) {
        let rng = RandomSource(seed: seed)
        let n = 4
        var g = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { g[i, j] = rng.gaussian() } }
        var h = g * g.transposed
        for i in 0..<n {
            for j in 0..<n { h[i, j] /= 4 }
            h[i, i] += 0.3
        }
        let delta0 = (0..<n).map { _ in rng.gaussian() }
        return (h, try SymmetricEigensystem(h), delta0)
    }

    private func scalarKernel(_ lambda: Double) throws -> SymmetricEigensystem {
        try SymmetricEigensystem(DenseMatrix(rows: 1, columns: 1, elements: [lambda]))
    }

    private func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

    /// Checks the chain d/dt Δ^{(j)} = Δ^{(j+1)} (j < p−1) and the equation
    /// d/dt Δ^{(p−1)} = −Σ_j c_j(t) Δ^{(j)} − HΔ by central differences with step h, using H
    /// itself (not its eigensystem). Returns the largest error relative to ‖Δ0‖∞.
    private func odeResidual(_ sol: ModalSolution, flow: any ContinuousFlow, h hMatrix: DenseMatrix,
                             delta0: [Double], times: [Double], step: Double) throws -> Double {
        let p = flow.order
        var worst = 0.0
        for t in times {
            let d = try sol.derivatives(at: t)
            let plus = try sol.derivatives(at: t + step)
            let minus = try sol.derivatives(at: t - step)
            XCTAssertEqual(d.count, p)
            for j in 0..<p {
                let fd = zip(plus[j], minus[j]).map { ($0 - $1) / (2 * step) }
                var expected: [Double]
                if j < p - 1 {
                    expected = d[j + 1]
                } else {
                    expected = (hMatrix * d[0]).map { -$0 }
                    for i in 1..<max(1, p) {
                        let c = flow.damping(i, at: t)
                        for k in 0..<expected.count { expected[k] -= c * d[i][k] }
                    }
                }
                worst = max(worst, maxAbs(zip(fd, expected).map { $0 - $1 }))
            }
        }
        return worst / maxAbs(delta0)
    }

    // MARK: - ODE residuals

    func testGradientFlowODEResidual() throws {
        let (h, kernel, delta0) = try randomProblem()
        let flow = GradientFlow()
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
        let err = try odeResidual(sol, flow: flow, h: h, delta0: delta0, times: [0.1, 0.5, 1.3, 3], step: 1e-4)
        // Central-difference truncation h²/6·max|y'''| ≤ 1e-8/6·λ_max³ ≈ 1e-7 (λ_max ≈ 3.9); rounding ε/h ≈ 1e-12.
        XCTAssertLessThan(err, 2e-7)
    }

    func testGradientFlowMatchesMatrixExponentialSeries() throws {
        let (h, kernel, delta0) = try randomProblem()
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: GradientFlow())
        for t in [0.0, 0.25, 1.0, 2.0] {
            // e^{−tH}Δ0 = Σ_k (−tH)^k Δ0 / k!, summed directly from H (no eigen-decomposition).
            var term = delta0, sum = delta0
            for k in 1...80 {
                term = (h * term).map { -t * $0 / Double(k) }
                for i in 0..<sum.count { sum[i] += term[i] }
            }
            let got = try sol.residual(at: t)
            // t‖H‖ ≲ 10: the alternating Taylor sum loses at most e^{t‖H‖}·ε ≈ 1e-11 relative.
            XCTAssertLessThan(maxAbs(zip(got, sum).map { $0 - $1 }), 1e-10 * maxAbs(delta0), "t = \(t)")
        }
    }

    func testHeavyBallODEResidual() throws {
        let (h, kernel, delta0) = try randomProblem()
        // b²/4 = 0.5625 sits inside the spectrum, so both under- and overdamped modes occur.
        let flow = HeavyBallFlow(friction: 1.5)
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
        let err = try odeResidual(sol, flow: flow, h: h, delta0: delta0,
                                  times: [0.05, 0.4, 1, 2.5, 6], step: 1e-4)
        // Truncation h²/6·max|y⁽⁴⁾| with root magnitudes ≤ max(b, √λ_max) ≈ 2: ≈ 1e-8/6·16 ≈ 3e-8; rounding ε/h ≈ 1e-12.
        XCTAssertLessThan(err, 2e-7)
    }

    func testNesterovODEResidual() throws {
        let (h, kernel, delta0) = try randomProblem()
        let flow = NesterovFlow(gamma: 3)
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
        // Times cover both the series (√λ t ≤ 2√(ν+1)) and the Bessel branch.
        let err = try odeResidual(sol, flow: flow, h: h, delta0: delta0,
                                  times: [0.2, 0.7, 1.5, 3, 8], step: 1e-4)
        // Truncation h²/6·max|y⁽⁴⁾|, |y⁽⁴⁾| ≲ λ_max²·|y0| ≈ 15 (Bessel profiles are bounded by 1): ≈ 3e-8; rounding ε/h ≈ 1e-12.
        XCTAssertLessThan(err, 2e-7)
    }

    func testHigherOrderODEResidual() throws {
        let (h, kernel, delta0) = try randomProblem()
        let flow = HigherOrderMomentumFlow(coefficients: [3, 2])
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
        XCTAssertEqual(try sol.derivatives(at: 1).count, 3)
        let err = try odeResidual(sol, flow: flow, h: h, delta0: delta0,
                                  times: [0.1, 0.8, 2, 5], step: 1e-4)
        // Truncation h²/6·max|y⁽⁵⁾| with root magnitudes ≲ 2 and Σ|C_q| = O(1): ≈ 1e-8/6·32 ≈ 5e-8; rounding ε/h ≈ 1e-12.
        XCTAssertLessThan(err, 2e-7)
    }

    func testConstantCoefficientFallbackODEResidual() throws {
        let (h, kernel, delta0) = try randomProblem()
        let flow = ConstantDampingFlow(c: [1.1, 0.7, 2.0])
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
        let err = try odeResidual(sol, flow: flow, h: h, delta0: delta0, times: [0.3, 1.5, 4], step: 1e-4)
        // Same O(h²) truncation bound as above (root magnitudes ≲ 2, p = 4): h²/6·2⁶ ≈ 1e-7.
        XCTAssertLessThan(err, 2e-7)
    }

    // MARK: - Initial conditions

    func testInitialConditionsAllFlows() throws {
        let (_, kernel, delta0) = try randomProblem()
        let flows: [any ContinuousFlow] = [
            GradientFlow(), HeavyBallFlow(friction: 1.5), NesterovFlow(gamma: 3), NesterovFlow(gamma: 1),
            HigherOrderMomentumFlow(coefficients: [3, 2]), HigherOrderMomentumFlow(coefficients: [1, 2, 0.5]),
        ]
        for flow in flows {
            let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
            let d = try sol.derivatives(at: 0)
            XCTAssertEqual(d.count, flow.order, flow.name)
            // Q(QᵀΔ0) reproduces Δ0 to a few ulps (n = 4).
            XCTAssertLessThan(maxAbs(zip(d[0], delta0).map { $0 - $1 }), 1e-13, flow.name)
            for j in 1..<max(1, flow.order) {
                // Σ_q C_q s_q^j = 0 up to rounding amplified by Σ|C_q s_q^j| ≲ 10.
                XCTAssertLessThan(maxAbs(d[j]), 1e-12, "\(flow.name) derivative \(j)")
            }
            // residual(at:) is the same computation as derivatives(at:)[0], so bitwise equal.
            XCTAssertEqual(try sol.residual(at: 0.5), try sol.derivatives(at: 0.5)[0])
        }
    }

    func testNesterovMatchesSeriesStartNearZero() throws {
        let (h, kernel, delta0) = try randomProblem()
        let flow = NesterovFlow(gamma: 3)
        let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
        let t0 = 1e-3
        let d = try sol.derivatives(at: t0)
        let hd = h * delta0
        // Series start of NesterovFlow: Δ(t0) = Δ0 − t0²/(2(1+γ))HΔ0, Δ̇(t0) = −t0/(1+γ)HΔ0.
        let position = zip(delta0, hd).map { $0 - t0 * t0 / (2 * (1 + flow.gamma)) * $1 }
        let velocity = hd.map { -t0 / (1 + flow.gamma) * $0 }
        // Next series terms: t0⁴λ²/(8(1+γ)(3+γ)) ≈ 1e-12·25/192 for Δ, t0³λ²/(2(1+γ)(3+γ)) ≈ 3e-10 for Δ̇.
        XCTAssertLessThan(maxAbs(zip(d[0], position).map { $0 - $1 }), 1e-12 * maxAbs(delta0))
        XCTAssertLessThan(maxAbs(zip(d[1], velocity).map { $0 - $1 }), 1e-9 * maxAbs(delta0))
    }

    // MARK: - Heavy ball closed forms

    func testHeavyBallUnderdamped() throws {
        let lambda = 4.0, b = 1.0, y0 = 1.7
        let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0], flow: HeavyBallFlow(friction: b))
        let bigOmega = (lambda - b * b / 4).squareRoot()
        // t = 0.3 uses the power series (Ω²t² < 1), the others the cos/sin form.
        for t in [0.3, 0.6, 1.0, 2.5, 7, 20] {
            let d = try sol.derivatives(at: t)
            let y = y0 * exp(-b * t / 2) * (cos(bigOmega * t) + b / (2 * bigOmega) * sin(bigOmega * t))
            let v = -y0 * lambda / bigOmega * exp(-b * t / 2) * sin(bigOmega * t)
            // Both sides are a few well-conditioned double operations on O(1) numbers.
            XCTAssertEqual(d[0][0], y, accuracy: 1e-13, "t = \(t)")
            XCTAssertEqual(d[1][0], v, accuracy: 1e-13, "t = \(t)")
        }
    }

    func testHeavyBallCritical() throws {
        // λ = 2.25, b = 2√λ = 3 exactly, so b²/4 − λ = 0 exactly; λ = 2 has a rounded b.
        for lambda in [2.25, 2.0] {
            let root = lambda.squareRoot(), y0 = -0.9
            let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0],
                                        flow: HeavyBallFlow(friction: 2 * root))
            for t in [0.0, 0.1, 1, 3, 10, 40] {
                let d = try sol.derivatives(at: t)
                let y = y0 * (1 + root * t) * exp(-root * t)
                let v = -y0 * lambda * t * exp(-root * t)
                // Series in ω²t² with |ω²| ≲ ε·λ: the rounding of b enters as ε·λt² ≲ 1e-12 at t = 40, times e^{−√λ t}.
                XCTAssertEqual(d[0][0], y, accuracy: 1e-13, "λ = \(lambda), t = \(t)")
                XCTAssertEqual(d[1][0], v, accuracy: 1e-13, "λ = \(lambda), t = \(t)")
            }
        }
    }

    func testHeavyBallOverdamped() throws {
        let lambda = 1.0, b = 5.0, y0 = 2.2
        let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0], flow: HeavyBallFlow(friction: b))
        let disc = (b * b / 4 - lambda).squareRoot()
        let rPlus = -b / 2 + disc, rMinus = -b / 2 - disc
        for t in [0.3, 1, 4, 15, 60] {
            let d = try sol.derivatives(at: t)
            let y = y0 * (rPlus * exp(rMinus * t) - rMinus * exp(rPlus * t)) / (rPlus - rMinus)
            let v = y0 * rPlus * rMinus * (exp(rMinus * t) - exp(rPlus * t)) / (rPlus - rMinus)
            // rPlus = −b/2 + √… loses ≈ 1 digit to cancellation here (b²/4 = 6.25λ), so ~1e-15·t relative.
            XCTAssertEqual(d[0][0], y, accuracy: 1e-12 * abs(y0), "t = \(t)")
            XCTAssertEqual(d[1][0], v, accuracy: 1e-12 * abs(y0), "t = \(t)")
        }
    }

    func testHeavyBallOverdampedLargeTimeDoesNotOverflow() throws {
        let lambda = 1.0, b = 100.0, y0 = 1.0
        let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0], flow: HeavyBallFlow(friction: b))
        let t = 1000.0  // cosh(ωt) with ω ≈ 50 would be cosh(5e4) = ∞
        // Slow root −b/2 + √(b²/4 − λ) = (b/2)·expm1(½·log1p(−4λ/b²)), free of cancellation.
        let slow = (b / 2) * expm1(0.5 * log1p(-4 * lambda / (b * b)))
        let fast = -b - slow
        let y = y0 * (-fast) * exp(slow * t) / (slow - fast)  // the e^{fast·t} term underflows to 0
        let d = try sol.derivatives(at: t)
        XCTAssertTrue(d[0][0].isFinite && d[1][0].isFinite)
        // Relative: exp(slow·t) amplifies the ≈ε relative error of slow by |slow·t| ≈ 10.
        XCTAssertEqual(d[0][0], y, accuracy: 1e-13 * abs(y))
        XCTAssertEqual(d[1][0], slow * y, accuracy: 1e-13 * abs(y))
        let late = try sol.derivatives(at: 1e7)
        XCTAssertEqual(late[0][0], 0)  // e^{−1e5} underflows to exactly 0, no NaN from ∞·0
    }

    func testHeavyBallContinuityThroughCriticalDamping() throws {
        let lambda = 2.25, y0 = 1.0
        let bc = 2 * lambda.squareRoot()
        let critical = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0], flow: HeavyBallFlow(friction: bc))
        for factor in [1 - 1e-9, 1 + 1e-9] {
            let near = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0],
                                         flow: HeavyBallFlow(friction: bc * factor))
            for t in [0.5, 2, 5, 20, 1e5] {
                let a = try critical.derivatives(at: t), c = try near.derivatives(at: t)
                // First order in δb = 3e-9: ∂y/∂b = y0λt³e^{−√λt}/6 ≤ 0.15 and |∂ẏ/∂b| = λe^{−√λt}|t²/2 − √λt³/6| ≤ 0.1
                // at critical damping (λ = 2.25), so the two solutions differ by ≤ 4.5e-10.
                XCTAssertEqual(a[0][0], c[0][0], accuracy: 1e-9, "factor \(factor), t = \(t)")
                XCTAssertEqual(a[1][0], c[1][0], accuracy: 1e-9, "factor \(factor), t = \(t)")
            }
        }
    }

    // MARK: - Nesterov Bessel solution

    func testNesterovGamma3MatchesJ1() throws {
        let lambda = 4.0, y0 = 1.3
        let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0], flow: NesterovFlow(gamma: 3))
        // x = 2t; the series branch is x ≤ √8 ≈ 2.83, the Bessel branch beyond.
        for t in [0.05, 0.5, 1.2, 1.5, 3, 7.7, 25] {
            let x = 2 * t
            let d = try sol.derivatives(at: t)
            // ν = 1: y = 2y0 J₁(x)/x; ẏ = −y0 λ t·Γ(3)(2/x)²J₂(x)/(γ+1) = −2y0 λ t J₂(x)/x².
            XCTAssertEqual(d[0][0], 2 * y0 * j1(x) / x, accuracy: 1e-12, "t = \(t)")
            XCTAssertEqual(d[1][0], -2 * y0 * lambda * t * jn(2, x) / (x * x), accuracy: 1e-12, "t = \(t)")
        }
    }

    func testNesterovGamma7MatchesJ3() throws {
        let lambda = 2.0, y0 = -0.6
        let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0], flow: NesterovFlow(gamma: 7))
        // x = √2 t; the series branch is x ≤ 4, the Bessel branch beyond.
        for t in [0.4, 2, 2.8, 3, 6, 15, 40] {
            let x = lambda.squareRoot() * t
            let d = try sol.derivatives(at: t)
            // ν = 3: Γ(4)·2³ = 48, y = 48y0 J₃(x)/x³; ẏ = −y0 λ t·Γ(5)2⁴J₄(x)/x⁴/8 = −48 y0 λ t J₄(x)/x⁴.
            XCTAssertEqual(d[0][0], 48 * y0 * jn(3, x) / (x * x * x), accuracy: 1e-12, "t = \(t)")
            XCTAssertEqual(d[1][0], -48 * y0 * lambda * t * jn(4, x) / pow(x, 4), accuracy: 1e-12, "t = \(t)")
        }
    }

    func testNesterovSeriesAgreesWithBesselAtSwitchover() throws {
        for nu in [0.0, 0.5, 1, 2.75, 3, 10.5, 40] {
            let x = ModalSolution.besselSeriesLimit(nu: nu).squareRoot()
            let lg = try SpecialFunctions.logGamma(nu + 1)
            let series = ModalSolution.besselProfileSeries(nu: nu, x: x)
            let bessel = try ModalSolution.besselProfileBessel(nu: nu, logGammaNuPlus1: lg, x: x)
            // The series loses ≲ 1 digit (Σ|terms| ≤ 10|sum|); GSL's J_ν is good to a few ulps; lnΓ rounding ≈ ε·ν ln ν.
            XCTAssertEqual(series, bessel, accuracy: 1e-12 * abs(bessel), "ν = \(nu)")
        }
        // Large ν well inside x < ν, where J_100(25) ≈ 1e-45 and Γ(101)(2/25)^100 ≈ 1e48 must be combined in logs.
        let lg100 = try SpecialFunctions.logGamma(101)
        let viaBessel = try ModalSolution.besselProfileBessel(nu: 100, logGammaNuPlus1: lg100, x: 25)
        // The series there loses ≈ I_ν/J_ν ≈ e^{x²/(2ν)} ≈ 22 ulps; lnΓ(101) ≈ 363 carries ≈ 363ε ≈ 1e-13 relative.
        XCTAssertEqual(ModalSolution.besselProfileSeries(nu: 100, x: 25), viaBessel, accuracy: 1e-12 * abs(viaBessel))
        // Half-integer order has an elementary form: ν = 1/2 gives Γ(3/2)(2/x)^{1/2}J_{1/2}(x) = sin x / x.
        for x in [0.3, 1.9, 2.5, 6.0] {
            let lg = try SpecialFunctions.logGamma(1.5)
            // Both branches are accurate to ~1e-15 relative for these O(1) arguments.
            XCTAssertEqual(try ModalSolution.besselProfile(nu: 0.5, logGammaNuPlus1: lg, x: x), sin(x) / x, accuracy: 1e-13)
        }
    }

    // MARK: - Higher order

    func testHigherOrderMatchesRK4() throws {
        let lambda = 1.7, y0 = 0.8, b1 = 3.0, b2 = 2.0
        let sol = try ModalSolution(kernel: try scalarKernel(lambda), initialResidual: [y0],
                                    flow: HigherOrderMomentumFlow(coefficients: [b1, b2]))
        // y''' = −b2 y'' − b1 y' − λ y with classical RK4, step h = 1e-3.
        func f(_ s: [Double]) -> [Double] { [s[1], s[2], -b2 * s[2] - b1 * s[1] - lambda * s[0]] }
        var state = [y0, 0, 0]
        let h = 1e-3
        var step = 0
        for target in 1...6 {
            while Double(step) * h < Double(target) - h / 2 {
                let k1 = f(state)
                let k2 = f(zip(state, k1).map { $0 + h / 2 * $1 })
                let k3 = f(zip(state, k2).map { $0 + h / 2 * $1 })
                let k4 = f(zip(state, k3).map { $0 + h * $1 })
                for i in 0..<3 { state[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
                step += 1
            }
            let d = try sol.derivatives(at: Double(step) * h)
            for j in 0..<3 {
                // RK4 global error ≈ C·h⁴·t, h⁴ = 1e-12, with C ~ |s|⁵/120 ≲ 1 for |s| ≲ 2: ≲ 6e-12.
                XCTAssertEqual(d[j][0], state[j], accuracy: 1e-11, "t = \(target), derivative \(j)")
            }
        }
    }

    func testHigherOrderJ1MatchesHeavyBall() throws {
        let (_, kernel, delta0) = try randomProblem()
        for b in [0.4, 1.5, 4.0] {
            let hbf = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: HeavyBallFlow(friction: b))
            let generic = try ModalSolution(kernel: kernel, initialResidual: delta0,
                                            flow: HigherOrderMomentumFlow(coefficients: [b]))
            let custom = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: ConstantDampingFlow(c: [b]))
            for t in [0.0, 0.3, 1, 4, 12] {
                let a = try hbf.derivatives(at: t), c = try generic.derivatives(at: t)
                let e = try custom.derivatives(at: t)
                for j in 0..<2 {
                    // The root form cancels two terms of size Σ|C_q| ≲ 1/(relative root gap) ≲ 1e2 here, so ≈ 1e-14.
                    XCTAssertLessThan(maxAbs(zip(a[j], c[j]).map { $0 - $1 }), 1e-11 * maxAbs(delta0), "b = \(b), t = \(t)")
                    XCTAssertEqual(c[j], e[j], "b = \(b), t = \(t)")
                }
            }
        }
    }

    func testZeroEigenvalueModesStayConstant() throws {
        let kernel = try SymmetricEigensystem(DenseMatrix.diagonal([0, 1, -1e-14]))  // −1e-14 is clamped to 0
        let delta0 = [0.5, -1.0, 2.0]
        let flows: [any ContinuousFlow] = [GradientFlow(), HeavyBallFlow(friction: 0.7), NesterovFlow(gamma: 4),
                                           HigherOrderMomentumFlow(coefficients: [1, 1])]
        for flow in flows {
            let sol = try ModalSolution(kernel: kernel, initialResidual: delta0, flow: flow)
            let d = try sol.derivatives(at: 3)
            // λ = 0 modes are exactly y0 with zero derivatives; only rotation rounding (exact for a diagonal H).
            XCTAssertEqual(d[0][0], 0.5, accuracy: 1e-15, flow.name)
            XCTAssertEqual(d[0][2], 2.0, accuracy: 1e-15, flow.name)
            for j in 1..<max(1, flow.order) {
                XCTAssertEqual(d[j][0], 0, accuracy: 1e-15, flow.name)
                XCTAssertEqual(d[j][2], 0, accuracy: 1e-15, flow.name)
            }
        }
    }

    // MARK: - Rejected inputs

    func testRejectsNegativeEigenvalue() throws {
        let kernel = try SymmetricEigensystem(DenseMatrix.diagonal([-0.5, 1, 2]))
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: [1, 1, 1], flow: GradientFlow())) {
            XCTAssertTrue($0 is InputError, "\($0)")
        }
    }

    func testRejectsWrongLengthAndNonFiniteInputs() throws {
        let (_, kernel, _) = try randomProblem()
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: [1, 2, 3], flow: GradientFlow())) {
            XCTAssertTrue($0 is InputError, "\($0)")
        }
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: [1, .nan, 0, 0], flow: GradientFlow())) {
            XCTAssertTrue($0 is InputError, "\($0)")
        }
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: [1, 0, 0, 0], flow: HeavyBallFlow(friction: .infinity)))
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: [1, 0, 0, 0], flow: HeavyBallFlow(friction: -1)))
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: [1, 0, 0, 0],
                                               flow: HigherOrderMomentumFlow(coefficients: [1, .nan])))
        let sol = try ModalSolution(kernel: kernel, initialResidual: [1, 0, 0, 0], flow: GradientFlow())
        XCTAssertThrowsError(try sol.derivatives(at: -1)) { XCTAssertTrue($0 is InputError, "\($0)") }
        XCTAssertThrowsError(try sol.derivatives(at: .nan)) { XCTAssertTrue($0 is InputError, "\($0)") }
    }

    func testRejectsNesterovGammaBelowOne() throws {
        let (_, kernel, delta0) = try randomProblem()
        XCTAssertThrowsError(try ModalSolution(kernel: kernel, initialResidual: delta0, flow: NesterovFlow(gamma: 0.5))) {
            XCTAssertTrue($0 is InputError, "\($0)")
            XCTAssertTrue("\($0)".contains("γ ≥ 1"), "\($0)")
        }
    }

    func testRejectsRepeatedCharacteristicRoots() throws {
        let one = try scalarKernel(1), two = try scalarKernel(2)
        // (s+1)³ = s³ + 3s² + 3s + 1: triple root for λ = 1.
        XCTAssertThrowsError(try ModalSolution(kernel: one, initialResidual: [1], flow: HigherOrderMomentumFlow(coefficients: [3, 3]))) {
            XCTAssertTrue($0 is ModalSolutionError, "\($0)")
        }
        // (s+1)²(s+2) = s³ + 4s² + 5s + 2: double root for λ = 2.
        XCTAssertThrowsError(try ModalSolution(kernel: two, initialResidual: [1], flow: HigherOrderMomentumFlow(coefficients: [5, 4]))) {
            XCTAssertTrue($0 is ModalSolutionError, "\($0)")
        }
        // J = 1 at critical damping b = 2√λ: double root −1 (the HBF closed form handles this case).
        XCTAssertThrowsError(try ModalSolution(kernel: one, initialResidual: [1], flow: HigherOrderMomentumFlow(coefficients: [2]))) {
            XCTAssertTrue($0 is ModalSolutionError, "\($0)")
        }
        XCTAssertNoThrow(try ModalSolution(kernel: one, initialResidual: [1], flow: HeavyBallFlow(friction: 2)))
    }
}
