import Foundation
import XCTest
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport

/// Tests of `LinearRegime` (the heavy-ball / Nesterov transition matrix on a frozen kernel)
/// against references that do not use its 2×2 block machinery: the full 2n×2n matrix built
/// entry by entry, its characteristic polynomial (Faddeev–LeVerrier) and GSL's polynomial
/// roots, matrix powers through DenseMatrix products, spectral norms from GSL's symmetric
/// eigensolver on (M^k)ᵀM^k, and the optimizers' own update rules.
final class LinearRegimeTests: XCTestCase {
    // MARK: - Fixtures and independent references

    /// A random orthogonal n×n matrix: the eigenvectors of a seeded random symmetric matrix.
    private func randomOrthogonal(_ n: Int, seed: UInt64) throws -> DenseMatrix {
        let rng = RandomSource(seed: seed)
        var g = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { g[i, j] = rng.gaussian() } }
        var s = g
        for i in 0..<n { for j in 0..<n { s[i, j] = g[i, j] + g[j, i] } }
        return try SymmetricEigensystem(s).vectors
    }

    /// H = Q diag(λ) Qᵀ with a random rotation, so the full matrix is not block diagonal.
    private func rotatedKernel(_ lambdas: [Double], seed: UInt64 = 11) throws -> DenseMatrix {
        let q = try randomOrthogonal(lambdas.count, seed: seed)
        return q * DenseMatrix.diagonal(lambdas) * q.transposed
    }

    /// Spectrum used for the mixed real/complex cases, with η = 1, β = 0.3:
    /// heavy ball: ηλ = 0.05 gives a real pair ((1 − √0.05)² ≈ 0.60 > β), the others complex
    /// pairs of modulus √0.3; Nesterov (complex iff 0 < 1 − ηλ < 4β/(1+β)² ≈ 0.71): 0.05 real,
    /// 0.3 complex, 1.0 a nilpotent block (double root 0), 1.9 real with 1 − ηλ < 0.
    private let mixedSpectrum: [Double] = [0.05, 0.3, 1.0, 1.9]

    /// Coefficients (lowest degree first) of det(zI − A) by Faddeev–LeVerrier.
    private func characteristicPolynomial(_ a: DenseMatrix) -> [Double] {
        let n = a.rows
        var c = [Double](repeating: 0, count: n + 1)
        c[n] = 1
        var mk = DenseMatrix(rows: n, columns: n)           // M_0 = 0
        for k in 1...n {
            mk = a * mk
            for i in 0..<n { mk[i, i] += c[n - k + 1] }      // M_k = A M_{k−1} + c_{n−k+1} I
            let amk = a * mk
            var trace = 0.0
            for i in 0..<n { trace += amk[i, i] }
            c[n - k] = -trace / Double(k)
        }
        return c
    }

    private func matrixPower(_ m: DenseMatrix, _ k: Int) -> DenseMatrix {
        var p = DenseMatrix.identity(m.rows)
        for _ in 0..<k { p = m * p }
        return p
    }

    /// ‖A‖₂ = √λmax(AᵀA) with GSL's symmetric eigensolver.
    private func spectralNorm(_ a: DenseMatrix) throws -> Double {
        try SymmetricEigensystem(a.transposed * a).maximum.squareRoot()
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { hypot($0, $1) } }

    /// 001 Corollary 1 / Appendix H.1 setting: H = diag(1/κ, 1), η = 1, β = (1 − 1/(2√κ))².
    private func corollary1Regime(kappa: Double) throws -> LinearRegime {
        let p = LinearRegime.corollary1Parameters(lambdaMin: 1 / kappa, lambdaMax: 1)
        XCTAssertEqual(p.stepSize, 1)
        return try LinearRegime(eigenvalues: [1 / kappa, 1], stepSize: p.stepSize, momentum: p.momentum, method: .heavyBall)
    }

    // MARK: - The matrices are the optimizers' recursions

    /// The full matrices reproduce heavy ball's and Nesterov's own updates on the quadratic
    /// ½(w − w*)ᵀH(w − w*) (errors e = w − w*), and 003 eq. (23)'s −βH0 top-right block does not.
    func testTransitionMatricesReproduceTheUpdateRules() throws {
        let h = try rotatedKernel(mixedSpectrum)
        let n = h.rows, eta = 0.4, beta = 0.6
        let rng = RandomSource(seed: 3)
        let e0 = (0..<n).map { _ in rng.gaussian() }
        func gradient(_ e: [Double]) -> [Double] { h * e }
        func sub(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { $0 - $1 } }
        func maxDiff(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { max($0, abs($1.0 - $1.1)) } }

        // Heavy ball, w_{−1} = w_0: e_{k+1} = e_k − ηHe_k + β(e_k − e_{k−1}).
        var hb = [e0, e0]
        for k in 1...6 {
            let g = gradient(hb[k])
            hb.append((0..<n).map { hb[k][$0] - eta * g[$0] + beta * (hb[k][$0] - hb[k - 1][$0]) })
        }
        let mHB = LinearRegime.transitionMatrix(kernel: h, stepSize: eta, momentum: beta, method: .heavyBall)
        var slip = mHB                                         // 003 eq. (23) as printed
        for i in 0..<n { for j in 0..<n { slip[i, n + j] = -beta * h[i, j] } }
        var worstSlip = 0.0
        for k in 1...6 {
            let predicted = mHB * (hb[k] + hb[k - 1])
            // Same arithmetic in a different order: agreement to rounding, 1e-13 on O(1) values.
            XCTAssertLessThan(maxDiff(predicted, hb[k + 1] + hb[k]), 1e-13)
            worstSlip = max(worstSlip, maxDiff(slip * (hb[k] + hb[k - 1]), hb[k + 1] + hb[k]))
        }
        XCTAssertGreaterThan(worstSlip, 1e-3, "−βH0 in the top-right block should not reproduce heavy ball")

        // Nesterov (003 (4)–(5)), v_0 = w_0: v_{k+1} = w_k − η∇L(w_k); w_{k+1} = v_{k+1} + β(v_{k+1} − v_k).
        var w = [e0], v = [e0]
        for k in 0...6 {
            v.append(sub(w[k], gradient(w[k]).map { eta * $0 }))
            w.append((0..<n).map { v[k + 1][$0] + beta * (v[k + 1][$0] - v[k][$0]) })
        }
        let mNAG = LinearRegime.transitionMatrix(kernel: h, stepSize: eta, momentum: beta, method: .nesterov)
        for k in 1...6 {   // from k = 1 on (the first step uses v_0 = w_0, not a w_{−1})
            XCTAssertLessThan(maxDiff(mNAG * (w[k] + w[k - 1]), w[k + 1] + w[k]), 1e-13)
        }

        // The regime's own full matrix (from the eigen-decomposition) equals the one from H.
        let regime = try LinearRegime(kernel: h, stepSize: eta, momentum: beta, method: .heavyBall)
        let rebuilt = regime.transitionMatrix
        // Q diag(λ) Qᵀ reassembled from GSL's eigenvectors: rounding of O(1) entries, 1e-13.
        XCTAssertLessThan(zip(rebuilt.elements, mHB.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }, 1e-13)
    }

    // MARK: - Spectral radius

    /// ρ(M) from the 2×2 blocks against the roots of the full 2n×2n matrix's characteristic
    /// polynomial (Faddeev–LeVerrier, then GSL's gsl_poly_complex_solve), for heavy ball and
    /// Nesterov on a rotated kernel whose blocks mix complex, real and repeated roots.
    func testSpectralRadiusMatchesFullMatrixEigenvalues() throws {
        let h = try rotatedKernel(mixedSpectrum)
        for method in LinearRegime.Method.allCases {
            let regime = try LinearRegime(kernel: h, stepSize: 1, momentum: 0.3, method: method)
            let kinds = Set(regime.blocks.map(\.rootKind))
            XCTAssertTrue(kinds.contains(.complexConjugate) && kinds.contains(.distinctReal), "\(method): \(kinds)")
            if method == .nesterov { XCTAssertTrue(kinds.contains(.repeated)) }

            let full = LinearRegime.transitionMatrix(kernel: h, stepSize: 1, momentum: 0.3, method: method)
            let roots = try SpecialFunctions.polynomialRoots(coefficients: characteristicPolynomial(full))
            let rhoFull = roots.reduce(0) { max($0, $1.magnitude) }
            // The largest-modulus root (≈ 0.926 for HB, ≈ 1.43 for NAG) is simple and isolated;
            // LeVerrier on an 8×8 matrix with O(1) entries gives coefficients to ~1e-14, so it
            // moves by ~1e-13. 1e-10 leaves a wide margin.
            XCTAssertEqual(regime.spectralRadius, rhoFull, accuracy: 1e-10, "\(method)")
            XCTAssertEqual(regime.lossRatePerIteration, rhoFull * rhoFull, accuracy: 1e-10)

            // Every block eigenvalue is a root of the full polynomial. The double root 0 of the
            // nilpotent Nesterov block is only determined to ~√ε ≈ 1e-8, hence 1e-6.
            for z in regime.transitionEigenvalues {
                let nearest = roots.map { ($0 - z).magnitude }.min()!
                XCTAssertLessThan(nearest, 1e-6, "\(method): block eigenvalue \(z) not found among \(roots)")
            }
        }
    }

    /// Closed forms of a single block against GSL: eigenvalues against gsl_poly_complex_solve,
    /// singular values against the eigenvalues of BᵀB.
    func testBlockClosedFormsMatchGSL() throws {
        let rng = RandomSource(seed: 5)
        for _ in 0..<50 {
            let b = LinearRegime.Block(rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian())
            let roots = try SpecialFunctions.polynomialRoots(coefficients: [b.determinant, -b.trace, 1])
            let z = b.eigenvalues
            for r in [z.0, z.1] {
                // Simple roots of a quadratic with O(1) coefficients agree to ~1e-15; a nearly
                // double root is only determined to ~√ε·|z| ≈ 1e-8, hence 1e-7.
                XCTAssertLessThan(roots.map { ($0 - r).magnitude }.min()!, 1e-7)
            }
            XCTAssertEqual(b.spectralRadius, max(roots[0].magnitude, roots[1].magnitude), accuracy: 1e-7)
            let m = DenseMatrix(rows: 2, columns: 2, elements: [b.a, b.b, b.c, b.d])
            let gram = try SymmetricEigensystem(m.transposed * m)
            let sv = b.singularValues
            // Eigenvalues of a 2×2 Gram matrix to ~1e-15 relative; σ2 via √ of a possibly tiny
            // eigenvalue is only absolute-accurate, so compare σ2² with 1e-12 absolute.
            XCTAssertEqual(sv.largest, gram.maximum.squareRoot(), accuracy: 1e-12 * sv.largest)
            XCTAssertEqual(sv.smallest * sv.smallest, gram.minimum, accuracy: 1e-12 * max(1, gram.maximum))
            XCTAssertEqual(sv.largest * sv.smallest, abs(b.determinant), accuracy: 1e-12 * max(1, gram.maximum))
        }
    }

    // MARK: - Norms of powers

    /// ‖M^k‖₂ from the blocks against the full matrix power (DenseMatrix products) and its
    /// spectral norm from the eigenvalues of (M^k)ᵀM^k; also ‖M^k v‖ for a fixed v.
    func testPowerNormsMatchFullMatrixPowers() throws {
        let h = try rotatedKernel(mixedSpectrum)
        let rng = RandomSource(seed: 9)
        let v = (0..<(2 * h.rows)).map { _ in rng.gaussian() }
        for (method, eta, beta) in [(LinearRegime.Method.heavyBall, 1.0, 0.3), (.heavyBall, 0.5, 0.8), (.nesterov, 0.5, 0.8)] {
            let regime = try LinearRegime(kernel: h, stepSize: eta, momentum: beta, method: method)
            let full = LinearRegime.transitionMatrix(kernel: h, stepSize: eta, momentum: beta, method: method)
            let rho = regime.spectralRadius
            let iterates = regime.scaledIterateNorms(of: v, maxIterations: 50)
            for k in [0, 1, 2, 3, 7, 20, 50] {
                let mk = matrixPower(full, k)
                let reference = try spectralNorm(mk)
                // Both sides are well-conditioned computations on numbers of size ≤ ~10:
                // relative agreement to ~k·1e-15; 1e-10 relative is generous.
                XCTAssertEqual(regime.powerNorm(k), reference, accuracy: 1e-10 * reference, "\(method) η=\(eta) β=\(beta) k=\(k)")
                XCTAssertEqual(regime.scaledPowerNorm(k) * pow(rho, Double(k)), reference, accuracy: 1e-10 * reference)
                let mkv = norm(mk * v)
                XCTAssertEqual(iterates[k] * pow(rho, Double(k)), mkv, accuracy: 1e-10 * mkv, "‖M^k v‖, k=\(k)")
            }
            // The transient maximum over k ≤ 50 is one of the values above or in between: check
            // it against the full-matrix maximum over all k ≤ 50.
            let transient = regime.transientConstant(maxIterations: 50)
            var worst = 1.0, p = DenseMatrix.identity(full.rows)
            for k in 1...50 {
                p = full * p
                worst = max(worst, try spectralNorm(p) / pow(rho, Double(k)))
            }
            XCTAssertEqual(transient.value, worst, accuracy: 1e-10 * worst)
            XCTAssertEqual(transient.value, regime.scaledPowerNorm(transient.atIteration), accuracy: 1e-10 * worst)
        }
    }

    /// A repeated root (heavy ball at β = (1 − √ηλ)², a Jordan block) makes ‖B^k‖/ρ^k grow like
    /// k; a nilpotent Nesterov block (ηλ = 1) has ρ = 0 and B² = 0.
    func testRepeatedAndNilpotentBlocks() throws {
        let z = 0.09, beta = (1 - z.squareRoot()) * (1 - z.squareRoot())   // β = 0.49
        let jordan = try LinearRegime(eigenvalues: [z], stepSize: 1, momentum: beta, method: .heavyBall)
        XCTAssertEqual(jordan.blocks[0].rootKind, .repeated)
        XCTAssertEqual(jordan.spectralRadius, 0.7, accuracy: 1e-7)           // double root 1 − √z; rounding moves it by ~√ε
        let short = jordan.transientConstant(maxIterations: 100).value
        let long = jordan.transientConstant(maxIterations: 400).value
        XCTAssertGreaterThan(long, 3 * short, "Jordan block: ‖B^k‖/ρ^k ∝ k")

        let nilpotent = try LinearRegime(eigenvalues: [2], stepSize: 0.5, momentum: 0.7, method: .nesterov)
        XCTAssertEqual(nilpotent.spectralRadius, 0)
        XCTAssertEqual(nilpotent.powerNorm(1), 1)
        XCTAssertEqual(nilpotent.powerNorm(2), 0)
    }

    // MARK: - 001 Theorem 5 and its constant C0

    /// 001 Corollary 1's setting on H = diag(1/κ, 1): every block has |z| = √β, and the worst
    /// ratio max_k ‖M^k‖/β^{k/2} is ABOVE the C0 printed in 001 (10)/(44) — the slip — and at
    /// or below the corrected C0 = 2(1+β)/√(min h); it approaches the exact eigenvector condition
    /// number cond(Q) of the proof's (52).
    func testPrintedC0IsExceededAndCorrectedC0Holds() throws {
        // Values found (K = 10 000): κ = 4: β = 0.5625, printed 2.4343, worst 4.05682 (k = 5225),
        // cond(Q) 4.056816, corrected 4.3033. κ = 100: β = 0.9025, printed 11.566, worst
        // 22.51674 (k = 1891), cond(Q) 22.516739, corrected 22.5612.
        let expected: [(kappa: Double, printed: Double, corrected: Double, condition: Double)] = [
            (4, 2.434322477800738, 4.303314829119352, 4.056816103391),
            (100, 11.566019072586357, 22.561150088108903, 22.516738683150),
        ]
        for e in expected {
            let regime = try corollary1Regime(kappa: e.kappa)
            let rootBeta = regime.momentum.squareRoot()
            XCTAssertTrue(regime.allBlocksComplex)
            XCTAssertTrue(regime.theorem5Applies)
            for b in regime.blocks { XCTAssertEqual(b.spectralRadius, rootBeta, accuracy: 1e-15) }   // |z| = √det = √β

            let printed = try XCTUnwrap(regime.theorem5C0(.printed))
            let corrected = try XCTUnwrap(regime.theorem5C0(.corrected))
            let condition = try XCTUnwrap(regime.theorem5C0(.eigenvectorCondition))
            // Hand/numpy values of the closed forms, to rounding.
            XCTAssertEqual(printed, e.printed, accuracy: 1e-12 * e.printed)
            XCTAssertEqual(corrected, e.corrected, accuracy: 1e-12 * e.corrected)
            XCTAssertEqual(condition, e.condition, accuracy: 1e-11 * e.condition)
            XCTAssertEqual(corrected / printed, (2 * (1 + regime.momentum)).squareRoot(), accuracy: 1e-14)

            let worst = regime.transientConstant(maxIterations: 10_000, rate: rootBeta)
            XCTAssertGreaterThan(worst.value, printed, "κ = \(e.kappa): printed C0 should be exceeded")
            XCTAssertLessThanOrEqual(worst.value, corrected, "κ = \(e.kappa): corrected C0 must hold")
            // ‖B^k‖/ρ^k ≤ cond(Q) exactly; the scaled products carry ≤ k·ε·cond ≈ 1e-11 relative error.
            XCTAssertLessThanOrEqual(worst.value, condition * (1 + 1e-9))
            // The rotation angles are irrational multiples of π, so the sup is approached:
            // within 1e-6 relative by k = 10 000 (measured 7e-10 for κ = 4, 8e-9 for κ = 100).
            XCTAssertEqual(worst.value, condition, accuracy: 1e-6 * condition)
            // Corollary 1's C0 ≤ 4√κ survives the correction.
            XCTAssertLessThanOrEqual(corrected, LinearRegime.corollary1Bound(conditionNumber: e.kappa))

            // The slip for a concrete initial vector: the worst direction at the worst k
            // (top right singular vector of M^k, from GSL) violates (9) with the printed C0 …
            let k = worst.atIteration
            let full = regime.transitionMatrix
            var mk = DenseMatrix.identity(4)
            let scaled = DenseMatrix(rows: 4, columns: 4, elements: full.elements.map { $0 / rootBeta })
            for _ in 0..<k { mk = scaled * mk }
            let gram = try SymmetricEigensystem(mk.transposed * mk)
            let vWorst = (0..<4).map { gram.vectors[$0, 3] }
            let forV = regime.transientConstant(for: vWorst, maxIterations: k, rate: rootBeta)
            XCTAssertGreaterThan(forV.value, printed)
            XCTAssertEqual(forV.value, worst.value, accuracy: 1e-8 * worst.value)
            // … and so does ξ_0 = e_min, ξ_{−1} = 0 (3.34 for κ = 4, 16.34 for κ = 100), while the
            // heavy-ball start ξ_{−1} = ξ_0 stays at about 1.18, below both constants.
            let kick = regime.transientConstant(for: [1, 0, 0, 0], maxIterations: 2000, rate: rootBeta)
            XCTAssertGreaterThan(kick.value, printed)
            let rest = regime.transientConstant(for: [1, 0, 1, 0], maxIterations: 2000, rate: rootBeta)
            XCTAssertLessThan(rest.value, printed)
            // Thm 5's bound with the corrected C0 holds along both trajectories.
            for v in [[1.0, 0, 0, 0], [1.0, 0, 1, 0], vWorst] {
                let norms = regime.scaledIterateNorms(of: v, maxIterations: 2000, rate: rootBeta)
                XCTAssertLessThanOrEqual(norms.max()!, corrected * norm(v))
                let b = try XCTUnwrap(regime.theorem5Bound(iteration: 10, initialNorm: norm(v)))
                XCTAssertEqual(b, corrected * pow(regime.momentum, 5) * norm(v), accuracy: 1e-14 * b)
            }
        }
    }

    /// Corollary 1's parameters over a range of κ: the corrected C0 is still ≤ 4√κ, and the
    /// printed C0 falls below the exact eigenvector condition number every time.
    func testCorrectedC0WithinCorollary1Bound() throws {
        for kappa in [1.0, 1.5, 2, 4, 10, 30, 100, 1e3, 1e4, 1e6] {
            let p = LinearRegime.corollary1Parameters(lambdaMin: 1 / kappa, lambdaMax: 1)
            let range = (1 / kappa)...1.0
            let printed = try XCTUnwrap(LinearRegime.printedC0(momentum: p.momentum, scaledEigenvalueRange: range))
            let corrected = try XCTUnwrap(LinearRegime.correctedC0(momentum: p.momentum, scaledEigenvalueRange: range))
            let condition = try XCTUnwrap(LinearRegime.theorem5C0(.eigenvectorCondition, momentum: p.momentum,
                                                                  scaledEigenvalueRange: range))
            XCTAssertLessThanOrEqual(corrected, LinearRegime.corollary1Bound(conditionNumber: kappa), "κ = \(kappa)")
            XCTAssertLessThan(printed, condition, "κ = \(kappa)")
            XCTAssertLessThanOrEqual(condition, corrected, "κ = \(kappa)")
        }
        // Outside the hypothesis (β ≤ (1 − √(ηλmin))²) there is no C0.
        XCTAssertNil(LinearRegime.printedC0(momentum: 0.1, scaledEigenvalueRange: 0.01...1))
        let nag = try LinearRegime(eigenvalues: [0.25, 1], stepSize: 1, momentum: 0.5625, method: .nesterov)
        XCTAssertNil(nag.theorem5C0(.corrected))
    }

    // MARK: - 000 Lemma 3

    /// 000 Lemma 3 bounds ‖[[(1+β)I − ηH, −βI], [I, 0]]‖₂ by √β; the norm is ≥ 1 (its row
    /// [I, 0] has norm 1), and only the spectral radius is ≤ √β. Checked for 001's Corollary 1
    /// parameters (κ = 4, 100) and 000's own recipe η = 1/(2λmax), β = (1 − √(ηλmin/2))².
    func testLemma3BoundsTheSpectralRadiusNotTheNorm() throws {
        var cases: [LinearRegime] = [try corollary1Regime(kappa: 4), try corollary1Regime(kappa: 100)]
        let lambdas = [0.02, 0.3, 0.7, 1.0]
        let eta = 1 / (2 * lambdas.max()!)
        let r = 1 - (eta * lambdas.min()! / 2).squareRoot()
        cases.append(try LinearRegime(kernel: try rotatedKernel(lambdas), stepSize: eta, momentum: r * r, method: .heavyBall))
        for regime in cases {
            let rootBeta = regime.momentum.squareRoot()
            let reference = try spectralNorm(regime.transitionMatrix)
            XCTAssertEqual(regime.spectralNorm, reference, accuracy: 1e-12 * reference)
            XCTAssertGreaterThanOrEqual(regime.spectralNorm, 1)
            XCTAssertGreaterThan(regime.spectralNorm, rootBeta, "000 Lemma 3's bound ‖M‖ ≤ √β fails")
            XCTAssertLessThanOrEqual(regime.spectralRadius, rootBeta * (1 + 1e-14), "ρ(M) ≤ √β (000 Lemma 5)")
        }
    }
}
