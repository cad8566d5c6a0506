import XCTest
@testable import GradFlow

/// The two-layer network with a trained (002 §5.3): gradient by central differences, its
/// W-part against the first-layer-only `network` model, Δ̇ = −HΔ under gradient flow, and the
/// empirical kernel at initialization against the closed-form H^∞_W + H^∞_a.
final class TrainedOutputNetworkTests: XCTestCase {
    private func build(samples: Int = 6, dimension: Int = 4, width: Int = 8, seed: UInt64 = 5,
                       model name: String = "trained-output") throws -> any Model {
        var s = ProblemSpecification()
        s.model = name
        s.samples = samples
        s.dimension = dimension
        s.width = width
        s.seed = seed
        return try s.build().model
    }

    private func state(_ m: any Model) -> [Double] {
        m.initialPosition.enumerated().map { $0.element + 0.3 * sin(1.7 * Double($0.offset)) }
    }

    func testGradientMatchesCentralDifferences() throws {
        let m = try build()
        let x = state(m)
        // h = 1e-6 on a piecewise-quadratic loss: away from kinks the central difference is
        // exact up to rounding ε|L|/h ≈ 1e-10; no pre-activation of this state lies within h
        // of a kink (checked below), so 1e-7 absolute is a wide margin.
        assertGradientMatchesCentralDifferences(m, at: x, step: 1e-6, absolute: 1e-7, relative: 1e-7)
        let net = try XCTUnwrap(m as? TrainedOutputNetwork)
        let d = net.network.dimension, width = net.network.width
        let z = net.network.data.inputs * DenseMatrix(rows: d, columns: width, elements: Array(x[0..<(d * width)]))
        XCTAssertGreaterThan(z.elements.map { abs($0) }.min() ?? 0, 1e-3, "a pre-activation near a kink would void the check")
    }

    func testFirstLayerGradientEqualsTheNetworkModels() throws {
        // Same seed, same draws: `network` moves W with a fixed at a(0); its gradient (the SIMD
        // ReLU kernel) must equal the W-part of ours at (W, a(0)), an independent implementation.
        let ours = try build(), theirs = try build(model: "network")
        let w = Array(state(theirs))
        let a = Array(ours.initialPosition.suffix(ours.dimension - theirs.dimension))
        var g1 = [Double](repeating: 0, count: ours.dimension), g2 = [Double](repeating: 0, count: theirs.dimension)
        (w + a).withView { v in g1.withMutableView { ours.gradient(at: v, into: $0) } }
        w.withView { v in g2.withMutableView { theirs.gradient(at: v, into: $0) } }
        // Same sums in another order: 1e-13 relative to the largest entry.
        let scale = g2.map { abs($0) }.max() ?? 1
        for k in 0..<g2.count { XCTAssertEqual(g1[k], g2[k], accuracy: 1e-13 * scale, "component \(k)") }
    }

    func testGradientFlowMovesTheErrorsByTheKernel() throws {
        // Under gradient flow ẋ = −∇L = −JᵀΔ, so Δ̇ = −JJᵀΔ = −HΔ: the directional derivative
        // and the explicitly formed H (H_W + H_a) must agree to rounding.
        let m = try build()
        let x = state(m)
        var g = [Double](repeating: 0, count: x.count)
        x.withView { v in g.withMutableView { m.gradient(at: v, into: $0) } }
        let velocity = g.map { -$0 }
        let rate = x.withView { v in velocity.withView { m.residualRate(at: v, velocity: $0) } }
        let delta = x.withView { m.residual(at: $0) }
        let h = x.withView { m.kernel(at: $0) }
        let expected = (h * delta).map { -$0 }
        let scale = expected.map { abs($0) }.max() ?? 1
        for i in 0..<rate.count { XCTAssertEqual(rate[i], expected[i], accuracy: 1e-12 * scale) }
        XCTAssertEqual(x.withView { m.pseudoLoss(at: $0) }, 0.5 * zip(delta, h * delta).map(*).reduce(0, +),
                       accuracy: 1e-12 * scale * scale)
    }

    func testInitialKernelConvergesToTheClosedFormLimit() throws {
        // H(0) is a mean over m i.i.d. neurons of terms with standard deviation below 1.2 for
        // unit inputs (|σ(z)σ(z')| ≤ |z||z'| with z ~ N(0, 1), plus a term in [−1, 1]), so each
        // entry is within 5·1.2/√m of H^∞ except with probability below 1e-6 per entry.
        let width = 40_000
        let m = try XCTUnwrap(try build(samples: 5, dimension: 3, width: width) as? TrainedOutputNetwork)
        let h0 = m.initialPosition.withView { m.kernel(at: $0) }
        var limit = NeuralTangentKernel.limit(inputs: m.network.data.inputs)
        let outputPart = TrainedOutputNetwork.outputLayerLimit(inputs: m.network.data.inputs)
        for e in 0..<limit.elements.count { limit.elements[e] += outputPart.elements[e] }
        let tolerance = 5 * 1.2 / Double(width).squareRoot()
        for e in 0..<limit.elements.count { XCTAssertEqual(h0.elements[e], limit.elements[e], accuracy: tolerance, "entry \(e)") }
        // The a-part alone is the arc-cosine kernel: on the diagonal ‖x‖²/2 (θ = 0).
        for i in 0..<5 {
            let norm2 = m.network.data.inputs.row(i).reduce(0) { $0 + $1 * $1 }
            XCTAssertEqual(outputPart[i, i], norm2 / 2, accuracy: 1e-15)
        }
    }

    /// GSL plain and with located kinks (`PieceEventSolver`); not the ReLU network's exact and
    /// kinetic solvers, which assume a fixed output layer.
    func testOnlyTheGSLSolversAreOffered() throws {
        let m = try build()
        XCTAssertEqual(m.supportedSolvers, [.gsl, .events])
        XCTAssertNil(m.reluNetwork, "the exact switching solvers assume a fixed output layer")
        XCTAssertNotNil(m.pieceProducts)
    }
}
