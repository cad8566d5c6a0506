import XCTest
@testable import GradFlow

/// Piecewise-linear activations (002 §6): the activation against its integral definition, the
/// network's gradient by central differences and (for ReLU) against the `network` model, the
/// kernel identity Δ̇ = −HΔ, and the leaky-ReLU H^∞ against the empirical kernel as m grows.
final class PiecewiseLinearNetworkTests: XCTestCase {
    private func build(_ options: [String: String], samples: Int = 6, dimension: Int = 4, width: Int = 10,
                       model name: String = "piecewise-linear") throws -> any Model {
        var s = ProblemSpecification()
        s.model = name
        s.samples = samples
        s.dimension = dimension
        s.width = width
        s.seed = 7
        s.modelOptions = ModelOptions(options)
        return try s.build().model
    }

    func testActivationIsTheIntegralOfItsSlopes() throws {
        let a = try XCTUnwrap(PiecewiseLinearActivation(breakpoints: [-1, 0.5, 2], slopes: [0.2, -0.5, 1, 3]))
        // σ(z) = ∫_0^z σ': a midpoint sum with 200 000 cells is exact on each linear piece
        // except the cells straddling a breakpoint (error ≤ cell·|Δslope| ≈ 1e-5·3.5).
        for z in [-3.0, -1, -0.4, 0, 0.5, 1.3, 2, 4.2] {
            let cells = 200_000, h = z / Double(cells)
            var integral = 0.0
            for k in 0..<cells { integral += a.slope((Double(k) + 0.5) * h) * h }
            XCTAssertEqual(a.value(z), integral, accuracy: 1e-4, "z = \(z)")
        }
        XCTAssertEqual(PiecewiseLinearActivation.relu.value(-2), 0)
        XCTAssertEqual(PiecewiseLinearActivation.relu.value(3), 3)
        XCTAssertEqual(PiecewiseLinearActivation.leaky(0.1)!.value(-2), -0.2)
        XCTAssertNil(PiecewiseLinearActivation(breakpoints: [1, 0], slopes: [0, 1, 2]))
        XCTAssertNil(PiecewiseLinearActivation(breakpoints: [0], slopes: [1]))
    }

    func testGradientMatchesCentralDifferencesWithSeveralKinks() throws {
        let m = try build(["breakpoints": "-0.5/0.3/1", "slopes": "0.1/0.7/1/2"])
        let x = m.initialPosition.enumerated().map { $0.element + 0.2 * cos(1.1 * Double($0.offset)) }
        // Piecewise quadratic away from kinks: central differences are exact up to rounding
        // ε|L|/h ≈ 1e-10 at h = 1e-6, unless a pre-activation lies within h of a kink
        // (checked below), so 1e-7 is a wide margin.
        let g = assertGradientMatchesCentralDifferences(m, at: x, step: 1e-6, absolute: 1e-7, relative: 1e-7)
        let net = try XCTUnwrap(m as? PiecewiseLinearNetwork)
        let z = net.network.data.inputs * DenseMatrix(rows: 4, columns: 10, elements: x)
        let distance = z.elements.map { v in [-0.5, 0.3, 1].map { abs(v - $0) }.min()! }.min()!
        XCTAssertGreaterThan(distance, 1e-4, "a pre-activation near a kink would void the check")
        // Δ̇ = −HΔ under gradient flow (directional derivative against the formed kernel).
        let rate = x.withView { v in g.map { -$0 }.withView { m.residualRate(at: v, velocity: $0) } }
        let delta = x.withView { m.residual(at: $0) }
        let expected = (x.withView { m.kernel(at: $0) } * delta).map { -$0 }
        let scale = expected.map { abs($0) }.max() ?? 1
        for i in 0..<rate.count { XCTAssertEqual(rate[i], expected[i], accuracy: 1e-12 * scale) }
    }

    func testReLUSlopesGiveTheNetworkModelsGradient() throws {
        let ours = try build(["breakpoints": "0", "slopes": "0/1"]), theirs = try build([:], model: "network")
        let x = theirs.initialPosition.enumerated().map { $0.element + 0.1 * sin(Double($0.offset)) }
        var g1 = [Double](repeating: 0, count: x.count), g2 = g1
        x.withView { v in g1.withMutableView { ours.gradient(at: v, into: $0) } }
        x.withView { v in g2.withMutableView { theirs.gradient(at: v, into: $0) } }
        let scale = g2.map { abs($0) }.max() ?? 1
        // Two implementations (GEMM here, the SIMD ReLU kernel there): rounding only.
        for k in 0..<x.count { XCTAssertEqual(g1[k], g2[k], accuracy: 1e-13 * scale, "component \(k)") }
    }

    func testLeakyKernelLimitMatchesTheEmpiricalKernelAndReLU() throws {
        // With s₀ = 0, s₁ = 1 the closed form is 002's H^∞ exactly.
        let relu = try XCTUnwrap(try build(["slope": "0"]) as? PiecewiseLinearNetwork)
        let reluLimit = try XCTUnwrap(PiecewiseLinearNetwork.limitKernel(inputs: relu.network.data.inputs, activation: .relu))
        let fact22 = NeuralTangentKernel.limit(inputs: relu.network.data.inputs)
        for e in 0..<fact22.elements.count { XCTAssertEqual(reluLimit.elements[e], fact22.elements[e], accuracy: 1e-15) }
        // Leaky slope 0.3: H(0) is a mean of m i.i.d. terms bounded by |x_iᵀx_j| ≤ 1 (unit
        // inputs, slopes ≤ 1), so each entry is within 5/√m of H^∞ except with probability
        // below 1e-6; at m = 40 000 that is 0.025, against entries of order 0.1–0.6.
        let width = 40_000
        let leaky = try XCTUnwrap(try build(["slope": "0.3"], samples: 5, dimension: 3, width: width) as? PiecewiseLinearNetwork)
        let limit = try XCTUnwrap(PiecewiseLinearNetwork.limitKernel(inputs: leaky.network.data.inputs, activation: leaky.activation))
        let h0 = leaky.initialPosition.withView { leaky.kernel(at: $0) }
        for e in 0..<limit.elements.count { XCTAssertEqual(h0.elements[e], limit.elements[e], accuracy: 5 / Double(width).squareRoot()) }
        // The diagonal (θ = 0) is ‖x‖²(s₀² + s₁²)/2 exactly.
        for i in 0..<5 {
            let norm2 = leaky.network.data.inputs.row(i).reduce(0) { $0 + $1 * $1 }
            XCTAssertEqual(limit[i, i], norm2 * (0.09 + 1) / 2, accuracy: 1e-15)
        }
    }

    func testBadActivationOptionsAreRefused() {
        for (options, fragment) in [(["breakpoints": "1/0", "slopes": "0/1/2"], "breakpoints must increase"),
                                    (["breakpoints": "0", "slopes": "1"], "one more slope"),
                                    (["slope": "0.1", "breakpoints": "0", "slopes": "0/1"], "either"),
                                    (["slopes": "a/b"], "finite numbers")] {
            XCTAssertThrowsError(try build(options)) { XCTAssertTrue("\($0)".contains(fragment), "\($0)") }
        }
    }
}
