import Foundation
import XCTest
@testable import GradFlow
@testable import GradFlowNumerics

/// The strongly convex quadratic ½wᵀΓw + bᵀw (001 Theorem 7) against closed forms.
final class QuadraticModelTests: XCTestCase {
    /// Γ = Q diag(λ) Qᵀ with a random orthogonal Q (not diagonal, so the eigenbasis matters),
    /// spectrum [0.05, 0.2, 0.6, 1], b and w(0) random.
    private func quadratic(seed: UInt64 = 3) throws -> (model: QuadraticModel, gamma: DenseMatrix, b: [Double], w0: [Double]) {
        let rng = RandomSource(seed: seed)
        var a = DenseMatrix(rows: 4, columns: 4)
        for i in 0..<4 { for j in 0..<4 { a[i, j] = rng.gaussian() } }
        let q = try SymmetricEigensystem(a * a.transposed).vectors
        var g = q * DenseMatrix.diagonal([0.05, 0.2, 0.6, 1]) * q.transposed
        for i in 0..<4 { for j in 0..<i { let s = 0.5 * (g[i, j] + g[j, i]); g[i, j] = s; g[j, i] = s } }
        let b = (0..<4).map { _ in rng.gaussian() }
        let w0 = (0..<4).map { _ in rng.gaussian() }
        return (try QuadraticModel(hessian: g, linearTerm: b, start: w0), g, b, w0)
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    private func relativeError(_ a: [Double], _ b: [Double]) -> Double { norm(zip(a, b).map { $0 - $1 }) / norm(b) }

    private func iterates(_ method: any DiscreteMethod, _ model: any Model, _ k: Int) throws -> [[Double]] {
        let it = try method.makeIterator(field: model, initialPosition: model.initialPosition)
        var out = [it.position.array]
        for _ in 0..<k {
            it.step()
            out.append(it.position.array)
        }
        return out
    }

    func testMinimizerGradientAndSpectrum() throws {
        let (model, g, b, _) = try quadratic()
        // Γw* + b = 0: the residual is O(κ ε) of ‖b‖ with κ = 20.
        let r = zip(g * model.minimizer, b).map { $0 + $1 }
        XCTAssertLessThan(norm(r), 1e-13 * norm(b))
        XCTAssertEqual(model.lambda0, 0.05, accuracy: 1e-14)
        XCTAssertEqual(model.conditionNumber, 20, accuracy: 1e-11)
        // ∇Φ by central differences of Φ = ½wᵀΓw + bᵀw (not the model's potential, which is
        // shifted by Φ*): exact for a quadratic up to rounding, ~1e-10 with step 1e-4.
        let w = [0.3, -0.2, 0.7, 1.1]
        func phi(_ x: [Double]) -> Double {
            0.5 * zip(x, g * x).reduce(0) { $0 + $1.0 * $1.1 } + zip(b, x).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var grad = [Double](repeating: 0, count: 4)
        w.withView { x in grad.withMutableView { model.gradient(at: x, into: $0) } }
        for i in 0..<4 {
            var up = w, down = w
            up[i] += 1e-4
            down[i] -= 1e-4
            XCTAssertEqual(grad[i], (phi(up) - phi(down)) / 2e-4, accuracy: 1e-9)
        }
        // The potential is Φ − Φ*: zero at w*, and L̂ = ½ΔᵀΓΔ equals it.
        model.minimizer.withView { XCTAssertEqual(model.potential(at: $0), 0, accuracy: 1e-14) }
        w.withView { x in XCTAssertEqual(model.potential(at: x), phi(w) - phi(model.minimizer), accuracy: 1e-13) }
    }

    func testGradientDescentMatchesMatrixPower() throws {
        let (model, g, _, w0) = try quadratic()
        let eta = 1.5
        let path = try iterates(GradientDescent(stepSize: eta), model, 60)
        // w_k − w* = (I − ηΓ)^k (w0 − w*), by repeated dense products (no eigendecomposition).
        var m = DenseMatrix.identity(4)
        for i in 0..<4 { for j in 0..<4 { m[i, j] -= eta * g[i, j] } }
        var delta = zip(w0, model.minimizer).map { $0 - $1 }
        for k in 1...60 {
            delta = m * delta
            let expected = zip(delta, model.minimizer).map { $0 + $1 }
            // 60 products of a contraction (ρ = 0.925): rounding stays at a few ulps of ‖w‖.
            XCTAssertLessThan(relativeError(path[k], expected), 1e-13, "k = \(k)")
        }
    }

    func testHeavyBallMatchesPerEigenvalueRecursion() throws {
        let (model, g, _, _) = try quadratic()
        let eigen = try SymmetricEigensystem(g)
        // 001's classical recipe on [μ, α] = [0.05, 1].
        let recipe = try ParameterRecipe.paper001Classical.parameters(lambdaMin: 0.05, lambdaMax: 1)
        let mu = 0.05, alpha = 1.0, kappa = alpha / mu
        XCTAssertEqual(recipe.stepSize, 4 / pow(mu.squareRoot() + alpha.squareRoot(), 2), accuracy: 1e-15)
        XCTAssertEqual(recipe.momentum, pow(1 - 2 / (kappa.squareRoot() + 1), 2), accuracy: 1e-15)
        let hb = PolyakHeavyBall(stepSize: recipe.stepSize, momentum: recipe.momentum, form: .difference)
        let path = try iterates(hb, model, 80)
        // Per eigenvalue: c_{k+1} = (1 + β − ηλ) c_k − β c_{k−1}, c_{−1} = c_0, as a 2×2 recursion.
        let c0 = eigen.coordinates(of: zip(model.initialPosition, model.minimizer).map { $0 - $1 })
        var current = c0, previous = c0
        for k in 1...80 {
            var next = [Double](repeating: 0, count: 4)
            for q in 0..<4 {
                next[q] = (1 + hb.momentum - hb.stepSize * eigen.values[q]) * current[q] - hb.momentum * previous[q]
            }
            previous = current
            current = next
            let expected = zip(eigen.vector(fromCoordinates: current), model.minimizer).map { $0 + $1 }
            // Two different bases (coordinates vs. the model's frame): ~1e-14 per step, and the
            // recursion's transient growth (max‖M^k‖/ρ^k ≈ 5 here) bounds the amplification.
            XCTAssertLessThan(relativeError(path[k], expected), 1e-11, "k = \(k)")
        }
        // 001 Theorem 7: the classical recipe contracts ‖[ξ_k; ξ_{k−1}]‖ at √β per step.
        let rho = try XCTUnwrap(try hb.spectralRadius(eigenvalues: eigen.values))
        // At the spectrum's ends the 2×2 blocks have a double eigenvalue (critical damping), which
        // rounding splits by O(√ε) ≈ 1.5e-8: the computed ρ matches √β to that accuracy.
        XCTAssertEqual(rho, hb.momentum.squareRoot(), accuracy: 1e-7)
    }

    func testEveryFlowMatchesItsModalSolution() throws {
        let (model, _, _, w0) = try quadratic()
        let flows: [any ContinuousFlow] = [GradientFlow(), HeavyBallFlow(friction: 0.4), NesterovFlow(gamma: 5),
                                           HigherOrderMomentumFlow(coefficients: [3, 2.5])]
        let times = try SampleTimes(list: [0, 0.5, 2, 5, 12])
        let tight = try Tolerances(relative: 1e-11, absolute: 1e-13)
        for flow in flows {
            var options = SolveOptions()
            options.recordStates = true
            let exact = try solve(model, from: w0, .flow(flow), solver: .exact, sampleTimes: times, options: options)
            let gsl = try solve(model, from: w0, .flow(flow), solver: .gsl(stepper: .rk8pd, tolerances: tight),
                                sampleTimes: times, options: options)
            let a = try XCTUnwrap(exact.states), b = try XCTUnwrap(gsl.states)
            XCTAssertEqual(a.count, 5, flow.name)
            // t = 0 is w(0) up to the eigenbasis round trip of w(0) − w*: w* is subtracted,
            // w(0) − w* goes to Γ's eigenbasis and back (two 4×4 products) and w* is added
            // again. Each step rounds at ε relative to its own terms, so the error relative to
            // ‖w(0)‖ is a few ε·(‖w*‖ + ‖w(0) − w*‖)/‖w(0)‖; 16 such ε allows the products'
            // 4-term sums with room. Here that ratio is about 43 (Γ's smallest eigenvalue 0.05
            // makes ‖w*‖ large), the bound 1.5e-13; measured 1.09e-14 with one BLAS thread, which
            // failed the former fixed 1e-14. A wrong basis gives errors of order 1.
            let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            let wStar = model.minimizer
            let spread = (norm(wStar) + norm(zip(w0, wStar).map { $0 - $1 })) / norm(w0)
            XCTAssertLessThan(relativeError(a[0], w0), 16 * Double.ulpOfOne * spread, flow.name)
            for (x, y) in zip(a.dropFirst(), b.dropFirst()) {
                // rk8pd at rtol 1e-11; Nesterov's series start at t0 = 1e-6 adds O(t0⁴).
                XCTAssertLessThan(relativeError(y, x), 1e-8, flow.name)
            }
        }
        // Gradient flow in closed form, independently of the modal code: in Γ's eigenbasis
        // each coordinate of w − w* decays as e^{−λt}.
        let eigen = try XCTUnwrap(model.affineGradient).kernel
        var options = SolveOptions()
        options.recordStates = true
        let gf = try solve(model, from: w0, .flow(GradientFlow()), solver: .exact, sampleTimes: times, options: options)
        let c0 = eigen.coordinates(of: zip(w0, model.minimizer).map { $0 - $1 })
        for (t, w) in zip(times.values, try XCTUnwrap(gf.states)) {
            let expected = zip(eigen.vector(fromCoordinates: zip(c0, eigen.values).map { $0 * exp(-$1 * t) }), model.minimizer).map { $0 + $1 }
            XCTAssertLessThan(relativeError(w, expected), 1e-13, "t = \(t)")
        }
    }

    func testDrawnSpectrumAndFiles() throws {
        var spec = ProblemSpecification()
        spec.model = "quadratic"
        spec.dimension = 12
        spec.modelOptions = ModelOptions(["mu": "0.02", "alpha": "3"])
        spec.seed = 5
        let a = try spec.build(), b = try spec.build()
        XCTAssertEqual(a.lambda0, 0.02)
        XCTAssertEqual(a.conditionNumber, 150, accuracy: 1e-12)
        // The same seed draws the same problem.
        XCTAssertEqual((a.model as? QuadraticModel)?.linearTerm, (b.model as? QuadraticModel)?.linearTerm)
        // Bad options name the model input.
        spec.modelOptions = ModelOptions(["mu": "-1"])
        XCTAssertThrowsError(try spec.build()) { XCTAssertEqual(($0 as? InputError)?.parameter, .model) }
        spec.modelOptions = ModelOptions(["speed": "1"])
        XCTAssertThrowsError(try spec.build()) { XCTAssertEqual(($0 as? InputError)?.parameter, .model) }
        // Γ and b from files: an indefinite Γ is refused.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quadratic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = dir.appendingPathComponent("g.csv").path, bias = dir.appendingPathComponent("b.csv").path
        try "2,0.5\n0.5,1\n".write(toFile: g, atomically: true, encoding: .utf8)
        try "1\n-1\n".write(toFile: bias, atomically: true, encoding: .utf8)
        spec.modelOptions = ModelOptions(["hessian": g, "linear": bias])
        let fromFiles = try XCTUnwrap(try spec.build().model as? QuadraticModel)
        // w* = −Γ⁻¹b = −[[1, −0.5], [−0.5, 2]]/1.75 · [1, −1] = [−6/7, 10/7].
        XCTAssertEqual(fromFiles.minimizer[0], -6.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(fromFiles.minimizer[1], 10.0 / 7, accuracy: 1e-15)
        try "1,2\n2,1\n".write(toFile: g, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try spec.build())
    }
}
