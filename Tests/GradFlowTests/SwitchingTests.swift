import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport

/// Event location, Filippov sliding and exact pieces for the ReLU weight flows.
/// References are independent of the solvers: closed-form solutions of one-neuron problems
/// (root-found by plain bisection here), discrete gradient descent written inline, and the
/// two solvers (GSL stepping with events, exact pieces) against each other.
final class SwitchingTests: XCTestCase {
    // MARK: - Helpers

    private func network(inputs: [[Double]], targets: [Double], weights: [[Double]],
                         outputWeights: [Double]) throws -> ReLUNetwork {
        let n = inputs.count, d = inputs[0].count, m = weights.count
        let data = try Dataset(inputs: DenseMatrix(rows: n, columns: d, elements: inputs.flatMap { $0 }), targets: targets)
        // d×m storage: column r = w_r.
        var w = DenseMatrix(rows: d, columns: m)
        for r in 0..<m { for k in 0..<d { w[k, r] = weights[r][k] } }
        return try ReLUNetwork(data: data, outputWeights: outputWeights, initialWeights: w)
    }

    private func randomNetwork(samples n: Int, dimension d: Int, width m: Int, seed: UInt64,
                               labels: Dataset.LabelKind = .gaussian) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: labels, random: random)
        return try ReLUNetwork.gaussian(data: data, width: m, random: random)
    }

    /// The root of a continuous f on [a, b] with f(a), f(b) of opposite signs, by bisection to
    /// machine precision.
    private func bisect(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> Double {
        var lo = a, hi = b
        let negativeAtLo = f(lo) < 0
        XCTAssertNotEqual(negativeAtLo, f(hi) < 0, "bisection needs a sign change")
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            if (f(mid) < 0) == negativeAtLo { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    private func gsl(_ stepper: Stepper = .rk8pd, rtol: Double, atol: Double) throws -> SwitchingMethod {
        .gslEvents(stepper: stepper, tolerances: try Tolerances(relative: rtol, absolute: atol))
    }

    /// Runs and records every accepted state.
    private func run(_ net: ReLUNetwork, _ flow: any ContinuousFlow, _ method: SwitchingMethod,
                     eventTolerance: Double, times: [Double]) throws
        -> (trajectory: Solution, statistics: SwitchingStatistics, states: [(Double, [Double])]) {
        var states: [(Double, [Double])] = [(times[0], net.initialWeights.elements)]
        var options = SolveOptions()
        options.acceptedStateObserver = { states.append(($0, $1)) }
        let trajectory = try solveFlow(ReLUWeightField(network: net), from: net.initialWeights.elements, flow,
                                       solver: .switching(method: method, eventTolerance: eventTolerance),
                                       sampleTimes: try SampleTimes(list: times), monitors: [LossMonitor(flow: flow)],
                                       options: options)
        XCTAssertNil(trajectory.earlyStop)
        return (trajectory, try XCTUnwrap(trajectory.switching), states)
    }

    /// Z = XW (n×m) for weights stored d×m.
    private func preactivations(_ net: ReLUNetwork, _ w: [Double]) -> [Double] {
        (net.data.inputs * DenseMatrix(rows: net.dimension, columns: net.width, elements: w)).elements
    }

    private func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) {
            num += (x - y) * (x - y)
            den += y * y
        }
        return (num / den).squareRoot()
    }

    // MARK: - One neuron, hand-computed

    /// One neuron (a = 1, m = 1), x1 = (1, 0), x2 = (0.6, 0.8), y = (−0.5, 2), w0 = (0.5, 0.5):
    /// both pairs active, so u = z − y obeys u' = −Gu, G = [[1, c], [c, 1]], c = 0.6, and
    /// z1(t) = −0.5 − 0.15 e^{−1.6t} + 1.15 e^{−0.4t} reaches 0 at t* ≈ 2.06 with
    /// Δ1 = 0.5, Δ2 ≈ −0.51. There the active side pushes z1 down (ż1⁺ = −Δ1 − cΔ2 ≈ −0.19)
    /// and the inactive side up (ż1⁻ = −cΔ2 ≈ 0.31): Filippov sliding with
    /// s = −cΔ2/Δ1 ∈ (0, 1). On the surface w' = −Δ2 (x2 − c x1) = −Δ2 (0, 0.8), so
    /// z2' = −(1 − c²)Δ2 and Δ2(t) = Δ2(t*) e^{−0.64 (t − t*)} while Δ1 stays 0.5.
    func testOneNeuronReachesSurfaceAndSlides() throws {
        let net = try network(inputs: [[1, 0], [0.6, 0.8]], targets: [-0.5, 2], weights: [[0.5, 0.5]], outputWeights: [1])
        let c = 0.6
        let u0 = [1.0, -1.3]
        let p = 0.5 * (u0[0] + u0[1]), q = 0.5 * (u0[0] - u0[1])
        func u(_ t: Double) -> (Double, Double) {
            (p * exp(-(1 + c) * t) + q * exp(-(1 - c) * t), p * exp(-(1 + c) * t) - q * exp(-(1 - c) * t))
        }
        let tStar = bisect(0, 10) { -0.5 + u($0).0 }
        let delta2Star = u(tStar).1
        XCTAssertLessThan(-c * delta2Star, 0.5, "the hand solution must be a sliding case")
        // w(t*) = w0 − ∫u1 x1 − ∫u2 x2, with ∫_0^t u = P (1 − e^{−1.6t})/1.6 (1, 1) + Q (1 − e^{−0.4t})/0.4 (1, −1).
        let i1 = p * (1 - exp(-1.6 * tStar)) / 1.6 + q * (1 - exp(-0.4 * tStar)) / 0.4
        let i2 = p * (1 - exp(-1.6 * tStar)) / 1.6 - q * (1 - exp(-0.4 * tStar)) / 0.4
        let wStar = [0.5 - i1 - 0.6 * i2, 0.5 - 0.8 * i2]
        let end = 5.0
        let delta2End = delta2Star * exp(-0.64 * (end - tStar))
        let wEnd = [wStar[0], wStar[1] - 0.8 * delta2Star * (1 - exp(-0.64 * (end - tStar))) / 0.64]

        // Exact pieces are exact up to rounding (location to 1e-12); GSL rk8pd at rtol 1e-12
        // carries ~1e-11 relative error per unit time, so 1e-8 is a safe common bound.
        for method in [SwitchingMethod.exactPieces, try gsl(rtol: 1e-12, atol: 1e-14)] {
            let (trajectory, statistics, states) = try run(net, GradientFlow(), method, eventTolerance: 1e-12,
                                                           times: [0, 1, 3, end])
            XCTAssertEqual(statistics.slidingEntries, 1, method.name)
            XCTAssertEqual(statistics.crossings, 0, method.name)
            XCTAssertEqual(statistics.slidingExits, 0, method.name)
            // The surface is reached at t*: the pair slides from then on.
            XCTAssertEqual(end - statistics.slidingTime, tStar, accuracy: 1e-8, method.name)
            XCTAssertEqual(statistics.slidingPairTime, end - tStar, accuracy: 1e-8, method.name)
            XCTAssertEqual(trajectory.column("sliding_pairs")!, [0, 0, 1, 1], method.name)
            XCTAssertEqual(trajectory.column("switching_events")!, [0, 0, 1, 1], method.name)
            // Sliding velocity: ‖w'‖ = 0.8|Δ2| and L = ½(Δ1² + Δ2²) at t = 3 and t = 5.
            for (k, t) in [(2, 3.0), (3, end)] {
                let d2 = delta2Star * exp(-0.64 * (t - tStar))
                XCTAssertEqual(trajectory.column("velocity_norm")![k], 0.8 * abs(d2), accuracy: 1e-8, method.name)
                XCTAssertEqual(trajectory.column("loss")![k], 0.5 * (0.25 + d2 * d2), accuracy: 1e-8, method.name)
            }
            XCTAssertEqual(abs(delta2End) * 0.8, trajectory.column("velocity_norm")!.last!, accuracy: 1e-8)
            let w = states.last!.1
            XCTAssertEqual(w[0], wEnd[0], accuracy: 1e-8, "z1 = w·x1 stays on the surface (\(method.name))")
            XCTAssertEqual(w[1], wEnd[1], accuracy: 1e-8, method.name)
        }
    }

    /// The same neuron with y = (−0.5, 0.1): u0 = (1, 0.6), z1(t) = −0.5 + 0.8 e^{−1.6t} + 0.2 e^{−0.4t}
    /// reaches 0 at t* ≈ 0.54 with Δ2 ≈ 0.17 > 0, so both one-sided fields push z1 down
    /// (ż1⁻ = −cΔ2 < 0): a transversal crossing. Afterwards only sample 2 is active,
    /// Δ2(t) = Δ2(t*) e^{−(t − t*)} and w(t) = w(t*) − Δ2(t*)(1 − e^{−(t − t*)}) x2.
    func testOneNeuronCrossesTransversally() throws {
        let net = try network(inputs: [[1, 0], [0.6, 0.8]], targets: [-0.5, 0.1], weights: [[0.5, 0.5]], outputWeights: [1])
        let c = 0.6
        let u0 = [1.0, 0.6]
        let p = 0.5 * (u0[0] + u0[1]), q = 0.5 * (u0[0] - u0[1])
        func u(_ t: Double) -> (Double, Double) {
            (p * exp(-(1 + c) * t) + q * exp(-(1 - c) * t), p * exp(-(1 + c) * t) - q * exp(-(1 - c) * t))
        }
        let tStar = bisect(0, 5) { -0.5 + u($0).0 }
        let delta2Star = u(tStar).1
        XCTAssertGreaterThan(delta2Star, 0, "the hand solution must be a crossing case")
        let i1 = p * (1 - exp(-1.6 * tStar)) / 1.6 + q * (1 - exp(-0.4 * tStar)) / 0.4
        let i2 = p * (1 - exp(-1.6 * tStar)) / 1.6 - q * (1 - exp(-0.4 * tStar)) / 0.4
        let wStar = [0.5 - i1 - 0.6 * i2, 0.5 - 0.8 * i2]
        let end = 3.0
        let f = delta2Star * (1 - exp(-(end - tStar)))
        let wEnd = [wStar[0] - 0.6 * f, wStar[1] - 0.8 * f]
        for method in [SwitchingMethod.exactPieces, try gsl(rtol: 1e-12, atol: 1e-14)] {
            let (_, statistics, states) = try run(net, GradientFlow(), method, eventTolerance: 1e-12, times: [0, end])
            XCTAssertEqual(statistics.crossings, 1, method.name)
            XCTAssertEqual(statistics.slidingEntries, 0, method.name)
            XCTAssertEqual(statistics.slidingTime, 0, method.name)
            // The event state is the first accepted state past the surface; it is at most the
            // event tolerance (plus the integration error of t*, ~1e-11) after t*.
            let event = states.first { $0.1[0] < 0 }!
            let before = states.last { $0.0 < event.0 }!
            XCTAssertEqual(event.0, tStar, accuracy: 1e-9, method.name)
            XCTAssertLessThan(before.0, tStar, method.name)
            XCTAssertEqual(states.last!.1[0], wEnd[0], accuracy: 1e-8, method.name)
            XCTAssertEqual(states.last!.1[1], wEnd[1], accuracy: 1e-8, method.name)
        }
    }

    /// Heavy ball on one neuron with one sample (d = 1, x = 1, y = −0.5, w0 = 1, b = 0.5):
    /// while active u = z − y obeys u'' + bu' + u = 0, u(0) = 1.5, u'(0) = 0, so
    /// u = 1.5 e^{−bt/2}(cos ωt + (b/2ω) sin ωt), u' = −1.5 e^{−bt/2} sin(ωt)/ω, ω² = 1 − b²/4;
    /// z reaches 0 (u = 0.5) at t* on the first descent. Past it the pair is inactive, the
    /// gradient vanishes and the velocity decays freely: z(t) = ż*(1 − e^{−b(t − t*)})/b.
    func testHeavyBallCrossingTime() throws {
        let net = try network(inputs: [[1]], targets: [-0.5], weights: [[1]], outputWeights: [1])
        let b = 0.5, omega = (1 - b * b / 4).squareRoot()
        func u(_ t: Double) -> Double { 1.5 * exp(-b * t / 2) * (cos(omega * t) + b / (2 * omega) * sin(omega * t)) }
        func du(_ t: Double) -> Double { -1.5 * exp(-b * t / 2) * sin(omega * t) / omega }
        let tStar = bisect(0, .pi / omega) { u($0) - 0.5 }
        let vStar = du(tStar)
        let end = 6.0
        let zEnd = vStar * (1 - exp(-b * (end - tStar))) / b
        for method in [SwitchingMethod.exactPieces, try gsl(rtol: 1e-12, atol: 1e-14)] {
            let (trajectory, statistics, states) = try run(net, HeavyBallFlow(friction: b), method,
                                                           eventTolerance: 1e-12, times: [0, end])
            XCTAssertEqual(statistics.events, 1, method.name)
            XCTAssertEqual(statistics.crossings, 1, method.name)
            let event = states.first { $0.1[0] < 0 }!
            XCTAssertEqual(event.0, tStar, accuracy: 1e-9, method.name)
            XCTAssertEqual(states.last!.1[0], zEnd, accuracy: 1e-9, method.name)
            XCTAssertEqual(trajectory.column("velocity_norm")!.last!, abs(vStar) * exp(-b * (end - tStar)),
                           accuracy: 1e-9, method.name)
        }
    }

    // MARK: - Discrete gradient descent → Filippov gradient flow

    /// GD with the papers' 1[z ≥ 0], w ← w − η∇L(w), run to T = 4 on a network that slides
    /// (n = 4, d = 3, m = 6, seed 34: six sliding entries, one exit, up to five pairs sliding at
    /// once). As η → 0 the iterates approach the Filippov solution (computed here by exact
    /// pieces): GD chatters across the sliding surfaces within O(η) of them, so the error
    /// at T falls about linearly in η.
    func testDiscreteGradientDescentApproachesFilippovSolution() throws {
        let net = try randomNetwork(samples: 4, dimension: 3, width: 6, seed: 34)
        let end = 4.0
        let (_, statistics, states) = try run(net, GradientFlow(), .exactPieces, eventTolerance: 1e-12, times: [0, end])
        XCTAssertGreaterThanOrEqual(statistics.slidingEntries, 3, "the test needs a run that slides")
        XCTAssertGreaterThan(statistics.slidingTime, 1)
        let reference = states.last!.1

        let n = net.sampleCount, d = net.dimension, m = net.width
        let x = net.data.inputs.elements, y = net.data.targets
        let a = net.outputWeights.map { $0 / Double(m).squareRoot() }
        func gradient(_ w: [Double]) -> [Double] {
            var g = [Double](repeating: 0, count: d * m)
            for i in 0..<n {
                var z = [Double](repeating: 0, count: m)
                var f = 0.0
                for r in 0..<m {
                    for k in 0..<d { z[r] += x[i * d + k] * w[k * m + r] }
                    f += a[r] * max(z[r], 0)
                }
                let delta = f - y[i]
                for r in 0..<m where z[r] >= 0 {
                    for k in 0..<d { g[k * m + r] += a[r] * delta * x[i * d + k] }
                }
            }
            return g
        }
        var errors: [Double] = []
        for steps in [400, 4000, 40000] {
            let eta = end / Double(steps)
            var w = net.initialWeights.elements
            for _ in 0..<steps {
                let g = gradient(w)
                for k in 0..<w.count { w[k] -= eta * g[k] }
            }
            errors.append(zip(w, reference).map { abs($0 - $1) }.max()!)
        }
        // Each tenfold smaller η cuts the error at least threefold (first order: tenfold), and
        // the finest run is within 1e-3 of the Filippov solution.
        XCTAssertLessThan(errors[1], errors[0] / 3, "errors \(errors)")
        XCTAssertLessThan(errors[2], errors[1] / 3, "errors \(errors)")
        XCTAssertLessThan(errors[2], 1e-3, "errors \(errors)")
    }

    // MARK: - Exact pieces against GSL stepping with events

    /// HBF on n = 6, d = 4, m = 100 to T = 15 (dozens of crossings): exact pieces and
    /// rk8pd at rtol 1e-10 with event location must agree to 1e-6 relative (observed ~1e-11;
    /// the bound leaves room for the stepper's global error).
    func testExactPiecesAgreeWithGSLEventsOnHeavyBall() throws {
        let net = try randomNetwork(samples: 6, dimension: 4, width: 100, seed: 5, labels: .signs)
        let flow = HeavyBallFlow(friction: 0.6)
        let times = [0, 5, 10, 15.0]
        let exact = try run(net, flow, .exactPieces, eventTolerance: 1e-11, times: times)
        let stepped = try run(net, flow, try gsl(rtol: 1e-10, atol: 1e-13), eventTolerance: 1e-11, times: times)
        XCTAssertGreaterThan(exact.statistics.crossings, 10)
        XCTAssertEqual(exact.statistics.crossings, stepped.statistics.crossings)
        XCTAssertLessThan(relativeDifference(stepped.states.last!.1, exact.states.last!.1), 1e-6)
        for (a, b) in zip(stepped.trajectory.column("loss")!, exact.trajectory.column("loss")!) {
            XCTAssertEqual(a, b, accuracy: 1e-6 * b)
        }
    }

    /// The same comparison for gradient flow with sliding (seed 34 above) and for a stable
    /// third-order flow (s³ + 3s² + 3s + λ, Routh–Hurwitz stable for λ < 9).
    func testExactPiecesAgreeWithGSLEventsOnGradientAndHigherOrderFlows() throws {
        let sliding = try randomNetwork(samples: 4, dimension: 3, width: 6, seed: 34)
        let flows: [(ReLUNetwork, any ContinuousFlow)] = [
            (sliding, GradientFlow()),
            (try randomNetwork(samples: 5, dimension: 3, width: 40, seed: 2, labels: .signs),
             HigherOrderMomentumFlow(coefficients: [3, 3])),
        ]
        for (net, flow) in flows {
            let exact = try run(net, flow, .exactPieces, eventTolerance: 1e-11, times: [0, 2, 4])
            let stepped = try run(net, flow, try gsl(rtol: 1e-10, atol: 1e-13), eventTolerance: 1e-11, times: [0, 2, 4])
            XCTAssertGreaterThan(exact.statistics.events, 0, flow.name)
            XCTAssertEqual(exact.statistics.crossings, stepped.statistics.crossings, flow.name)
            XCTAssertEqual(exact.statistics.slidingEntries, stepped.statistics.slidingEntries, flow.name)
            XCTAssertEqual(exact.statistics.slidingExits, stepped.statistics.slidingExits, flow.name)
            XCTAssertEqual(exact.statistics.slidingPairTime, stepped.statistics.slidingPairTime, accuracy: 1e-7, flow.name)
            XCTAssertLessThan(relativeDifference(stepped.states.last!.1, exact.states.last!.1), 1e-6, flow.name)
        }
    }

    // MARK: - Counting

    /// The run's event count equals the number of sign changes of z_ri (with 1[z ≥ 0])
    /// between consecutive accepted states, for the flows that cross transversally, with both
    /// methods; each accepted step changes each pair's sign at most once by construction.
    func testEventCountMatchesSignChangesBetweenAcceptedStates() throws {
        let net = try randomNetwork(samples: 6, dimension: 4, width: 100, seed: 5, labels: .signs)
        let cases: [(any ContinuousFlow, SwitchingMethod)] = [
            (HeavyBallFlow(friction: 0.6), try gsl(.rkf45, rtol: 1e-6, atol: 1e-9)),
            (HeavyBallFlow(friction: 0.6), .exactPieces),
            (NesterovFlow(gamma: 3), try gsl(.rkf45, rtol: 1e-6, atol: 1e-9)),
        ]
        for (flow, method) in cases {
            let (trajectory, statistics, states) = try run(net, flow, method, eventTolerance: 1e-8, times: [0, 4, 8])
            var changes = 0
            var previous = preactivations(net, states[0].1).map { $0 >= 0 }
            for (_, w) in states.dropFirst() {
                let signs = preactivations(net, w).map { $0 >= 0 }
                changes += zip(previous, signs).filter { $0 != $1 }.count
                previous = signs
            }
            XCTAssertGreaterThan(statistics.events, 5, "\(flow.name) \(method.name)")
            XCTAssertEqual(changes, statistics.events, "\(flow.name) \(method.name)")
            XCTAssertEqual(statistics.crossings, statistics.events)
            XCTAssertEqual(trajectory.column("switching_events")!.last!, Double(statistics.events))
        }
    }

    // MARK: - API

    func testColumnsAndNesterovStart() throws {
        let net = try randomNetwork(samples: 3, dimension: 2, width: 8, seed: 1)
        let flow = NesterovFlow(gamma: 3)
        let model = ReLUWeightField(network: net)
        let solver = Solver.switching(method: try gsl(.rkf45, rtol: 1e-8, atol: 1e-11), eventTolerance: 1e-9)
        let trajectory = try solveFlow(model, from: net.initialWeights.elements, flow, solver: solver,
                                       sampleTimes: try SampleTimes(list: [0, 1, 2]), monitors: [LossMonitor(flow: flow)])
        XCTAssertEqual(trajectory.columns, ["t", "loss", "pseudo_loss", "velocity_norm", "energy", "mechanical_energy",
                                            "switching_events", "sliding_pairs"])
        let statistics = try XCTUnwrap(trajectory.switching)
        XCTAssertEqual(trajectory.rows.count, 3)
        // The t = 0 sample is the initial state, as in `Simulation`.
        let field = ReLUWeightField(network: net)
        let initialLoss = net.initialWeights.elements.withView { field.potential(at: $0) }
        XCTAssertEqual(trajectory.column("loss")![0], initialLoss, accuracy: 1e-14 * initialLoss)
        XCTAssertEqual(statistics.slidingTime, 0)
        XCTAssertGreaterThan(statistics.evaluations, 0)
        // Exact pieces solve Nesterov through Bessel functions of order (γ−1)/2 ≥ 0 only.
        XCTAssertThrowsError(try solveFlow(model, from: net.initialWeights.elements, NesterovFlow(gamma: 0.5),
                                           solver: .switching(method: .exactPieces, eventTolerance: 1e-9),
                                           sampleTimes: try SampleTimes(list: [0, 1]), monitors: []))
        XCTAssertThrowsError(try solveFlow(model, from: net.initialWeights.elements, GradientFlow(),
                                           solver: .switching(method: try gsl(.rk4imp, rtol: 1e-6, atol: 1e-9), eventTolerance: 1e-9),
                                           sampleTimes: try SampleTimes(list: [0, 1]), monitors: []))
    }

    /// A run that blows up (negative friction: the velocity grows like e^t) ends early with
    /// `diverged` and keeps its earlier samples, with both methods.
    func testDivergenceEndsTheRunEarly() throws {
        let net = try network(inputs: [[1]], targets: [-0.5], weights: [[1]], outputWeights: [1])
        for method in [SwitchingMethod.exactPieces, try gsl(.rkf45, rtol: 1e-6, atol: 1e-9)] {
            let trajectory = try solveFlow(ReLUWeightField(network: net), from: net.initialWeights.elements,
                                           HeavyBallFlow(friction: -1), solver: .switching(method: method, eventTolerance: 1e-9),
                                           sampleTimes: try .linear(from: 0, to: 2000, count: 5),
                                           monitors: [LossMonitor(flow: HeavyBallFlow(friction: -1))])
            guard case .diverged? = trajectory.earlyStop else {
                return XCTFail("\(method.name): expected divergence, got \(String(describing: trajectory.earlyStop))")
            }
            XCTAssertGreaterThanOrEqual(trajectory.rows.count, 1, method.name)
            XCTAssertLessThan(trajectory.rows.count, 5, method.name)
        }
    }

    /// The benchmark entry point on a small problem: every flow runs with events, exact pieces
    /// and the kinetic solver (gradient flow through sliding), every solver of a flow sees the
    /// same switches and agrees with the flow's kinetic run to 1e-5 relative in W(T) (rkf45 at
    /// rtol 1e-6 and event tolerance 1e-8 bound the difference; exact pieces for Nesterov carry
    /// GSL's Bessel error, ~1e-7).
    func testBenchmarkRowsOnSmallProblem() throws {
        let net = try SwitchingBenchmark.network(samples: 5, dimension: 3, width: 30, seed: 0)
        let rows = try SwitchingBenchmark.run(network: net, endTime: 3, samples: 4)
        XCTAssertEqual(rows.map(\.flow), ["gradient-flow", "gradient-flow", "gradient-flow", "hbf", "hbf", "hbf",
                                          "nesterov", "nesterov", "nesterov"])
        XCTAssertEqual(rows.map(\.method), Array(repeating: ["gsl-events-rkf45", "exact-pieces", "kinetic"], count: 3).flatMap { $0 })
        guard rows.count == 9 else { return }
        for row in rows where row.method.hasPrefix("gsl") { XCTAssertGreaterThan(row.evaluations, 0) }
        for k in [0, 1, 3, 4, 6, 7] { XCTAssertLessThan(rows[k].relativeDifferenceToExact!, 1e-5, rows[k].flow) }
        for k in [2, 5, 8] { XCTAssertNil(rows[k].relativeDifferenceToExact) }
        for k in [0, 3, 6] {
            XCTAssertEqual(rows[k].events, rows[k + 1].events, rows[k].flow)
            XCTAssertEqual(rows[k].events, rows[k + 2].events, rows[k].flow)
        }
        XCTAssertGreaterThan(rows[0].slidingEntries, 0)
        XCTAssertEqual(rows[0].slidingEntries, rows[2].slidingEntries)
        XCTAssertEqual(rows[3].slidingTime, 0)
    }

    // MARK: - Switch log

    func testSwitchLogListsEverySwitchOfBothSolvers() throws {
        let net = try randomNetwork(samples: 6, dimension: 3, width: 24, seed: 4)
        for (flow, method) in [(GradientFlow() as any ContinuousFlow, SwitchingMethod.exactPieces),
                               (GradientFlow(), try gsl(.rkf45, rtol: 1e-9, atol: 1e-12)),
                               (HeavyBallFlow(friction: 0.5), SwitchingMethod.exactPieces)] {
            var options = SolveOptions()
            options.recordSwitches = true
            let solution = try solveFlow(ReLUWeightField(network: net), from: net.initialWeights.elements, flow,
                                         solver: .switching(method: method, eventTolerance: 1e-9),
                                         sampleTimes: try .linear(from: 0, to: 20, count: 5),
                                         monitors: [LossMonitor(flow: flow)], options: options)
            let log = try XCTUnwrap(solution.switchLog)
            let statistics = try XCTUnwrap(solution.switching)
            let name = "\(flow.name) \(method.name)"
            // One entry per counted event, of the counted kind.
            XCTAssertGreaterThan(statistics.events, 0, name)
            XCTAssertEqual(log.count, statistics.events, name)
            XCTAssertEqual(log.filter { $0.kind == .crossing }.count, statistics.crossings, name)
            XCTAssertEqual(log.filter { $0.kind == .slidingEntry }.count, statistics.slidingEntries, name)
            XCTAssertEqual(log.filter { $0.kind == .slidingExit }.count, statistics.slidingExits, name)
            // In time order, inside the run, on existing pairs.
            XCTAssertEqual(log.map(\.time), log.map(\.time).sorted(), name)
            XCTAssertTrue(log.allSatisfy { $0.time >= 0 && $0.time <= 20 && $0.sample < 6 && $0.neuron < 24 }, name)
            // The switching_events column ends at the same count.
            XCTAssertEqual(solution.column("switching_events")?.last, Double(statistics.events), name)
        }
    }
}
