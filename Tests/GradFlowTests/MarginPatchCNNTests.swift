import XCTest
@testable import GradFlow

/// 004's margin data and cubic patch CNN, each piece against an independent computation:
/// explicit loops for f and the logistic loss, central differences for the gradient and the
/// residual rate, the kernel identity L̂ = ½ΔᵀHΔ, and GD+M = HB.
final class MarginPatchCNNTests: XCTestCase {
    private func model(samples: Int = 24, dimension: Int = 6, options: [String: String] = [:], seed: UInt64 = 3) throws -> MarginPatchCNN {
        var s = ProblemSpecification()
        s.model = "margin-cnn"
        s.samples = samples
        s.dimension = dimension
        s.seed = seed
        s.modelOptions = ModelOptions(["patches": "3", "neurons": "4", "test": "10", "init": "0.05"].merging(options) { $1 })
        let built = try s.build()
        return try XCTUnwrap(built.model as? MarginPatchCNN)
    }

    /// f_i = Σ_r Σ_j ⟨w_r, X_i[j]⟩³ by explicit loops.
    private func outputsByHand(_ m: MarginPatchCNN, _ w: [Double]) -> [Double] {
        let d = m.train.dimension, p = m.train.patchesPerSample
        return (0..<m.train.count).map { i in
            var f = 0.0
            for r in 0..<m.width {
                for j in 0..<p {
                    var z = 0.0
                    for k in 0..<d { z += w[r * d + k] * m.train.patches[(i * p + j) * d + k] }
                    f += z * z * z
                }
            }
            return f
        }
    }

    func testOutputsAndLossAgreeWithExplicitLoops() throws {
        let m = try model(options: ["lambda": "0.3"])
        let w = m.initialPosition.enumerated().map { $0.element + 0.1 * sin(Double($0.offset)) }
        let f = outputsByHand(m, w)
        let predictions = w.withView { m.predictions(at: $0) }
        // Same sums in a different order (GEMM vs loops): rounding only, 1e-12 relative.
        for i in 0..<f.count { XCTAssertEqual(predictions[i], f[i], accuracy: 1e-12 * max(1, abs(f[i]))) }
        let n = Double(f.count)
        let logistic = zip(m.train.labels, f).map { y, fi in log(1 + exp(-y * fi)) }.reduce(0, +) / n
        let norm2 = w.reduce(0) { $0 + $1 * $1 }
        let delta = w.withView { m.residual(at: $0) }
        // ½‖Δ‖² is the logistic data loss by construction; Φ adds (λ/2)‖W‖² (004 eq. P).
        XCTAssertEqual(0.5 * delta.reduce(0) { $0 + $1 * $1 }, logistic, accuracy: 1e-12 * logistic)
        XCTAssertEqual(w.withView { m.potential(at: $0) }, logistic + 0.15 * norm2, accuracy: 1e-12 * (logistic + norm2))
    }

    func testGradientMatchesCentralDifferences() throws {
        let m = try model(options: ["lambda": "0.2"])
        let w = m.initialPosition.enumerated().map { $0.element + 0.2 * cos(Double($0.offset)) }
        // Central differences with h = 1e-5: truncation h²|Φ'''|/6 ≈ 1e-10 and rounding
        // ε|Φ|/h ≈ 1e-11 against gradient entries of order 1e-2–1; 1e-7 absolute plus 1e-6
        // relative is far above both and far below any real error.
        assertGradientMatchesCentralDifferences(m, at: w, step: 1e-5, absolute: 1e-7, relative: 1e-6)
    }

    func testResidualRateMatchesCentralDifferencesAndKernelIdentity() throws {
        let m = try model()
        let w = m.initialPosition.enumerated().map { $0.element + 0.15 * sin(0.7 * Double($0.offset)) }
        let v = (0..<w.count).map { cos(1.3 * Double($0)) }
        let rate = w.withView { x in v.withView { m.residualRate(at: x, velocity: $0) } }
        let h = 1e-6
        let plus = zip(w, v).map { $0 + h * $1 }, minus = zip(w, v).map { $0 - h * $1 }
        let rp = plus.withView { m.residual(at: $0) }, rm = minus.withView { m.residual(at: $0) }
        // Central differences, h = 1e-6: truncation ≈ h²·|Δ'''| ≈ 1e-12, rounding ≈ ε/h ≈ 1e-10.
        for i in 0..<rate.count { XCTAssertEqual(rate[i], (rp[i] - rm[i]) / (2 * h), accuracy: 1e-8 + 1e-6 * abs(rate[i])) }
        // L̂ = ½ΔᵀHΔ with H = JJᵀ formed explicitly, against ½‖∇(data loss)‖² (two formulations).
        let delta = w.withView { m.residual(at: $0) }
        let hMatrix = w.withView { m.kernel(at: $0) }
        let quadratic = 0.5 * zip(delta, hMatrix * delta).map(*).reduce(0, +)
        XCTAssertEqual(w.withView { m.pseudoLoss(at: $0) }, quadratic, accuracy: 1e-10 * max(quadratic, 1e-300))
    }

    func testDataFollowsDistributionD() throws {
        let d = 8
        let m = try model(samples: 4000, dimension: d, options: ["alpha": "4", "beta": "0.5", "sigma": "0.7", "mu": "0.25", "test": "100"])
        let p = m.train.patchesPerSample
        var smallCount = 0, noise: [Double] = []
        for i in 0..<m.train.count {
            let y = m.train.labels[i]
            let signal = (0..<p).filter { m.train.patches[(i * p + $0) * d] != 0 }
            // Exactly one signal patch c·w* = c·e1 with c = αy or βy; noise has e1-coordinate 0.
            XCTAssertEqual(signal.count, 1)
            let j = signal[0]
            let c = m.train.patches[(i * p + j) * d]
            XCTAssertEqual(c, (m.train.isSmallMargin[i] ? 0.5 : 4) * y)
            for k in 1..<d { XCTAssertEqual(m.train.patches[(i * p + j) * d + k], 0) }
            for jj in 0..<p where jj != j { noise += (1..<d).map { m.train.patches[(i * p + jj) * d + $0] } }
            if m.train.isSmallMargin[i] { smallCount += 1 }
        }
        // Binomial(4000, 0.25): sd = √(4000·0.25·0.75) ≈ 27.4; 5 sd = 137.
        XCTAssertEqual(Double(smallCount), 1000, accuracy: 137)
        // Noise variance σ² = 0.49 from 4000·2·7 = 56 000 draws: relative sd √(2/56000) ≈ 0.6%; 5 sd = 3%.
        let variance = noise.reduce(0) { $0 + $1 * $1 } / Double(noise.count)
        XCTAssertEqual(variance, 0.49, accuracy: 0.03 * 0.49)
        // The test set is half large-margin, half small-margin.
        XCTAssertEqual(m.test.indices(smallMargin: true).count, 50)
        XCTAssertEqual(m.test.indices(smallMargin: false).count, 50)
    }

    func testGDPlusMomentumIsHeavyBallOnTheLogisticModel() throws {
        // 004's GD+M (g ← γg + (1−γ)∇L, W ← W − ηg) is HB with β = γ and η_HB = η(1 − γ)
        // (DESIGN §3); on this non-quadratic, non-square loss the two must still agree to
        // rounding (the same arithmetic in a different order: 1e-10 relative after 40 steps).
        let m = try model(options: ["lambda": "0.01"])
        let samples = Array(0...40)
        let gdm = try solveMethod(m, from: m.initialPosition, EMAMomentum(stepSize: 0.5, averaging: 0.9), iterations: 40,
                                  sampleIterations: samples, monitors: m.monitors(flow: GradientFlow(), lambdaMin: false))
        let hb = try solveMethod(m, from: m.initialPosition, PolyakHeavyBall(stepSize: 0.05, momentum: 0.9), iterations: 40,
                                 sampleIterations: samples, monitors: m.monitors(flow: GradientFlow(), lambdaMin: false))
        let a = try XCTUnwrap(gdm[.loss]), b = try XCTUnwrap(hb[.loss])
        XCTAssertEqual(a.count, 41)
        XCTAssertEqual(a.count, b.count)
        XCTAssertLessThan(a.last!, 0.5 * a.first!, "the run must train for the comparison to mean something")
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-10 * max(x, 1e-300)) }
    }

    func testBadOptionsAreRefusedNamingTheKey() throws {
        for (options, fragment) in [(["beta": "-1"], "beta=-1"), (["mu": "2"], "mu=2"), (["patches": "0"], "patches=0"),
                                    (["nope": "1"], "nope")] {
            XCTAssertThrowsError(try model(options: options)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
        XCTAssertThrowsError(try model(dimension: 1)) { XCTAssertTrue("\($0)".contains("d ≥ 2"), "\($0)") }
    }
}
