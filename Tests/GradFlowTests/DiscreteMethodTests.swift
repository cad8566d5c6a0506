import Foundation
import XCTest
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport

/// The discrete methods (Iterations/) against independent references: the exact linear
/// recursions on a frozen kernel, hand-evaluated recipe formulas, the exact modal solution of
/// the matching flows, and a hand-solved Gauss–Newton step.
final class DiscreteMethodTests: XCTestCase {
    // MARK: - Fixtures

    /// H = GGᵀ/4 + 0.3 I (4×4 SPD) from a seeded stream, and a random ξ0.
    private func frozenProblem(seed: UInt64 = 11) throws -> (field: FrozenKernelErrorModel, h: DenseMatrix, xi0: [Double], eigen: SymmetricEigensystem) {
        let rng = RandomSource(seed: seed)
        let n = 4
        var g = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { g[i, j] = rng.gaussian() } }
        var h = g * g.transposed
        for i in 0..<n {
            for j in 0..<n { h[i, j] /= 4 }
            h[i, i] += 0.3
        }
        let xi0 = (0..<n).map { _ in rng.gaussian() }
        return (try FrozenKernelErrorModel(kernel: h, source: "test"), h, xi0, try SymmetricEigensystem(h))
    }

    /// w_0 … w_K of a method.
    private func iterates(_ method: any DiscreteMethod, _ field: any Model, _ x0: [Double], _ k: Int) throws -> [[Double]] {
        let it = try method.makeIterator(field: field, initialPosition: x0)
        var out = [it.position.array]
        for _ in 0..<k {
            it.step()
            out.append(it.position.array)
        }
        return out
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    private func difference(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }
    private func relativeError(_ a: [Double], _ b: [Double]) -> Double { norm(difference(a, b)) / norm(b) }

    /// max_k ‖got_k − ref_k‖ / ‖[ref_k; …; ref_{k−J}]‖ (ref_{−j} = ref_0): the error relative
    /// to the state the recursion acts on. ‖ξ_k‖ alone can dip far below the error envelope
    /// when an underdamped (complex) mode swings through zero; the stacked state cannot.
    private func worstStateError(_ got: [[Double]], _ ref: [[Double]], depth: Int) -> Double {
        var worst = 0.0
        for k in 0..<ref.count {
            var state = 0.0
            for j in 0...depth { state += pow(norm(ref[max(k - j, 0)]), 2) }
            worst = max(worst, norm(difference(got[k], ref[k])) / state.squareRoot())
        }
        return worst
    }

    /// The 2n×2n block matrix [[A, B], [I, 0]].
    private func companion(_ a: DenseMatrix, _ b: DenseMatrix) -> DenseMatrix {
        let n = a.rows
        var m = DenseMatrix(rows: 2 * n, columns: 2 * n)
        for i in 0..<n {
            for j in 0..<n {
                m[i, j] = a[i, j]
                m[i, n + j] = b[i, j]
            }
            m[n + i, i] = 1
        }
        return m
    }

    private func scaled(_ a: DenseMatrix, _ s: Double) -> DenseMatrix {
        DenseMatrix(rows: a.rows, columns: a.columns, elements: a.elements.map { $0 * s })
    }

    private func sum(_ a: DenseMatrix, _ b: DenseMatrix) -> DenseMatrix {
        DenseMatrix(rows: a.rows, columns: a.columns, elements: zip(a.elements, b.elements).map { $0 + $1 })
    }

    /// Runs z_{k+1} = M z_k from z_{start} and returns the top blocks ξ_k for k = start … K.
    private func recursion(_ m: DenseMatrix, from z: [Double], start: Int, to k: Int, n: Int) -> [[Double]] {
        var z = z
        var out = [Array(z[0..<n])]
        for _ in start..<k {
            z = m * z
            out.append(Array(z[0..<n]))
        }
        return out
    }

    // Rounding bound shared by the recursion comparisons (errors relative to the stacked state
    // [ξ_k; ξ_{k−1}], see `worstStateError`): each step adds a few ε of the state in rounding
    // to each computation; a stable M (transient growth C0 of 001 Thm 5 ≲ 10 here) carries
    // those errors at the same rate as the state decays, so after K = 200 steps the relative
    // gap is ≲ K·C0·few·ε ≈ 200·10·4·1.1e-16 ≈ 1e-12 (measured: ≤ 3e-13, NAG and J = 2 the
    // largest).
    private let recursionTolerance = 1e-12

    // MARK: - Frozen-kernel recursions

    func testGradientDescentMatchesMatrixPower() throws {
        let (field, h, xi0, eigen) = try frozenProblem()
        let eta = 1 / eigen.maximum
        let got = try iterates(GradientDescent(stepSize: eta), field, xi0, 200)
        let b = sum(DenseMatrix.identity(4), scaled(h, -eta))
        var reference = [xi0]
        for _ in 0..<200 { reference.append(b * reference.last!) }
        let e = worstStateError(got, reference, depth: 0)
        XCTAssertLessThan(e, recursionTolerance)
    }

    func testHeavyBallMatchesBlockRecursionInBothForms() throws {
        let (field, h, xi0, eigen) = try frozenProblem()
        let eta = 1 / eigen.maximum, beta = 0.7
        let i4 = DenseMatrix.identity(4)
        // HB: M = [[(1+β)I − ηH, −βI], [I, 0]], w_{−1} = w_0.
        let m = companion(sum(scaled(i4, 1 + beta), scaled(h, -eta)), scaled(i4, -beta))
        let reference = recursion(m, from: xi0 + xi0, start: 0, to: 200, n: 4)
        for form in PolyakHeavyBall.Form.allCases {
            let got = try iterates(PolyakHeavyBall(stepSize: eta, momentum: beta, form: form), field, xi0, 200)
            let e = worstStateError(got, reference, depth: 1)
            XCTAssertLessThan(e, recursionTolerance, "\(form)")
        }
    }

    func testNesterovMatchesBlockRecursionForBothStarts() throws {
        let (field, h, xi0, eigen) = try frozenProblem()
        let eta = 1 / (2 * eigen.maximum), beta = 0.8
        let i4 = DenseMatrix.identity(4)
        let b = sum(i4, scaled(h, -eta))  // I − ηH
        // NAG: M = [[(1+β)(I − ηH), −β(I − ηH)], [I, 0]].
        let m = companion(scaled(b, 1 + beta), scaled(b, -beta))

        // One-line form with w_{−1} = w_0: the recursion holds from k = 0 with [ξ0; ξ0].
        let oneLine = try iterates(NesterovConstantMomentum(stepSize: eta, momentum: beta, start: .oneLine), field, xi0, 200)
        let refOneLine = recursion(m, from: xi0 + xi0, start: 0, to: 200, n: 4)
        let e1 = worstStateError(oneLine, refOneLine, depth: 1)
        XCTAssertLessThan(e1, recursionTolerance)

        // Two-sequence form with v_0 = w_0: ξ1 = (I − (1+β)ηH)ξ0, then the recursion from [ξ1; ξ0].
        let twoSequence = try iterates(NesterovConstantMomentum(stepSize: eta, momentum: beta, start: .twoSequence), field, xi0, 200)
        let xi1 = sum(i4, scaled(h, -(1 + beta) * eta)) * xi0
        let refTwo = [xi0] + recursion(m, from: xi1 + xi0, start: 1, to: 200, n: 4)
        let e2 = worstStateError(twoSequence, refTwo, depth: 1)
        XCTAssertLessThan(e2, recursionTolerance)

        // The first steps differ as documented: GD step vs (1+β)-scaled step.
        let g0 = h * xi0
        let gdStep = zip(xi0, g0).map { $0 - eta * $1 }
        let longStep = zip(xi0, g0).map { $0 - (1 + beta) * eta * $1 }
        // Both are one fused update of O(1) numbers: a few ulps.
        XCTAssertLessThan(relativeError(oneLine[1], gdStep), 1e-15)
        XCTAssertLessThan(relativeError(twoSequence[1], longStep), 1e-15)
    }

    func testNesterovIncreasingMomentumMatchesTimeVaryingRecursion() throws {
        let (field, h, xi0, eigen) = try frozenProblem()
        let eta = 1 / eigen.maximum, gamma = 3.0
        let method = NesterovIncreasingMomentum(stepSize: eta, gamma: gamma)
        XCTAssertEqual(method.momentum(atStep: 0), 0)
        XCTAssertEqual(method.momentum(atStep: 1), 1 / (1 + gamma))
        let got = try iterates(method, field, xi0, 200)
        // β_0 = 0: ξ1 = (I − ηH)ξ0; for k ≥ 1 (v_k = (I − ηH)ξ_{k−1}):
        // ξ_{k+1} = (1+β_k)(I − ηH)ξ_k − β_k(I − ηH)ξ_{k−1}, β_k = k/(k+γ).
        let b = sum(DenseMatrix.identity(4), scaled(h, -eta))
        var reference = [xi0, b * xi0]
        for k in 1..<200 {
            let beta = Double(k) / (Double(k) + gamma)
            let bc = b * reference[k], bp = b * reference[k - 1]
            reference.append(zip(bc, bp).map { (1 + beta) * $0 - beta * $1 })
        }
        let e = worstStateError(got, reference, depth: 1)
        XCTAssertLessThan(e, recursionTolerance)
    }

    func testMultiMomentumMatchesThirdOrderCompanionRecursion() throws {
        let (field, h, xi0, _) = try frozenProblem()
        let method = MultiMomentum(discretizing: HigherOrderMomentumFlow(coefficients: [3, 2.5]), step: 0.1)
        // β1 = 2 − c2 h − c1 h² = 2 − 0.25 − 0.03, β2 = c2 h − 1 = −0.75, η = h³: hand values,
        // equal up to the rounding of h = 0.1 (a few ulps).
        XCTAssertEqual(method.momenta[0], 1.72, accuracy: 1e-15)
        XCTAssertEqual(method.momenta[1], -0.75, accuracy: 1e-15)
        XCTAssertEqual(method.stepSize, 1e-3, accuracy: 1e-18)
        XCTAssertEqual(method.step, 0.1, accuracy: 1e-16)
        let (b1, b2, eta) = (method.momenta[0], method.momenta[1], method.stepSize)
        // [ξ_{k+1}; ξ_k; ξ_{k−1}] = M3 [ξ_k; ξ_{k−1}; ξ_{k−2}],
        // M3 = [[(1+β1)I − ηH, (β2 − β1)I, −β2 I], [I, 0, 0], [0, I, 0]].
        let n = 4
        var m3 = DenseMatrix(rows: 3 * n, columns: 3 * n)
        for i in 0..<n {
            for j in 0..<n { m3[i, j] = -eta * h[i, j] }
            m3[i, i] += 1 + b1
            m3[i, n + i] = b2 - b1
            m3[i, 2 * n + i] = -b2
            m3[n + i, i] = 1
            m3[2 * n + i, n + i] = 1
        }
        let reference = recursion(m3, from: xi0 + xi0 + xi0, start: 0, to: 200, n: n)
        let got = try iterates(method, field, xi0, 200)
        let e = worstStateError(got, reference, depth: 2)
        XCTAssertLessThan(e, recursionTolerance)
    }

    // MARK: - Equivalent forms

    func testHeavyBallDifferenceAndBufferFormsAgree() throws {
        let (field, _, xi0, eigen) = try frozenProblem()
        let eta = 1 / eigen.maximum, beta = 0.7
        let a = try iterates(PolyakHeavyBall(stepSize: eta, momentum: beta, form: .difference), field, xi0, 200)
        let b = try iterates(PolyakHeavyBall(stepSize: eta, momentum: beta, form: .buffer), field, xi0, 200)
        let worst = worstStateError(a, b, depth: 1)
        // Same iterates in exact arithmetic; the forms differ per step by the rounding of the
        // momentum term (β(w_k − w_{k−1}) vs −ηβM_{k−1}), ≈ ε relative to the state, carried by
        // the stable recursion at the iterates' own decay rate. These roundings have random
        // signs and add like √K·ε·C0 ≈ 14·1.1e-16·3 ≈ 5e-15 at K = 200 (measured 2e-15).
        XCTAssertLessThan(worst, 1e-14)
    }

    func testEMAMomentumEqualsHeavyBall() throws {
        let (field, _, xi0, eigen) = try frozenProblem()
        let eta = 2 / eigen.maximum, gamma = 0.6
        let ema = EMAMomentum(stepSize: eta, averaging: gamma)
        let got = try iterates(ema, field, xi0, 200)
        let hb = try iterates(PolyakHeavyBall(stepSize: eta * (1 - gamma), momentum: gamma, form: .difference), field, xi0, 200)
        let worst = worstStateError(got, hb, depth: 1)
        // Equal in exact arithmetic (g_0 = 0 ↔ w_{−1} = w_0); rounding as in the HB forms
        // test, with one more product (1 − γ)∇L per step: ≤ 1e-13 over 200 steps.
        XCTAssertLessThan(worst, 1e-13)
        // The same time axis and matching flow as that HB.
        let equivalent = PolyakHeavyBall(stepSize: eta * (1 - gamma), momentum: gamma)
        XCTAssertEqual(ema.time(ofIteration: 7), equivalent.time(ofIteration: 7), accuracy: 1e-15)
        let b = try XCTUnwrap(ema.matchingFlow as? HeavyBallFlow).friction
        XCTAssertEqual(b, ((1 - gamma) / eta).squareRoot(), accuracy: 1e-14)
    }

    func testVelocityIsTheFiniteDifference() throws {
        let (field, _, xi0, eigen) = try frozenProblem()
        let method = PolyakHeavyBall(stepSize: 0.5 / eigen.maximum, momentum: 0.5)
        let it = try method.makeIterator(field: field, initialPosition: xi0)
        XCTAssertEqual(it.velocity.array, [0, 0, 0, 0])
        let tau = method.timePerStep
        XCTAssertEqual(tau, (0.5 / eigen.maximum).squareRoot(), accuracy: 1e-16)
        for _ in 0..<5 {
            let before = it.position.array
            it.step()
            let expected = zip(it.position.array, before).map { ($0 - $1) / tau }
            // The same two roundings ((a − b)/τ) in both: equal.
            XCTAssertEqual(it.velocity.array, expected)
        }
        XCTAssertEqual(it.iteration, 5)
        XCTAssertEqual(it.gradientEvaluations, 5)
    }

    func testNesterovStronglyConvexMomentum() throws {
        // λ0η/2 = 0.01: β = (1 − 0.1)/(1 + 0.1) = 9/11 by hand; a few ulps of rounding.
        let method = NesterovStronglyConvex(stepSize: 0.04, lambda0: 0.5)
        XCTAssertEqual(method.momentum, 9.0 / 11.0, accuracy: 1e-15)
        // Matching flow: b = √(2λ0) = 1 (002 footnote 2).
        XCTAssertEqual(try XCTUnwrap(method.matchingFlow as? HeavyBallFlow).friction, 1, accuracy: 1e-15)
        XCTAssertEqual(method.time(ofIteration: 10), 2, accuracy: 1e-15)
    }

    // MARK: - Recipes

    func testRecipesReproduceTable1OfPaper003() throws {
        // κ = 100: √κ = 10.
        let nag = try ParameterRecipe(parsing: "003-nag").parameters(lambdaMin: 0.01, lambdaMax: 1)
        let hb = try ParameterRecipe(parsing: "003-hb").parameters(lambdaMin: 0.01, lambdaMax: 1)
        let gd = try ParameterRecipe(parsing: "003-gd").parameters(lambdaMin: 0.01, lambdaMax: 1)
        // Hand values: (30 − 2)/(30 + 2) = 0.875, (1 − 1/20)² = 0.9025; one or two roundings.
        XCTAssertEqual(nag.momentum, 0.875, accuracy: 1e-15)
        XCTAssertEqual(nag.stepSize, 0.5, accuracy: 1e-15)
        XCTAssertEqual(hb.momentum, 0.9025, accuracy: 1e-15)
        XCTAssertEqual(hb.stepSize, 1, accuracy: 1e-15)
        XCTAssertEqual(gd.stepSize, 1, accuracy: 1e-15)
        XCTAssertEqual(gd.momentum, 0)
        XCTAssertTrue(nag.makeMethod() is NesterovConstantMomentum)
        XCTAssertTrue(hb.makeMethod() is PolyakHeavyBall)
        XCTAssertTrue(gd.makeMethod() is GradientDescent)
        XCTAssertTrue(nag.source.hasPrefix("003-nag"))
    }

    func testEachRecipeAgainstItsFormulaByHand() throws {
        // Spectrum [0.2, 3.2]: κ = 16, √κ = 4, √λ_min + √λ_max = 5√0.2. Hand values below;
        // every one is a handful of roundings away from the computed one: 1e-14 absolute.
        let lmin = 0.2, lmax = 3.2
        func params(_ name: String, step: Double? = nil) throws -> RecipeParameters {
            try ParameterRecipe(parsing: name).parameters(lambdaMin: lmin, lambdaMax: lmax, step: step)
        }
        // 002 Thm 2: b = √0.4, with h = 0.1: η = 0.01, β = 1 − 0.1√0.4.
        let p002 = try params("002-thm2", step: 0.1)
        XCTAssertEqual(try XCTUnwrap(p002.friction), 0.6324555320336759, accuracy: 1e-14)
        XCTAssertEqual(p002.stepSize, 0.01, accuracy: 1e-15)
        XCTAssertEqual(p002.momentum, 1 - 0.06324555320336759, accuracy: 1e-14)
        XCTAssertThrowsError(try params("002-thm2"))
        // 000 Thm 2: η = 1/6.4 = 0.15625, ηλ/2 = 0.015625, β = (1 − 0.125)² = 0.765625.
        let p000 = try params("000-thm2")
        XCTAssertEqual(p000.stepSize, 0.15625, accuracy: 1e-15)
        XCTAssertEqual(p000.momentum, 0.765625, accuracy: 1e-14)
        // 001 Thm 9: λ = 0.15, λ_max' = 3.25, κ̂ = 65/3, β = (1 − 1/(2√(65/3)))².
        let p001 = try params("001-thm9")
        XCTAssertEqual(p001.stepSize, 1 / 3.25, accuracy: 1e-15)
        XCTAssertEqual(p001.momentum, 0.7967039993266316, accuracy: 1e-14)
        XCTAssertEqual(try XCTUnwrap(p001.inputs.first { $0.0 == "kappa_hat" }).1, 65.0 / 3.0, accuracy: 1e-13)
        // 001 classical: η = 4/(5√0.2)² = 4/5 = 0.8, β = (1 − 2/5)² = 0.36.
        let classical = try params("001-classical")
        XCTAssertEqual(classical.stepSize, 0.8, accuracy: 1e-14)
        XCTAssertEqual(classical.momentum, 0.36, accuracy: 1e-14)
        // 000 experiment: η = 1/32, ηλ_min = 0.00625, β = (1 − √0.00625)².
        let e000 = try params("000-experiment")
        XCTAssertEqual(e000.stepSize, 0.03125, accuracy: 1e-16)
        XCTAssertEqual(e000.momentum, 0.848136116991581, accuracy: 1e-14)
        // 001 experiment: η = 1/3.2 = 0.3125, β = (1 − 1/8)² = 0.765625.
        let e001 = try params("001-experiment")
        XCTAssertEqual(e001.stepSize, 0.3125, accuracy: 1e-15)
        XCTAssertEqual(e001.momentum, 0.765625, accuracy: 1e-14)
        // 003 on this spectrum: NAG β = (12 − 2)/(12 + 2) = 5/7, HB β = (1 − 1/8)².
        XCTAssertEqual(try params("003-nag").momentum, 5.0 / 7.0, accuracy: 1e-15)
        XCTAssertEqual(try params("003-hb").momentum, 0.765625, accuracy: 1e-15)
        // Parsing and input errors.
        XCTAssertEqual(try ParameterRecipe(parsing: " 001-CLASSICAL "), .paper001Classical)
        XCTAssertThrowsError(try ParameterRecipe(parsing: "004-thm1"))
        XCTAssertThrowsError(try ParameterRecipe.paper003HB.parameters(lambdaMin: 0, lambdaMax: 1))
        XCTAssertThrowsError(try ParameterRecipe.paper003HB.parameters(lambdaMin: 2, lambdaMax: 1))
    }

    // MARK: - Explicit discretization of flows

    func testExplicitDiscretizationIsExactlyHeavyBallAndGD() throws {
        let (field, _, xi0, _) = try frozenProblem()
        let b = 1.3, h = 0.05
        let explicitHBF = try iterates(ExplicitFlowDiscretization(flow: HeavyBallFlow(friction: b), step: h), field, xi0, 300)
        let hb = try iterates(PolyakHeavyBall(stepSize: h * h, momentum: 1 - b * h), field, xi0, 300)
        XCTAssertEqual(explicitHBF, hb)  // bitwise: same recurrence, same η and β
        let explicitGF = try iterates(ExplicitFlowDiscretization(flow: GradientFlow(), step: h), field, xi0, 300)
        let gd = try iterates(GradientDescent(stepSize: h), field, xi0, 300)
        XCTAssertEqual(explicitGF, gd)
        let third = HigherOrderMomentumFlow(coefficients: [3, 2.5])
        let explicitThird = try iterates(ExplicitFlowDiscretization(flow: third, step: 0.1), field, xi0, 300)
        let multi = try iterates(MultiMomentum(discretizing: third, step: 0.1), field, xi0, 300)
        XCTAssertEqual(explicitThird, multi)
        // Time axes: HB t_k = k√η = kh.
        XCTAssertEqual(PolyakHeavyBall(stepSize: h * h, momentum: 1 - b * h).time(ofIteration: 40), 2, accuracy: 1e-14)
        XCTAssertEqual(ExplicitFlowDiscretization(flow: HeavyBallFlow(friction: b), step: h).time(ofIteration: 40), 2, accuracy: 1e-14)

        // The same on the (nonlinear) ReLU weight field.
        let random = RandomSource(seed: 5)
        let data = try Dataset.synthetic(samples: 4, dimension: 3, labels: .gaussian, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 16, random: random)
        let relu = ReLUWeightField(network: net)
        let w0 = net.initialWeights.elements
        // On the network HB runs the kinetic iterator (`KineticMomentumIterator`): the same
        // iterates summed in another order, so equal to rounding (KineticIterationTests).
        let explicitRelu = try iterates(ExplicitFlowDiscretization(flow: HeavyBallFlow(friction: b), step: 0.2), relu, w0, 50)
        let hbRelu = try iterates(PolyakHeavyBall(stepSize: 0.2 * 0.2, momentum: 1 - b * 0.2), relu, w0, 50)
        for (a, e) in zip(hbRelu, explicitRelu) { XCTAssertLessThan(relativeError(a, e), 1e-12) }
    }

    func testMomentumDampingMapRoundTrip() throws {
        // J = 1: β = 1 − bh ⇔ b = (1 − β)/h.
        XCTAssertEqual(ExplicitFlowDiscretization.momentumCoefficients(damping: [1.3], step: 0.05), [1 - 1.3 * 0.05])
        XCTAssertEqual(ExplicitFlowDiscretization.damping(momentumCoefficients: [0.9], step: 0.1)[0], 1.0, accuracy: 1e-14)
        let hb = PolyakHeavyBall(stepSize: 0.01, momentum: 0.9)
        XCTAssertEqual(try XCTUnwrap(hb.matchingFlow as? HeavyBallFlow).friction, 1, accuracy: 1e-14)
        // J = 3 round trip. Recovering c_q divides a difference of O(C(J,q)) numbers by
        // h^{J+1−q}: error ≲ ε·8/h³/|c| ≈ 1e-16·8e3/0.5 ≈ 2e-12 at h = 0.1.
        let c = [0.7, 2.0, 3.1]
        let beta = ExplicitFlowDiscretization.momentumCoefficients(damping: c, step: 0.1)
        let back = ExplicitFlowDiscretization.damping(momentumCoefficients: beta, step: 0.1)
        for j in 0..<3 { XCTAssertEqual(back[j], c[j], accuracy: 5e-12 * c[j]) }
        // Multi-momentum's matching flow is the flow it discretizes.
        let multi = MultiMomentum(discretizing: HigherOrderMomentumFlow(coefficients: [3, 2.5]), step: 0.1)
        let flow = try XCTUnwrap(multi.matchingFlow as? HigherOrderMomentumFlow)
        XCTAssertEqual(flow.coefficients[0], 3, accuracy: 1e-12)
        XCTAssertEqual(flow.coefficients[1], 2.5, accuracy: 1e-12)
    }

    /// ‖x_K − Δ(T)‖ for the explicit discretization with step h, K chosen so that t_K = T.
    private func explicitError(_ flow: any ContinuousFlow, h: Double, t: Double,
                               field: FrozenKernelErrorModel, xi0: [Double], exact: [Double]) throws -> Double {
        let method = ExplicitFlowDiscretization(flow: flow, step: h)
        let k = method.iterations(toReach: t)
        XCTAssertEqual(method.time(ofIteration: k), t, accuracy: 1e-12)
        let it = try method.makeIterator(field: field, initialPosition: xi0)
        for _ in 0..<k { it.step() }
        return norm(difference(it.position.array, exact))
    }

    func testExplicitDiscretizationConvergesAtFirstOrder() throws {
        let (field, _, xi0, eigen) = try frozenProblem()
        let t = 2.0
        let flows: [any ContinuousFlow] = [GradientFlow(), HeavyBallFlow(friction: 1.3),
                                           HigherOrderMomentumFlow(coefficients: [3, 2.5])]
        for flow in flows {
            let exact = try ModalSolution(kernel: eigen, initialResidual: xi0, flow: flow).residual(at: t)
            let errors = try [0.02, 0.01, 0.005].map {
                try explicitError(flow, h: $0, t: t, field: field, xi0: xi0, exact: exact)
            }
            // First order: e(h) = Ch + O(h²); with λ_max·h ≤ 0.1 the O(h) correction to the
            // ratio e(h)/e(h/2) = 2(1 + O(h)) is well inside ±10%.
            for i in 0..<2 {
                let ratio = errors[i] / errors[i + 1]
                XCTAssertGreaterThanOrEqual(ratio, 1.8, "\(flow.name) \(errors)")
                XCTAssertLessThanOrEqual(ratio, 2.2, "\(flow.name) \(errors)")
            }
        }
        // Nesterov γ = 3, started at t0 = h (x_0 = x(0) + O(h²)): the error decreases with h.
        let nesterov = NesterovFlow(gamma: 3)
        XCTAssertEqual(ExplicitFlowDiscretization(flow: nesterov, step: 0.01).startTime, 0.01)
        let exact = try ModalSolution(kernel: eigen, initialResidual: xi0, flow: nesterov).residual(at: t)
        let errors = try [0.04, 0.02, 0.01, 0.005].map {
            try explicitError(nesterov, h: $0, t: t, field: field, xi0: xi0, exact: exact)
        }
        for i in 0..<3 { XCTAssertLessThan(errors[i + 1], errors[i], "\(errors)") }
        // A singular start is rejected.
        XCTAssertThrowsError(try ExplicitFlowDiscretization(flow: nesterov, step: 0.01, startTime: 0)
            .makeIterator(field: field, initialPosition: xi0))
    }

    // MARK: - Gauss–Newton

    func testGaussNewtonZeroesResidualInOneStepOnHandCase() throws {
        // One neuron (m = 1, a = 1), d = 3, n = 2 ≤ d: J = X (rows x_i, all active) has full row
        // rank. w = (1, 1, 1): z = f = (1.4, 1.4); y = (2, 1): Δ = (−0.6, 0.4).
        // J^+Δ = Xᵀu with (XXᵀ)u = Δ, XXᵀ = [[1, 0.48], [0.48, 1]] (Cramer's rule below).
        // New z = z − XXᵀu = z − Δ = y ≥ 0: no flip, so the residual is zero.
        let x = DenseMatrix(rows: 2, columns: 3, elements: [0.6, 0.8, 0, 0, 0.6, 0.8])
        let data = try Dataset(inputs: x, targets: [2, 1])
        let net = try ReLUNetwork(data: data, outputWeights: [1],
                                  initialWeights: DenseMatrix(rows: 3, columns: 1, elements: [1, 1, 1]))
        let field = ReLUWeightField(network: net)
        let det = 1 - 0.48 * 0.48
        let u = [(-0.6 - 0.48 * 0.4) / det, (0.4 + 0.48 * 0.6) / det]
        let expected = [1 - 0.6 * u[0], 1 - (0.8 * u[0] + 0.6 * u[1]), 1 - 0.8 * u[1]]
        let it = try PerNeuronGaussNewton(stepSize: 1).makeIterator(field: field, initialPosition: [1, 1, 1])
        it.step()
        let w1 = it.position.array
        // A 3×3 pseudo-inverse through the eigensolver (on its range A = XᵀX has eigenvalues 1 ± 0.48, κ ≈ 2.8): a few ε.
        for k in 0..<3 { XCTAssertEqual(w1[k], expected[k], accuracy: 1e-14) }
        let residual = w1.withView { field.residual(at: $0) }
        // ‖Δ‖ = 0.72 before; after: rounding of O(1) numbers.
        XCTAssertLessThan(norm(residual), 1e-14)
    }

    func testGaussNewtonDecreasesTheLoss() throws {
        let random = RandomSource(seed: 21)
        let data = try Dataset.synthetic(samples: 5, dimension: 10, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 50, random: random)
        let field = ReLUWeightField(network: net)
        // Each neuron's J_rJ_r^+ is the projector on its active samples (n ≤ d), so the error
        // contracts per sample by 1 − η·#active ≈ 1 − ηm/2: η = 1/m keeps every factor in (0, 1).
        let method = PerNeuronGaussNewton(stepSize: 1.0 / 50)
        let it = try method.makeIterator(field: field, initialPosition: net.initialWeights.elements)
        var losses = [field.potential(at: it.position)]
        for _ in 0..<10 {
            it.step()
            losses.append(field.potential(at: it.position))
        }
        for k in 0..<10 { XCTAssertLessThan(losses[k + 1], losses[k], "\(losses)") }
        XCTAssertLessThan(losses[10], 1e-3 * losses[0], "\(losses)")
        // Only the ReLU weight field is supported.
        let (frozen, _, xi0, _) = try frozenProblem()
        XCTAssertThrowsError(try method.makeIterator(field: frozen, initialPosition: xi0)) { error in
            XCTAssertTrue(error is InputError)
        }
    }

    func testEigenWorkspaceDecomposesInPlace() throws {
        // A rank-4 6×6 PSD matrix (two zero eigenvalues).
        let rng = RandomSource(seed: 8)
        var g = DenseMatrix(rows: 6, columns: 4)
        for i in 0..<6 { for j in 0..<4 { g[i, j] = rng.gaussian() } }
        let a = g * g.transposed
        let solver = SymmetricEigenWorkspace(size: 6)
        for i in 0..<36 { solver.matrix[i] = a.elements[i] }
        try solver.decompose()
        let mine = (0..<6).map { solver.eigenvalue($0) }.sorted()
        let gsl = try SymmetricEigensystem(a).values
        let scale = gsl.last!
        // Both backward stable: eigenvalues within a few ε‖A‖.
        for k in 0..<6 { XCTAssertEqual(mine[k], gsl[k], accuracy: 1e-13 * scale) }
        // A v_k = μ_k v_k and VᵀV = I, to a few ε‖A‖ and a few ε.
        let v = DenseMatrix(rows: 6, columns: 6, elements: solver.vectors.array)
        let av = a * v, vtv = v.transposed * v
        for i in 0..<6 {
            for k in 0..<6 {
                XCTAssertEqual(av[i, k], v[i, k] * solver.eigenvalue(k), accuracy: 1e-13 * scale)
                XCTAssertEqual(vtv[i, k], i == k ? 1 : 0, accuracy: 1e-14)
            }
        }
    }

    // MARK: - Runner

    func testDiscreteRunSamplesOnTheMethodsTimeAxis() throws {
        let (field, _, xi0, eigen) = try frozenProblem()
        let method = PolyakHeavyBall(stepSize: 1 / eigen.maximum, momentum: 0.7)
        let flow = try XCTUnwrap(method.matchingFlow)
        let trajectory = try solveMethod(field, from: xi0, method, iterations: 100,
                                         sampleIterations: [0, 10, 100], monitors: [LossMonitor(flow: flow)])
        XCTAssertEqual(trajectory.columns, ["k", "t", "loss", "pseudo_loss", "velocity_norm", "energy"])
        XCTAssertEqual(trajectory.column("k"), [0, 10, 100])
        let times = try XCTUnwrap(trajectory.column("t"))
        for (i, k) in [0, 10, 100].enumerated() {
            XCTAssertEqual(times[i], Double(k) * (1 / eigen.maximum).squareRoot(), accuracy: 1e-13)
        }
        XCTAssertNil(trajectory.earlyStop)
        XCTAssertEqual(trajectory.statistics.evaluations, 100)
        XCTAssertEqual(trajectory.statistics.steps, 100)
        XCTAssertEqual(trajectory.column("velocity_norm")?.first, 0)
        // The loss column is ½‖w_10‖² of an independent run of the same method.
        let w10 = try iterates(method, field, xi0, 10)[10]
        XCTAssertEqual(trajectory.column("loss")![1], 0.5 * w10.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-15)
        // Invalid sampling.
        XCTAssertThrowsError(try solveMethod(field, from: xi0, method, iterations: 10,
                                             sampleIterations: [0, 5, 5], monitors: []))
        XCTAssertThrowsError(try solveMethod(field, from: xi0, method, iterations: 10,
                                             sampleIterations: [11], monitors: []))
    }

    func testDiscreteRunStopsOnDivergenceAndKeepsSamples() throws {
        let (field, _, xi0, eigen) = try frozenProblem()
        // |1 − ηλ_max| = 9: the iterate grows ×9 per step and overflows after ≈ 320 steps.
        let method = GradientDescent(stepSize: 10 / eigen.maximum)
        let trajectory = try solveMethod(field, from: xi0, method, iterations: 5000,
                                         sampleIterations: Array(stride(from: 0, through: 5000, by: 50)),
                                         monitors: [LossMonitor(flow: GradientFlow())])
        guard case .diverged(let t)? = trajectory.earlyStop else { return XCTFail("expected divergence") }
        XCTAssertGreaterThan(trajectory.rows.count, 1)
        XCTAssertLessThan(trajectory.statistics.steps, 5000)
        XCTAssertEqual(t, method.time(ofIteration: trajectory.statistics.steps), accuracy: 1e-9)
        for row in trajectory.rows { XCTAssertTrue(row.allSatisfy(\.isFinite)) }
        XCTAssertLessThan(trajectory.column("t")!.last!, t)
    }
}
