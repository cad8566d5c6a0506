import XCTest
@testable import GradFlow
@testable import GradFlowNumerics

/// Exact pieces of Nesterov's ODE: one mode's Bessel transition against GSL
/// integration of the mode's ODE, and whole runs against GSL stepping with events.
final class NesterovExactPiecesTests: XCTestCase {
    /// One mode of a piece started at s0: (ψ, ψ', y, y') with ψ'' + (γ/s)ψ' = −y,
    /// y'' + (γ/s)y' + λy = 0, and the free motion (x, x') with x'' + (γ/s)x' = 0, x(s0) = 0,
    /// x'(s0) = 1, whose values are F01 and F11.
    private final class ModeSystem: FirstOrderSystem {
        let gamma: Double, lambda: Double
        init(gamma: Double, lambda: Double) { self.gamma = gamma; self.lambda = lambda }
        var dimension: Int { 6 }
        var hasJacobian: Bool { false }
        func evaluate(t: Double, state u: VectorView, derivative f: MutableVectorView) {
            let c = gamma / t
            f[0] = u[1]; f[1] = -c * u[1] - u[2]
            f[2] = u[3]; f[3] = -c * u[3] - lambda * u[2]
            f[4] = u[5]; f[5] = -c * u[5]
        }
        func jacobian(t: Double, state: VectorView, dfdy: MutableVectorView, dfdt: MutableVectorView) -> Bool { false }
    }

    func testOneModeAgainstGSLIntegrationOfItsODE() throws {
        let eigen = LAPACKSymmetricEigen(size: 1)
        // γ = 1 (logarithmic free motion), 3 (logarithmic zero-mode integrals), 4.5, 7; λ from
        // a zero mode and one below the Bessel/free-motion crossover to an oscillating one;
        // starts near 0 (huge Y_ν(x0)) and later.
        for gamma in [1.0, 3, 4.5, 7] {
            for lambda in [0.0, 1e-9, 0.05, 1, 40] {
                for s0 in [1e-4, 0.7, 5] {
                    let (y0, v0) = (0.8, -0.3)
                    let modes = try NesterovPieceModes(kernel: [lambda], residuals: [[y0], [v0]], gamma: gamma, start: s0, eigen: eigen)
                    let system = ModeSystem(gamma: gamma, lambda: lambda)
                    // rk8pd at rtol 1e-13, atol 1e-15: the reference is good to about 1e-12.
                    let driver = try GSLDriver(system: system, state: DoubleBuffer([0, 0, y0, v0, 0, 1]), startTime: s0, stepper: .rk8pd,
                                               tolerances: try Tolerances(relative: 1e-13, absolute: 1e-15), initialStep: 1e-3 * s0)
                    for tau in [1e-3 * s0, 0.3, 2, 6] {
                        try driver.advance(to: s0 + tau)
                        let u = driver.state.array
                        let ms = try modes.state(at: tau)
                        let got = [ms.phi[0][0], ms.phi[1][0], ms.delta[0], ms.deltaRate[0], ms.free[1], ms.free[3]]
                        let scale = u.map(abs).max()!
                        // Bessel values are good to ~1e-15 relative; ψ divides by λ (loss
                        // ~1e-15/λ of |y|, ≤ 1e-13 here at λ = 0.05 except at the crossover,
                        // where the free-motion formula is off by λs²/(2(1+γ)) ≤ 5e-8 at s = 11
                        // for λ = 1e-9). Against a reference good to 1e-12: 1e-9 of the largest
                        // component, or 1e-7 at λ = 1e-9 (the crossover's bound, see the type).
                        let tolerance = lambda == 1e-9 ? 1e-7 : 1e-9
                        for k in 0..<6 {
                            XCTAssertEqual(got[k], u[k], accuracy: tolerance * max(scale, 1e-300),
                                           "γ = \(gamma), λ = \(lambda), s0 = \(s0), τ = \(tau), component \(k)")
                        }
                    }
                }
            }
        }
    }

    /// Loss at the samples and switch counts of Nesterov on the weights with exact pieces
    /// and with GSL events.
    private func compare(samples: Int, dimension: Int, width: Int, gamma: Double, seed: UInt64, endTime: Double) throws {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: samples, dimension: dimension, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: width, random: random)
        let field = ReLUWeightField(network: net)
        let flow = NesterovFlow(gamma: gamma)
        let times = try SampleTimes.linear(from: 0, to: endTime, count: 9)
        let events = Solver.switching(method: .gslEvents(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-11, absolute: 1e-13)),
                                      eventTolerance: 1e-10)
        let pieces = Solver.switching(method: .exactPieces, eventTolerance: 1e-10)
        let a = try solveFlow(field, from: net.initialWeights.elements, flow, solver: events, sampleTimes: times, monitors: [LossMonitor(flow: flow)])
        let b = try solveFlow(field, from: net.initialWeights.elements, flow, solver: pieces, sampleTimes: times, monitors: [LossMonitor(flow: flow)])
        XCTAssertNil(a.earlyStop)
        XCTAssertNil(b.earlyStop)
        let label = "n = \(samples), d = \(dimension), m = \(width), γ = \(gamma)"
        XCTAssertEqual(a.switching?.events, b.switching?.events, label)
        XCTAssertGreaterThan(b.switching?.events ?? 0, 10, "the run must cross switches: \(label)")
        // Both start from the same series state at t0. Events: rk8pd at rtol 1e-11 (global
        // error ~1e-10 of the state) and switches located to 1e-10 in time; exact pieces:
        // Bessel values to ~1e-15 and the same location tolerance. The loss agrees to 1e-7
        // relative (seen: ~1e-9), far above both errors and far below any missed or extra
        // switch, which changes the loss at the percent level.
        for (la, lb) in zip(a.column("loss")!, b.column("loss")!) {
            XCTAssertEqual(lb, la, accuracy: 1e-7 * la, label)
        }
    }

    func testExactPiecesAgreeWithEventsOnSmallNetworks() throws {
        try compare(samples: 6, dimension: 3, width: 32, gamma: 3, seed: 0, endTime: 20)
        try compare(samples: 4, dimension: 3, width: 16, gamma: 4.5, seed: 2, endTime: 15)
        try compare(samples: 8, dimension: 3, width: 64, gamma: 7, seed: 4, endTime: 15)
    }

    /// `auto` takes the kinetic solver for Nesterov at every γ > 0 (it was the fastest at every
    /// γ measured, see `ReLUWeightField.automaticSolver`); exact pieces still refuse γ < 1.
    func testAutoChoosesKineticForNesterov() throws {
        let random = RandomSource(seed: 1)
        let data = try Dataset.synthetic(samples: 3, dimension: 2, labels: .signs, random: random)
        let field = ReLUWeightField(network: try ReLUNetwork.gaussian(data: data, width: 4, random: random))
        for gamma in [0.5, 3, 50] { XCTAssertEqual(field.automaticSolver(for: NesterovFlow(gamma: gamma)), .kinetic) }
        XCTAssertThrowsError(try Solver.switching(method: .exactPieces, eventTolerance: 1e-8).validate(for: NesterovFlow(gamma: 0.5), on: field))
    }
}
