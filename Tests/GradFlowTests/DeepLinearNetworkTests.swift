import Foundation
import XCTest
@testable import GradFlow
@testable import GradFlowNumerics

/// The deep linear network of 001 Theorem 10 against independent computations: a naive
/// product of unscaled `DenseMatrix` layers, central differences of that product's loss and
/// predictions, the orthogonality the initialization promises, the closed form
/// H(0) = (L/d_y) XᵀX ⊗ I of 001 Lemma 13, and the `gradflow` binary end to end.
final class DeepLinearNetworkTests: XCTestCase {
    /// A network built through the model catalog (so the builder's draws are covered too).
    private func network(layers: Int, hidden: Int, d: Int, outputs: Int, n: Int, seed: UInt64 = 4) throws -> DeepLinearNetwork {
        var spec = ProblemSpecification()
        spec.model = "deep-linear"
        spec.modelOptions = ModelOptions(["layers": "\(layers)", "hidden": "\(hidden)", "outputs": "\(outputs)"])
        spec.dimension = d
        spec.samples = n
        spec.seed = seed
        return try XCTUnwrap(try spec.build().model as? DeepLinearNetwork)
    }

    /// The layers of a state as unscaled matrices W^(1) … W^(L).
    private func layers(_ net: DeepLinearNetwork, _ w: [Double]) -> [DenseMatrix] {
        zip(net.layerShapes, net.layerOffsets).map { shape, offset in
            DenseMatrix(rows: shape.rows, columns: shape.columns,
                        elements: Array(w[offset..<(offset + shape.rows * shape.columns)]))
        }
    }

    /// U = (m^{L−1} d_y)^{−1/2} W^(L) ⋯ W^(1) X, multiplied left to right as written, unscaled.
    private func naiveOutput(_ net: DeepLinearNetwork, _ w: [Double]) -> DenseMatrix {
        let ws = layers(net, w)
        var product = ws[ws.count - 1]
        for l in stride(from: ws.count - 2, through: 0, by: -1) { product = product * ws[l] }
        var u = product * net.inputs
        let c = 1 / (pow(Double(net.width), Double(net.depth - 1)) * Double(net.outputDimension)).squareRoot()
        for i in 0..<u.elements.count { u.elements[i] *= c }
        return u
    }

    private func naiveLoss(_ net: DeepLinearNetwork, _ w: [Double]) -> Double {
        let u = naiveOutput(net, w)
        return 0.5 * zip(u.elements, net.labels.elements).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }

    /// W(0) moved by 0.3·N(0, 1) per entry, so no test relies on the orthogonal structure.
    private func perturbed(_ net: DeepLinearNetwork, seed: UInt64 = 9) -> [Double] {
        let rng = RandomSource(seed: seed)
        return net.initialPosition.map { $0 + 0.3 * rng.gaussian() }
    }

    private func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

    func testForwardMatchesNaiveProduct() throws {
        // Deep enough that the unscaled product is large (m^{L/2} = 8^15 ≈ 3.5e13): the model's
        // per-layer scaling must give the same U.
        let net = try network(layers: 30, hidden: 8, d: 3, outputs: 2, n: 4)
        for w in [net.initialPosition, perturbed(net)] {
            let u = w.withView { net.outputs(at: $0) }
            let naive = naiveOutput(net, w)
            // Two association orders of 30 products: rounding ~ L·ε relative to the factors'
            // norms, which at the perturbed point exceed ‖U‖ by the cancellation in the product
            // (a few orders at most here); 1e-11 of ‖U‖ leaves room for that.
            let diff = zip(u.elements, naive.elements).map { $0 - $1 }
            XCTAssertLessThan(maxAbs(diff), 1e-11 * maxAbs(naive.elements))
            // Δ and the predictions are vec(U − Y), vec(U) stacked sample by sample.
            let r = w.withView { net.residual(at: $0) }
            let p = w.withView { net.predictions(at: $0) }
            XCTAssertEqual(r.count, 2 * 4)
            for i in 0..<4 {
                for k in 0..<2 {
                    XCTAssertEqual(p[i * 2 + k], u[k, i], accuracy: 0)
                    XCTAssertEqual(r[i * 2 + k], u[k, i] - net.labels[k, i], accuracy: 0)
                }
            }
        }
        // The labels are Y = W*X with W* = I + 0.1·W̄: W* − I is small but not zero.
        let teacher = try XCTUnwrap(net.teacher)
        var offIdentity = teacher
        for k in 0..<2 { offIdentity[k, k] -= 1 }
        XCTAssertGreaterThan(offIdentity.frobeniusNorm, 0.05)
        XCTAssertLessThan(offIdentity.frobeniusNorm, 0.1 * 6)
    }

    func testOrthogonalInitialization() throws {
        let (m, d, dy, depth) = (7, 3, 2, 5)
        let net = try network(layers: depth, hidden: m, d: d, outputs: dy, n: 4)
        let ws = layers(net, net.initialPosition)
        XCTAssertEqual(ws.count, depth)
        XCTAssertEqual(net.dimension, m * d + (depth - 2) * m * m + dy * m)
        func assertScaledIdentity(_ g: DenseMatrix, _ what: String) {
            // Gram–Schmidt applied twice: orthogonal to a few ulps of m.
            for i in 0..<g.rows {
                for j in 0..<g.columns {
                    XCTAssertEqual(g[i, j], i == j ? Double(m) : 0, accuracy: 1e-13 * Double(m), "\(what) [\(i), \(j)]")
                }
            }
        }
        // 001 §2: W1ᵀW1 = m I_d, W_L W_Lᵀ = m I_{d_y}, W_lᵀW_l = W_l W_lᵀ = m I_m.
        assertScaledIdentity(ws[0].transposed * ws[0], "W1ᵀW1")
        assertScaledIdentity(ws[depth - 1] * ws[depth - 1].transposed, "WL WLᵀ")
        for l in 1..<(depth - 1) {
            assertScaledIdentity(ws[l].transposed * ws[l], "W\(l + 1)ᵀW")
            assertScaledIdentity(ws[l] * ws[l].transposed, "W W\(l + 1)ᵀ")
        }
        // The same seed draws the same network; another seed another one.
        XCTAssertEqual(try network(layers: depth, hidden: m, d: d, outputs: dy, n: 4).initialPosition, net.initialPosition)
        XCTAssertNotEqual(try network(layers: depth, hidden: m, d: d, outputs: dy, n: 4, seed: 5).initialPosition, net.initialPosition)
        // Haar, not a fixed basis: the first column of W1/√m is a uniform unit vector, whose
        // entries' squares average 1/m over many draws (here 400 draws, standard error ≈ 0.01).
        var meanSquare = 0.0
        let rng = RandomSource(seed: 11)
        for _ in 0..<400 {
            let q = DeepLinearNetwork.orthonormalRows(1, length: m, random: rng)
            meanSquare += q[0] * q[0] / 400
        }
        XCTAssertEqual(meanSquare, 1 / Double(m), accuracy: 0.05)
    }

    func testGradientMatchesCentralDifferences() throws {
        let net = try network(layers: 4, hidden: 5, d: 3, outputs: 2, n: 3)
        let w = perturbed(net)
        var g = [Double](repeating: 0, count: net.dimension)
        w.withView { x in g.withMutableView { net.gradient(at: x, into: $0) } }
        // The model's loss is the naive product's.
        XCTAssertEqual(w.withView { net.potential(at: $0) }, naiveLoss(net, w), accuracy: 1e-13 * naiveLoss(net, w))
        // Central differences of the naive loss with h = 1e-5: truncation h²/6·|∂³L| ≈ 1e-10
        // (L is a polynomial of degree 2L = 8 in the weights with O(1)–O(10) coefficients here),
        // rounding ε·L/h ≈ 1e-16·10/1e-5 = 1e-10. Tolerance 1e-7 (1 + ‖g‖_∞) leaves 100× margin.
        let h = 1e-5
        let scale = 1 + maxAbs(g)
        var worst = 0.0
        for i in 0..<net.dimension {
            var up = w, down = w
            up[i] += h
            down[i] -= h
            let fd = (naiveLoss(net, up) - naiveLoss(net, down)) / (2 * h)
            worst = max(worst, abs(fd - g[i]))
        }
        XCTAssertLessThan(worst, 1e-7 * scale, "worst |fd − g| = \(worst), ‖g‖∞ = \(scale - 1)")
        // The gradient is not trivially small where it was tested.
        XCTAssertGreaterThan(maxAbs(g), 1e-2)
    }

    func testKernelMatchesFiniteDifferenceJacobian() throws {
        let net = try network(layers: 3, hidden: 3, d: 2, outputs: 2, n: 2)
        let w = perturbed(net)
        let rows = net.sampleCount, cols = net.dimension
        // J (d_y n × N) by central differences of the naive predictions, h = 1e-5: the outputs are
        // polynomials of degree L = 3, so truncation is h²/6·|∂³U| ≈ 1e-10 and rounding 1e-11.
        let h = 1e-5
        var jacobian = DenseMatrix(rows: rows, columns: cols)
        for j in 0..<cols {
            var up = w, down = w
            up[j] += h
            down[j] -= h
            let a = DeepLinearNetwork.stack(naiveOutput(net, up)), b = DeepLinearNetwork.stack(naiveOutput(net, down))
            for i in 0..<rows { jacobian[i, j] = (a[i] - b[i]) / (2 * h) }
        }
        let expected = jacobian * jacobian.transposed
        let kernel = w.withView { net.kernel(at: $0) }
        let diff = zip(kernel.elements, expected.elements).map { $0 - $1 }
        // Errors of 1e-10 in J give ~1e-10·‖J‖ in JJᵀ; 1e-7 of max |H| is a safe margin.
        XCTAssertLessThan(maxAbs(diff), 1e-7 * maxAbs(expected.elements))
        XCTAssertLessThan(kernel.asymmetry, 1e-14)
        // Δ̇ = J v, and L̂ = ½ΔᵀHΔ.
        let rng = RandomSource(seed: 21)
        let v = (0..<cols).map { _ in rng.gaussian() }
        let rate = w.withView { x in v.withView { net.residualRate(at: x, velocity: $0) } }
        let jv = jacobian * v
        XCTAssertLessThan(maxAbs(zip(rate, jv).map { $0 - $1 }), 1e-8 * maxAbs(jv))
        let delta = w.withView { net.residual(at: $0) }
        let hd = kernel * delta
        let quadratic = 0.5 * zip(delta, hd).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(w.withView { net.pseudoLoss(at: $0) }, quadratic, accuracy: 1e-12 * quadratic)
    }

    func testInitialKernelClosedFormAndRecipe() throws {
        // At the orthogonal initialization every layer adds (XᵀX ⊗ I)/d_y: H(0) = (L/d_y) XᵀX ⊗ I
        // (001 Lemma 13 holds with equality), for any width.
        let (depth, dy, n) = (6, 3, 4)
        let net = try network(layers: depth, hidden: 9, d: 5, outputs: dy, n: n)
        let kernel = net.initialPosition.withView { net.kernel(at: $0) }
        let gram = net.inputs.transposed * net.inputs
        let c = Double(depth) / Double(dy)
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                for k in 0..<dy {
                    for k2 in 0..<dy {
                        worst = max(worst, abs(kernel[i * dy + k, j * dy + k2] - (k == k2 ? c * gram[i, j] : 0)))
                    }
                }
            }
        }
        // Orthogonality to ~1e-15 relative per layer, L layers: 1e-12 of ‖H‖ is generous.
        XCTAssertLessThan(worst, 1e-12 * c * maxAbs(gram.elements))
        // λ0 and κ: 001's λ = Lσ²_min(X)/d_y and κ = σ²_max/σ²_min. σ² from XXᵀ (d×d, with d − n
        // zero eigenvalues), a different matrix from the model's XᵀX.
        let outer = try SymmetricEigensystem(net.inputs * net.inputs.transposed).values
        let sigmaMaxSq = outer.last!, sigmaMinSq = outer[outer.count - n]
        XCTAssertEqual(net.lambda0, c * sigmaMinSq, accuracy: 1e-12 * c * sigmaMaxSq)
        XCTAssertEqual(net.conditionNumber, sigmaMaxSq / sigmaMinSq, accuracy: 1e-10 * sigmaMaxSq / sigmaMinSq)
        let initial = try XCTUnwrap(net.spectra.initial)
        XCTAssertEqual(initial.eigenvalues.count, dy * n)
        XCTAssertEqual(initial.lambdaMin, net.lambda0, accuracy: 1e-12 * initial.lambdaMax)
        // Recipe 001-deep-linear: η = d_y/(Lσ²_max(X)), β = (1 − 1/(2√κ))² (Theorem 10), for hb and gd.
        var spec = ProblemSpecification()
        spec.model = "deep-linear"
        spec.modelOptions = ModelOptions(["layers": "\(depth)", "hidden": "9", "outputs": "\(dy)"])
        spec.dimension = 5
        spec.samples = n
        spec.seed = 4
        let problem = try spec.build()
        let kappa = sigmaMaxSq / sigmaMinSq
        let hb = try MethodSpecification(name: "hb", options: ["recipe": "001-deep-linear"], text: "hb:recipe=001-deep-linear")
            .build(problem: problem, flowParameters: FlowSpecification(kind: .heavyBall))
        let heavyBall = try XCTUnwrap(hb.method as? PolyakHeavyBall)
        XCTAssertEqual(heavyBall.stepSize, Double(dy) / (Double(depth) * sigmaMaxSq), accuracy: 1e-12 * heavyBall.stepSize)
        XCTAssertEqual(heavyBall.momentum, pow(1 - 1 / (2 * kappa.squareRoot()), 2), accuracy: 1e-12)
        let gd = try MethodSpecification(name: "gd", options: ["recipe": "001-deep-linear"], text: "gd:recipe=001-deep-linear")
            .build(problem: problem, flowParameters: FlowSpecification(kind: .heavyBall))
        XCTAssertEqual(try XCTUnwrap(gd.method as? GradientDescent).stepSize, heavyBall.stepSize)
        // Every recipe serves nag too (η and β); a method without η and β refuses it.
        let nag = try MethodSpecification(name: "nag", options: ["recipe": "001-deep-linear"], text: "nag")
            .build(problem: problem, flowParameters: FlowSpecification(kind: .heavyBall))
        XCTAssertEqual(try XCTUnwrap(nag.method as? NesterovConstantMomentum).momentum, heavyBall.momentum)
        XCTAssertThrowsError(try MethodSpecification(name: "nag-gamma", options: ["recipe": "001-deep-linear"], text: "nag-gamma")
            .build(problem: problem, flowParameters: FlowSpecification(kind: .heavyBall)))
        // Bad options name the model input.
        for bad in [["layers": "1"], ["hidden": "2"], ["layers": "2.5"], ["depth": "3"]] {
            spec.modelOptions = ModelOptions(bad)
            XCTAssertThrowsError(try spec.build(), "\(bad)") { XCTAssertEqual(($0 as? InputError)?.parameter, .model, "\(bad)") }
        }
    }

    func testGradientDescentDecreasesTheLossAtTheRecipeStep() throws {
        // A sanity check of the whole chain at a moderate depth: GD with η = d_y/(Lσ²_max(X))
        // decreases L monotonically and by many orders of magnitude in 200 steps.
        let net = try network(layers: 20, hidden: 10, d: 4, outputs: 4, n: 3)
        let eta = 1 / (try XCTUnwrap(net.spectra.limit)).lambdaMax
        let it = try GradientDescent(stepSize: eta).makeIterator(field: net, initialPosition: net.initialPosition)
        var last = net.potential(at: it.position)
        let first = last
        for _ in 0..<200 {
            it.step()
            let l = net.potential(at: it.position)
            // Monotone down to the rounding floor (~1e-30 here, where L stalls and jitters).
            if last > 1e-20 * first { XCTAssertLessThanOrEqual(l, last * (1 + 1e-12)) }
            last = l
        }
        XCTAssertLessThan(last, 1e-10 * first)
    }

    // MARK: - Command line


    private func run(_ arguments: [String], in directory: URL) throws -> GradflowRun {
        try runGradflow(arguments, in: directory)
    }

    func testCompareRunsEveryFlowAndMethodThroughTheBinary() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("DeepLinearTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("cmp")
        let model = ["--model", "deep-linear:layers=5:hidden=6:outputs=2", "--samples", "3", "--dimension", "3"]
        let r = try run(["compare"] + model + ["--t-end", "2", "--points", "5", "--coefficients", "3,2.5",
                                                "--flows", "gradient-flow,hbf,nesterov,higher-order",
                                                "--methods", "gd:recipe=001-deep-linear,hb:recipe=001-deep-linear,nag:recipe=003-nag",
                                                "--output", output.path], in: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("deep-linear"), r.stdout)
        let rates = try String(contentsOf: output.appendingPathComponent("rates.csv"), encoding: .utf8)
        for name in ["gradient-flow", "hbf", "nesterov", "higher-order", "gd", "hb", "nag"] {
            XCTAssertTrue(rates.contains("\n\(name),"), "\(name) missing from rates.csv:\n\(rates)")
            let csv = try String(contentsOf: output.appendingPathComponent("\(name).csv"), encoding: .utf8)
            // Every run has rows with a finite loss.
            let rows = csv.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            XCTAssertGreaterThan(rows.count, 2, name)
            let column = try XCTUnwrap(rows.first?.firstIndex(of: "loss"), "\(name): no loss column")
            for row in rows.dropFirst() { XCTAssertTrue(Double(row[column])?.isFinite ?? false, "\(name): \(row)") }
        }
        // A switching solver and a bad option are refused with one line naming the input.
        for (bad, flag) in [(["simulate"] + model + ["--solver", "events"], "--solver"),
                            (["simulate", "--model", "deep-linear:layers=1", "--dimension", "3"], "--model"),
                            (["simulate", "--model", "deep-linear:hidden=2", "--dimension", "3"], "--model")] {
            let e = try run(bad + ["--output", root.appendingPathComponent("bad").path], in: root)
            XCTAssertNotEqual(e.status, 0, bad.joined(separator: " "))
            XCTAssertEqual(e.stderr.split(separator: "\n").count, 1, e.stderr)
            XCTAssertTrue(e.stderr.contains(flag), e.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("bad").path))
        }
    }
}
