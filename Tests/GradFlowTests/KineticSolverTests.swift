import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics

/// The kinetic switching solver against independent computations: the existing
/// exact pieces and GSL stepping with events on whole runs, the Taylor series of the errors
/// against the modal matrix exponential, the per-neuron closed forms against direct RK4
/// integration, and the safe times against the switches an independent solver finds.
final class KineticSolverTests: XCTestCase {
    private func run(_ net: ReLUNetwork, _ flow: any ContinuousFlow, _ method: SwitchingMethod, end: Double,
                     eventTolerance: Double = 1e-12) throws
        -> (weights: [Double], statistics: SwitchingStatistics, log: [SwitchEvent], losses: [Double]) {
        var options = SolveOptions()
        options.recordStates = true
        options.recordSwitches = true
        let times = try SampleTimes.linear(from: 0, to: end, count: 5)
        let solution = try solveFlow(ReLUWeightField(network: net), from: net.initialWeights.elements, flow,
                                     solver: .switching(method: method, eventTolerance: eventTolerance),
                                     sampleTimes: times, monitors: [LossMonitor(flow: flow)], options: options)
        XCTAssertNil(solution.earlyStop, method.name)
        return (try XCTUnwrap(solution.states?.last), try XCTUnwrap(solution.switching), solution.switchLog ?? [],
                solution.column("loss") ?? [])
    }

    // MARK: - Whole runs

    /// HBF on small problems (n = 8–20, d = 3–10, m = 16–200; dozens to hundreds of
    /// crossings): the weights at T agree with exact pieces and with GSL rk8pd (rtol 1e-12)
    /// to 1e-9 relative, with equal crossing counts. All locate switches to 1e-12 in time;
    /// the pieces and the kinetic solver are exact up to rounding (the Taylor series is summed
    /// to 1e-18 per step), so their difference is the location error times the jump of the
    /// acceleration, O(1e-12) per switch (observed ~1e-12 in total); rk8pd's global error at
    /// rtol 1e-12 is ~1e-11. 1e-9 is the bound.
    func testAgreesWithExactPiecesAndEvents() throws {
        let cases: [(ReLUNetwork, HeavyBallFlow, Double)] = [
            (try randomReLUNetwork(samples: 8, dimension: 3, width: 16, seed: 1), HeavyBallFlow(friction: 0.6), 10),
            (try randomReLUNetwork(samples: 12, dimension: 5, width: 60, seed: 2), HeavyBallFlow(friction: 0.3), 8),
            (try randomReLUNetwork(samples: 20, dimension: 10, width: 200, seed: 3), HeavyBallFlow(friction: 0.5), 6),
        ]
        let gsl = SwitchingMethod.gslEvents(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-12, absolute: 1e-14))
        for (net, flow, end) in cases {
            let kinetic = try run(net, flow, .kinetic, end: end)
            let pieces = try run(net, flow, .exactPieces, end: end)
            let events = try run(net, flow, gsl, end: end)
            let label = "m \(net.width), T \(end)"
            XCTAssertGreaterThan(kinetic.statistics.crossings, 10, label)
            XCTAssertEqual(kinetic.statistics.crossings, pieces.statistics.crossings, label)
            XCTAssertEqual(kinetic.statistics.crossings, events.statistics.crossings, label)
            XCTAssertEqual(kinetic.log.map { [$0.sample, $0.neuron] }, pieces.log.map { [$0.sample, $0.neuron] }, label)
            XCTAssertLessThan(relativeDifference(kinetic.weights, pieces.weights), 1e-9, label)
            XCTAssertLessThan(relativeDifference(kinetic.weights, events.weights), 1e-9, label)
            for (a, b) in zip(kinetic.losses, pieces.losses) { XCTAssertEqual(a, b, accuracy: 1e-9 * b, label) }
        }
    }

    /// The piece kernel H_P that the kinetic solver keeps by rank updates (row and column i by
    /// δc_r²(K_i ∘ d_r) per switch) against H_P recomputed from scratch from the final pattern,
    /// K ∘ (D diag(c²) Dᵀ), after an HBF run with hundreds of switches: the rank updates agree
    /// with the full recomputation (the kinetic solver never decomposes H_P; this is its
    /// counterpart of checking low-rank eigen-updates against full decompositions).
    /// Tolerance: as for the discrete kernel, each switch adds one rounding of size ≤ c²|K| to
    /// the entries of a row; 1e-12 of the largest entry allows 10⁴ switches per row.
    func testRankUpdatedPieceKernelMatchesRecomputation() throws {
        let net = try randomReLUNetwork(samples: 20, dimension: 10, width: 200, seed: 3)
        let kernel = ReLUSwitchingKernel(network: net)
        let state = net.initialWeights.elements + [Double](repeating: 0, count: net.initialWeights.elements.count)
        let pattern = SwitchingPattern.initial(kernel: kernel, state: state)
        let solver = try KineticPiecesSolver(kernel: kernel, pattern: pattern, flow: HeavyBallFlow(friction: 0.5),
                                             eventTolerance: 1e-12, initialState: state)
        try solver.advance(to: 6)
        XCTAssertGreaterThan(solver.statistics.crossings, 100)
        let n = kernel.n, m = kernel.m
        let z = DoubleBuffer(count: kernel.pairCount)
        kernel.scaledMask(pattern.mask.readOnly, into: z.view)
        var recomputed = kernel.maskOuterProduct(z.readOnly)
        var largest = 0.0, worst = 0.0
        for i in 0..<n {
            for k in 0..<n {
                recomputed[i * n + k] *= kernel.gramEntry(i, k)
                largest = max(largest, abs(recomputed[i * n + k]))
            }
        }
        for e in 0..<(n * n) { worst = max(worst, abs(solver.series.kernel.base[e] - recomputed[e])) }
        XCTAssertLessThan(worst, 1e-12 * largest, "H_P drifted from K ∘ (D diag(c²) Dᵀ) over \(solver.statistics.crossings) switches (m = \(m))")
    }

    /// Gradient flow (002 eq. 4.3) before any Filippov sliding: on each small problem the
    /// horizon is halved from 1 until exact pieces sees no sliding entry (sliding starts early
    /// on these problems), and there the kinetic solver must agree with exact pieces and GSL
    /// rk8pd events as in the HBF test: equal crossings and switch order, weights to 1e-9
    /// relative (both exact solvers are exact up to the 1e-12 location error; rk8pd's global
    /// error at rtol 1e-12 is ~1e-11).
    func testGradientFlowAgreesBeforeSliding() throws {
        let flow = GradientFlow()
        let gsl = SwitchingMethod.gslEvents(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-12, absolute: 1e-14))
        var compared = 0
        for (n, d, m, seed) in [(8, 3, 16, 1), (12, 5, 60, 2), (20, 10, 200, 3), (20, 10, 2000, 4), (16, 4, 400, 5)] {
            let net = try randomReLUNetwork(samples: n, dimension: d, width: m, seed: UInt64(seed))
            var end = 1.0
            while end > 1e-3 {
                let pieces = try run(net, flow, .exactPieces, end: end)
                guard pieces.statistics.slidingEntries > 0 else {
                    if pieces.statistics.crossings < 2 { break }
                    let kinetic = try run(net, flow, .kinetic, end: end)
                    let events = try run(net, flow, gsl, end: end)
                    let label = "n \(n), m \(m), T \(end)"
                    XCTAssertEqual(kinetic.statistics.crossings, pieces.statistics.crossings, label)
                    XCTAssertEqual(kinetic.statistics.crossings, events.statistics.crossings, label)
                    XCTAssertEqual(kinetic.statistics.slidingEntries, 0, label)
                    XCTAssertEqual(kinetic.log.map { [$0.sample, $0.neuron] }, pieces.log.map { [$0.sample, $0.neuron] }, label)
                    XCTAssertLessThan(relativeDifference(kinetic.weights, pieces.weights), 1e-9, label)
                    XCTAssertLessThan(relativeDifference(kinetic.weights, events.weights), 1e-9, label)
                    for (a, b) in zip(kinetic.losses, pieces.losses) { XCTAssertEqual(a, b, accuracy: 1e-9 * b, label) }
                    compared += 1
                    break
                }
                end /= 2
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 2)
    }

    /// The solver refuses flows it does not solve (higher order, Newton) with a one-line input
    /// error.
    func testRefusesOtherFlows() throws {
        let net = try randomReLUNetwork(samples: 4, dimension: 3, width: 8, seed: 1)
        for flow in [HigherOrderMomentumFlow(coefficients: [1, 2]) as any ContinuousFlow, NewtonFlow()] {
            XCTAssertThrowsError(try Solver.switching(method: .kinetic, eventTolerance: 1e-8)
                .validate(for: flow, on: ReLUWeightField(network: net)), flow.name)
        }
    }

    // MARK: - Queue

    /// The two-level queue (tournament trees per neuron, heap over neurons) against a brute
    /// minimum over all pairs, ties to the smaller pair index, under random single-pair and
    /// whole-neuron updates with many equal keys (keys drawn from 8 values and ∞), for n a
    /// power of two, n not one (padding leaves), and n = 1. Exact equality: no arithmetic.
    func testSafeTimeQueueAgainstBruteMinimum() {
        let random = RandomSource(seed: 21)
        for (n, m) in [(8, 5), (5, 7), (1, 9), (13, 1)] {
            func draw() -> Double {
                let k = Int(random.uniform() * 9)
                return k == 8 ? .infinity : Double(k) * 0.25
            }
            var keys = (0..<(n * m)).map { _ in draw() }
            var queue = SafeTimeQueue(keys: keys, samples: n, neurons: m)
            func brute() -> (Int, Double) {
                var best = 0
                for pair in 1..<keys.count where keys[pair] < keys[best] { best = pair }
                return (best, keys[best])
            }
            for step in 0..<2000 {
                if step % 7 == 0 {
                    let r = Int(random.uniform() * Double(m)) % m
                    let row = (0..<n).map { _ in draw() }
                    for i in 0..<n { keys[i * m + r] = row[i] }
                    queue.updateNeuron(r, keys: row)
                } else {
                    let pair = step % 3 == 0 ? queue.first!.pair : Int(random.uniform() * Double(n * m)) % (n * m)
                    keys[pair] = draw()
                    queue.update(pair, key: keys[pair])
                }
                let (pair, key) = brute()
                XCTAssertEqual(queue.first?.pair, pair, "n \(n), m \(m), step \(step)")
                XCTAssertEqual(queue.first?.key, key, "n \(n), m \(m), step \(step)")
                XCTAssertEqual(queue.key(of: pair), key)
            }
        }
    }

    // MARK: - Taylor series

    /// y = (Δ, Δ̇, p, R) on a fixed random PSD kernel H (n = 7) against the modal solution:
    /// H = QΛQᵀ (dsyevd), each mode's 4×4 system (u, u', p, R)' = M_q(...) solved by
    /// `PieceMatrixExponential` (scaling and squaring), then rotated back. The series runs
    /// over several steps (each started from the previous one's end, as the solver does),
    /// to t = 3 with ‖H‖ ≈ 5. Both are accurate to rounding: agreement to 1e-12 relative to
    /// max|y| allows ~100 ulps of accumulation over the steps.
    func testTaylorSeriesAgainstModalExponential() throws {
        let n = 7, b = 0.4
        let random = RandomSource(seed: 11)
        var a = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) { a[k] = random.gaussian() / Double(n).squareRoot() }
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { h[i * n + j] += a[i * n + k] * a[j * n + k] } } }
        let y0 = (0..<(4 * n)).map { $0 < 2 * n ? random.gaussian() : 0 }
        let series = KineticErrorSeries(samples: n, order: 2, friction: b, kernel: h)
        let rate = b + series.kernelInfinityNorm
        var state = y0
        var t = 0.0
        state.withView { series.start(at: 0, state: $0, length: 1 / rate, keepPrevious: false) }
        let out = DoubleBuffer(count: 4 * n)
        let eigen = LAPACKSymmetricEigen(size: n)
        let (lambdas, q) = try eigen.decompose(symmetrizing: h)
        for target in [0.05, 0.4, 1.3, 3.0] {
            while target > series.end {
                t = series.end
                series.evaluate(at: t, firstBlock: 0, blockCount: 4, into: out.view)
                state = out.array
                state.withView { series.start(at: t, state: $0, length: 1 / rate, keepPrevious: true) }
            }
            series.evaluate(at: target, firstBlock: 0, blockCount: 4, into: out.view)
            // Modal: coordinates of each block in Q, a 4×4 exponential per mode, back.
            var expected = [Double](repeating: 0, count: 4 * n)
            for mode in 0..<n {
                var u = [Double](repeating: 0, count: 4)
                for block in 0..<4 { for i in 0..<n { u[block] += q[i * n + mode] * y0[block * n + i] } }
                let m: [Double] = [0, 1, 0, 0,
                                   -lambdas[mode], -b, 0, 0,
                                   1, 0, -b, 0,
                                   0, 0, 1, 0]
                let e = PieceMatrixExponential.exp(m, size: 4, scale: target)
                let v = PieceMatrixExponential.apply(e, size: 4, u)
                for block in 0..<4 { for i in 0..<n { expected[block * n + i] += q[i * n + mode] * v[block] } }
            }
            let scale = expected.map(abs).max()!
            for k in 0..<(4 * n) { XCTAssertEqual(out[k], expected[k], accuracy: 1e-12 * scale, "t \(target) entry \(k)") }
        }
        XCTAssertGreaterThan(series.steps, 3)
    }

    // MARK: - Per-neuron closed forms

    /// The catch-up formulas of `KineticPairKernel` against RK4 on the weights themselves:
    /// ẅ_r = −bẇ_r − c_r Xᵀ(d_r ∘ Δ(t)) with Δ(t) from a fixed-pattern series (any Δ(t)
    /// will do: the formulas only use its integrals p, R), with one mask change at t = 0.3
    /// (d_21 → 1 − d_21, applied to both). RK4 with step 1e-3 has error ~1e-13 here; the
    /// formulas are exact up to rounding; 1e-10 relative leaves room.
    func testNeuronClosedFormsAgainstDirectIntegration() throws {
        let net = try randomReLUNetwork(samples: 5, dimension: 3, width: 4, seed: 7)
        let kernel = ReLUSwitchingKernel(network: net)
        let n = kernel.n, d = kernel.d, m = kernel.m, b = 0.7
        let w0 = net.initialWeights.elements
        let random = RandomSource(seed: 4)
        let v0 = (0..<(d * m)).map { _ in 0.3 * random.gaussian() }
        var mask = (0..<(n * m)).map { $0 % 3 == 0 ? 0.0 : 1.0 }
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n { h[i * n + k] = 0.3 * kernel.gramEntry(i, k) } }
        let series = KineticErrorSeries(samples: n, order: 2, friction: b, kernel: h)
        let y0 = (0..<(4 * n)).map { $0 < 2 * n ? random.gaussian() : 0.0 }
        y0.withView { series.start(at: 0, state: $0, length: 10, keepPrevious: false) }
        let values = DoubleBuffer(count: 4 * n)
        func at(_ t: Double) -> [Double] {
            series.evaluate(at: t, firstBlock: 0, blockCount: 4, into: values.view)
            return values.array
        }
        let pairs = w0.withView { w in
            v0.withView { v in mask.withView { KineticPairKernel(kernel: kernel, order: 2, friction: b, weights: w, velocities: v, mask: $0) } }
        }
        // RK4 on (W, V) with the mask of the time.
        let x = net.data.inputs.elements
        var w = w0, v = v0
        func acceleration(_ v: [Double], _ t: Double, _ mask: [Double]) -> [Double] {
            let delta = at(t)
            var out = v.map { -b * $0 }
            for r in 0..<m {
                let c = kernel.scaledOutput[r]
                for i in 0..<n where mask[i * m + r] != 0 {
                    for j in 0..<d { out[j * m + r] -= c * delta[i] * x[i * d + j] }
                }
            }
            return out
        }
        let step = 1e-3
        var t = 0.0
        let switchTime = 0.3, end = 0.8
        var switched = false
        while t < end - 1e-12 {
            if !switched && t >= switchTime - 1e-12 {
                let y = at(t)
                pairs.sync(neuron: 1, at: t)
                let flipped = 1 - mask[2 * m + 1]
                pairs.changeMask(sample: 2, neuron: 1, to: flipped, integral: y[3 * n + 2], rate: y[2 * n + 2])
                mask[2 * m + 1] = flipped
                switched = true
            }
            let k1w = v, k1v = acceleration(v, t, mask)
            let v2 = zip(v, k1v).map { $0 + 0.5 * step * $1 }
            let k2v = acceleration(v2, t + 0.5 * step, mask)
            let v3 = zip(v, k2v).map { $0 + 0.5 * step * $1 }
            let k3v = acceleration(v3, t + 0.5 * step, mask)
            let v4 = zip(v, k3v).map { $0 + step * $1 }
            let k4v = acceleration(v4, t + step, mask)
            for k in 0..<(d * m) {
                w[k] += step / 6 * (k1w[k] + 2 * v2[k] + 2 * v3[k] + v4[k])
                v[k] += step / 6 * (k1v[k] + 2 * k2v[k] + 2 * k3v[k] + k4v[k])
            }
            t += step
        }
        let y = at(end)
        let formW = DoubleBuffer(count: d * m), formV = DoubleBuffer(count: d * m)
        y.withView { yv in
            mask.withView { pairs.materialize(at: end, integral: yv.slice(3 * n, n), rate: yv.slice(2 * n, n), mask: $0,
                                              weights: formW.view, velocities: formV.view) }
        }
        XCTAssertLessThan(relativeDifference(formW.array, w), 1e-10)
        XCTAssertLessThan(relativeDifference(formV.array, v), 1e-10)
        // One pair's z and ż by the O(n) formula against x_iᵀw_r of the integrated weights.
        for (i, r) in [(2, 1), (0, 3), (4, 0)] {
            let value = y.withView { yv in
                pairs.evaluate(sample: i, neuron: r, at: end, integral: yv.slice(3 * n, n), rate: yv.slice(2 * n, n),
                               residual: yv.slice(0, n))
            }
            var z = 0.0, zRate = 0.0
            for j in 0..<d {
                z += x[i * d + j] * w[j * m + r]
                zRate += x[i * d + j] * v[j * m + r]
            }
            XCTAssertEqual(value.z, z, accuracy: 1e-10 * (1 + abs(z)), "pair \(i), \(r)")
            XCTAssertEqual(value.rate, zRate, accuracy: 1e-10 * (1 + abs(zRate)), "pair \(i), \(r)")
        }
    }

    // MARK: - Safe times

    /// Every safe time the solver assigns (pair, from t to key) is honoured by the trajectory:
    /// exact pieces (an independent solver) finds no switch of that pair strictly inside
    /// (t, key), up to the event tolerance and the two solvers' location differences (1e-9
    /// here, with event tolerance 1e-12). No pair is found on the wrong side at its safe time.
    func testSafeTimesAreNeverViolated() throws {
        let net = try randomReLUNetwork(samples: 12, dimension: 4, width: 120, seed: 9)
        let flow = HeavyBallFlow(friction: 0.4)
        let end = 8.0
        let reference = try run(net, flow, .exactPieces, end: end)
        XCTAssertGreaterThan(reference.statistics.crossings, 20)
        let kernel = ReLUSwitchingKernel(network: net)
        let nb = kernel.weightCount
        let state = net.initialWeights.elements + [Double](repeating: 0, count: nb)
        let pattern = SwitchingPattern.initial(kernel: kernel, state: state)
        let solver = try KineticPiecesSolver(kernel: kernel, pattern: pattern, flow: flow, eventTolerance: 1e-12,
                                             initialState: state)
        var switchesOf: [Int: [Double]] = [:]
        for event in reference.log { switchesOf[event.sample * kernel.m + event.neuron, default: []].append(event.time) }
        var checked = 0, violations: [(Int, Double, Double, Double)] = []
        solver.boundObserver = { pair, from, key in
            checked += 1
            for s in switchesOf[pair] ?? [] where s > from + 1e-9 && s < min(key, end) - 1e-9 {
                violations.append((pair, from, key, s))
            }
        }
        // The observer runs for bounds made during `advance` (the initial ones are checked
        // by the same rule on the first re-bounding of each pair).
        try solver.advance(to: end)
        XCTAssertEqual(solver.statistics.crossings, reference.statistics.crossings)
        XCTAssertGreaterThan(checked, 1000)
        XCTAssertEqual(solver.boundViolations, 0)
        XCTAssertTrue(violations.isEmpty, "\(violations.prefix(5))")
    }
}
