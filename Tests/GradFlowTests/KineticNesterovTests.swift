import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics

/// The kinetic solver on Nesterov's ODE (002 eq. 4.3 with damping γ/t) against independent
/// computations: the damping's free motion against quadrature, the Taylor series of the errors
/// against RK4 on the augmented system, the per-neuron closed forms against RK4 on the weights,
/// whole runs against GSL rk8pd with events and against exact (Bessel) pieces, and the safe
/// times against the switches of an independent solver.
final class KineticNesterovTests: XCTestCase {
    private func run(_ net: ReLUNetwork, _ flow: NesterovFlow, _ method: SwitchingMethod, end: Double)
        throws -> (weights: [Double], statistics: SwitchingStatistics, log: [SwitchEvent], losses: [Double]) {
        var options = SolveOptions()
        options.recordStates = true
        options.recordSwitches = true
        let times = try SampleTimes.linear(from: 0, to: end, count: 5)
        let solution = try solveFlow(ReLUWeightField(network: net), from: net.initialWeights.elements, flow,
                                     solver: .switching(method: method, eventTolerance: 1e-12),
                                     sampleTimes: times, monitors: [LossMonitor(flow: flow)], options: options)
        XCTAssertNil(solution.earlyStop, method.name)
        return (try XCTUnwrap(solution.states?.last), try XCTUnwrap(solution.switching), solution.switchLog ?? [],
                solution.column("loss") ?? [])
    }

    // MARK: - Free motion

    /// e(t_e, t) = (t_e/t)^γ by `pow`, and φ(t_e, t) = ∫_{t_e}^t (t_e/s)^γ ds against composite
    /// Simpson in the variable u = ln(s/t_e), where the integrand t_e e^{(1−γ)u} is smooth:
    /// with 2·10⁴ panels over u ≤ ln 41 the error is below (γ−1)⁴h⁴/180 ~ 1e-14 relative.
    /// γ on both sides of 1 and at 1 (the logarithmic case), from τ = 1e-9 t_e (where the
    /// expm1 form must not cancel) to τ = 40 t_e. τ is taken as (t_e + τ) − t_e, as the
    /// function sees it.
    func testFreeMotionAgainstQuadrature() {
        for gamma in [0.5, 1.0, 3.0, 7.5] {
            let damping = KineticDamping.inverseTime(gamma: gamma)
            for te in [1e-3, 0.7, 5.0] {
                for ratio in [1e-9, 1e-3, 0.5, 40.0] {
                    let t = te + ratio * te, tau = t - te
                    let (phi, decay) = damping.freeMotion(from: te, to: t)
                    XCTAssertEqual(decay, pow(te / t, gamma), accuracy: 1e-14 * pow(te / t, gamma))
                    let panels = 20_000
                    let top = log1p(tau / te), h = top / Double(panels)
                    func f(_ u: Double) -> Double { te * exp((1 - gamma) * u) }
                    var sum = f(0) + f(top)
                    for k in 1..<panels { sum += (k % 2 == 1 ? 4 : 2) * f(Double(k) * h) }
                    let simpson = sum * h / 3
                    XCTAssertEqual(phi, simpson, accuracy: 1e-12 * simpson, "γ \(gamma), t_e \(te), τ \(tau)")
                }
            }
        }
        // Constant friction keeps HBF's forms.
        let (phi, decay) = KineticDamping.constant(0.4).freeMotion(from: 2, to: 3.5)
        XCTAssertEqual(phi, (1 - exp(-0.6)) / 0.4, accuracy: 1e-15)
        XCTAssertEqual(decay, exp(-0.6), accuracy: 1e-15)
    }

    // MARK: - Series

    /// The Nesterov series (Δ, Δ̇, p, R) over steps σ ≤ min(1/4, 1/γ), from t_b = 0.3 (where
    /// γ/t = 10 at γ = 3), against classical RK4 on the same 4n-dimensional linear system
    /// with step 2e-5: RK4's global error is ~C h⁴ with C bounded by the derivatives
    /// (γ/t)⁵ ≈ 1e5 at the start, ~1e-13 here; 1e-10 of the state's scale leaves room.
    func testSeriesAgainstRungeKutta() {
        let n = 6
        let random = RandomSource(seed: 21)
        var a = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) { a[k] = random.gaussian() / Double(n).squareRoot() }
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { h[i * n + j] += a[i * n + k] * a[j * n + k] } } }
        for gamma in [3.0, 7.0] {
            let damping = KineticDamping.inverseTime(gamma: gamma)
            let series = KineticErrorSeries(samples: n, order: 2, damping: damping, kernel: h)
            let rate = max(1, series.kernelInfinityNorm)
            let start = 0.3
            let y0 = (0..<(4 * n)).map { $0 < 2 * n ? random.gaussian() : 0.3 * random.gaussian() }
            func step(from t: Double) -> Double { min(1 / rate, damping.maximumStep(from: t)) }
            y0.withView { series.start(at: start, state: $0, length: step(from: start), keepPrevious: false) }
            let out = DoubleBuffer(count: 4 * n)
            // RK4 on y' = F(t, y).
            func derivative(_ t: Double, _ y: [Double]) -> [Double] {
                var f = [Double](repeating: 0, count: 4 * n)
                let c = gamma / t
                for i in 0..<n {
                    var hd = 0.0
                    for k in 0..<n { hd += h[i * n + k] * y[k] }
                    f[i] = y[n + i]
                    f[n + i] = -c * y[n + i] - hd
                    f[2 * n + i] = y[i] - c * y[2 * n + i]
                    f[3 * n + i] = y[2 * n + i]
                }
                return f
            }
            var y = y0, t = start
            let dt = 2e-5
            for target in [0.31, 0.8, 2.3, 6.3] {
                while target > series.end {
                    let tb = series.end
                    series.evaluate(at: tb, firstBlock: 0, blockCount: 4, into: out.view)
                    let state = out.array
                    state.withView { series.start(at: tb, state: $0, length: step(from: tb), keepPrevious: true) }
                }
                series.evaluate(at: target, firstBlock: 0, blockCount: 4, into: out.view)
                while t < target - 1e-12 {
                    let s = min(dt, target - t)
                    let k1 = derivative(t, y)
                    let k2 = derivative(t + s / 2, zip(y, k1).map { $0 + s / 2 * $1 })
                    let k3 = derivative(t + s / 2, zip(y, k2).map { $0 + s / 2 * $1 })
                    let k4 = derivative(t + s, zip(y, k3).map { $0 + s * $1 })
                    for k in 0..<(4 * n) { y[k] += s / 6 * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]) }
                    t += s
                }
                let scale = y.map(abs).max()!
                for k in 0..<(4 * n) {
                    XCTAssertEqual(out[k], y[k], accuracy: 1e-10 * scale, "γ \(gamma), t \(target), entry \(k)")
                }
            }
            XCTAssertGreaterThan(series.steps, 10)
        }
    }

    // MARK: - Per-neuron closed forms

    /// `KineticPairKernel` with γ/t damping against RK4 on the weights: from t_e = 0.5,
    /// ẅ_r = −(γ/t)ẇ_r − c_r Xᵀ(d_r ∘ Δ(t)) with an arbitrary smooth Δ(t) (the closed forms
    /// use only its integrals p' = Δ − (γ/t)p and R' = p, integrated by the same RK4), with one
    /// mask change at t = 0.9 (sync, then change, on both sides). RK4 with step 1e-4 has error
    /// ~1e-14 here; the closed forms are exact up to rounding; 1e-10 relative leaves room.
    func testNeuronClosedFormsAgainstDirectIntegration() throws {
        let net = try randomReLUNetwork(samples: 5, dimension: 3, width: 4, seed: 7)
        let kernel = ReLUSwitchingKernel(network: net)
        let n = kernel.n, d = kernel.d, m = kernel.m, gamma = 3.5, start = 0.5
        let random = RandomSource(seed: 4)
        let w0 = net.initialWeights.elements
        let v0 = (0..<(d * m)).map { _ in 0.3 * random.gaussian() }
        var mask = (0..<(n * m)).map { $0 % 3 == 0 ? 0.0 : 1.0 }
        let frequencies = (0..<n).map { _ in 1 + random.uniform() }, phases = (0..<n).map { _ in random.uniform() * 6 }
        func delta(_ t: Double) -> [Double] { (0..<n).map { sin(frequencies[$0] * t + phases[$0]) } }
        let pairs = w0.withView { w in
            v0.withView { v in
                mask.withView {
                    KineticPairKernel(kernel: kernel, order: 2, damping: .inverseTime(gamma: gamma), weights: w, velocities: v,
                                      mask: $0, startTime: start)
                }
            }
        }
        let x = net.data.inputs.elements
        // State: W, V (d·m each), p, R (n each).
        let nb = d * m
        func derivative(_ t: Double, _ s: [Double], _ mask: [Double]) -> [Double] {
            var f = [Double](repeating: 0, count: 2 * nb + 2 * n)
            let c = gamma / t, dl = delta(t)
            for k in 0..<nb {
                f[k] = s[nb + k]
                f[nb + k] = -c * s[nb + k]
            }
            for r in 0..<m {
                let cr = kernel.scaledOutput[r]
                for i in 0..<n where mask[i * m + r] != 0 {
                    for j in 0..<d { f[nb + j * m + r] -= cr * dl[i] * x[i * d + j] }
                }
            }
            for i in 0..<n {
                f[2 * nb + i] = dl[i] - c * s[2 * nb + i]
                f[2 * nb + n + i] = s[2 * nb + i]
            }
            return f
        }
        var s = w0 + v0 + [Double](repeating: 0, count: 2 * n)
        let dt = 1e-4, switchTime = 0.9, end = 1.6
        var t = start, switched = false
        while t < end - 1e-12 {
            if !switched && t >= switchTime - 1e-12 {
                pairs.sync(neuron: 1, at: t)
                let flipped = 1 - mask[2 * m + 1]
                pairs.changeMask(sample: 2, neuron: 1, to: flipped, integral: s[2 * nb + n + 2], rate: s[2 * nb + 2])
                mask[2 * m + 1] = flipped
                switched = true
            }
            let k1 = derivative(t, s, mask)
            let k2 = derivative(t + dt / 2, zip(s, k1).map { $0 + dt / 2 * $1 }, mask)
            let k3 = derivative(t + dt / 2, zip(s, k2).map { $0 + dt / 2 * $1 }, mask)
            let k4 = derivative(t + dt, zip(s, k3).map { $0 + dt * $1 }, mask)
            for k in 0..<s.count { s[k] += dt / 6 * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]) }
            t += dt
        }
        let p = Array(s[(2 * nb)..<(2 * nb + n)]), r = Array(s[(2 * nb + n)...])
        let formW = DoubleBuffer(count: nb), formV = DoubleBuffer(count: nb)
        r.withView { rv in
            p.withView { pv in
                mask.withView { pairs.materialize(at: t, integral: rv, rate: pv, mask: $0, weights: formW.view, velocities: formV.view) }
            }
        }
        XCTAssertLessThan(relativeDifference(formW.array, Array(s[0..<nb])), 1e-10)
        XCTAssertLessThan(relativeDifference(formV.array, Array(s[nb..<(2 * nb)])), 1e-10)
        for (i, neuron) in [(2, 1), (0, 3), (4, 0)] {
            let value = r.withView { rv in
                p.withView { pv in delta(t).withView { pairs.evaluate(sample: i, neuron: neuron, at: t, integral: rv, rate: pv, residual: $0) } }
            }
            var z = 0.0, zRate = 0.0
            for j in 0..<d {
                z += x[i * d + j] * s[j * m + neuron]
                zRate += x[i * d + j] * s[nb + j * m + neuron]
            }
            XCTAssertEqual(value.z, z, accuracy: 1e-10 * (1 + abs(z)), "pair \(i), \(neuron)")
            XCTAssertEqual(value.rate, zRate, accuracy: 1e-10 * (1 + abs(zRate)), "pair \(i), \(neuron)")
        }
    }

    // MARK: - Whole runs

    /// Nesterov on small problems (n = 8–20, d = 3–10, m = 16–200, γ = 3, 4.5, 7), all from the
    /// series start at t0 = 1e-6: the kinetic solver's weights at T agree with GSL rk8pd events
    /// (rtol 1e-12, atol 1e-14) to 1e-9 relative, with the same crossings in the same order
    /// (switches located to 1e-12; rk8pd's global error at rtol 1e-12 is ~1e-11). Exact
    /// (Bessel) pieces see the same crossings in the same order; their weights are compared at
    /// 1e-6 only, because GSL's J_ν, Y_ν carry relative errors that reach ~1e-7 (measured on
    /// n = 20, m = 2000: exact pieces differ from rk8pd by 8.8e-7 in the loss, the kinetic
    /// solver by 4.4e-11).
    func testAgreesWithEventsAndExactPieces() throws {
        let cases: [(ReLUNetwork, Double, Double)] = [
            (try randomReLUNetwork(samples: 8, dimension: 3, width: 16, seed: 1), 3, 10),
            (try randomReLUNetwork(samples: 12, dimension: 5, width: 60, seed: 2), 4.5, 8),
            (try randomReLUNetwork(samples: 20, dimension: 10, width: 200, seed: 3), 7, 6),
        ]
        let gsl = SwitchingMethod.gslEvents(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-12, absolute: 1e-14))
        for (net, gamma, end) in cases {
            let flow = NesterovFlow(gamma: gamma)
            let kinetic = try run(net, flow, .kinetic, end: end)
            let events = try run(net, flow, gsl, end: end)
            let pieces = try run(net, flow, .exactPieces, end: end)
            let label = "m \(net.width), γ \(gamma), T \(end)"
            XCTAssertGreaterThan(kinetic.statistics.crossings, 10, label)
            XCTAssertEqual(kinetic.statistics.crossings, events.statistics.crossings, label)
            XCTAssertEqual(kinetic.statistics.crossings, pieces.statistics.crossings, label)
            // The same pairs switch: compared as sorted lists, because pairs that chatter on
            // their surface (a pair switching back and forth within ~1e-12) may interleave
            // with a near-simultaneous switch in either order.
            let switched = kinetic.log.map { $0.sample * net.width + $0.neuron }.sorted()
            XCTAssertEqual(switched, events.log.map { $0.sample * net.width + $0.neuron }.sorted(), label)
            XCTAssertEqual(switched, pieces.log.map { $0.sample * net.width + $0.neuron }.sorted(), label)
            XCTAssertLessThan(relativeDifference(kinetic.weights, events.weights), 1e-9, label)
            XCTAssertLessThan(relativeDifference(kinetic.weights, pieces.weights), 1e-6, label)
            for (a, b) in zip(kinetic.losses, events.losses) { XCTAssertEqual(a, b, accuracy: 1e-9 * b, label) }
        }
    }

    /// Every safe time the solver assigns on a Nesterov run is honoured: GSL rk8pd events (an
    /// independent solver, event tolerance 1e-12) finds no switch of that pair strictly inside
    /// (t, key) beyond the two solvers' location differences (1e-9), and no pair is found on
    /// the wrong side at its safe time.
    func testSafeTimesAreNeverViolated() throws {
        let net = try randomReLUNetwork(samples: 12, dimension: 4, width: 120, seed: 9)
        let flow = NesterovFlow(gamma: 3)
        let end = 8.0
        let gsl = SwitchingMethod.gslEvents(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-12, absolute: 1e-14))
        let reference = try run(net, flow, gsl, end: end)
        XCTAssertGreaterThan(reference.statistics.crossings, 20)
        let kernel = ReLUSwitchingKernel(network: net)
        let field = ReLUWeightField(network: net)
        let nb = kernel.weightCount
        // The series start at t0 (`NesterovFlow.start`): W(t0) = W0 − a∇L, Ẇ(t0) = −b∇L.
        let w0 = net.initialWeights.elements
        let gradient = DoubleBuffer(count: nb)
        w0.withView { field.gradient(at: $0, into: gradient.view) }
        let (a, b) = flow.seriesStartFactors
        let state = (0..<nb).map { w0[$0] - a * gradient[$0] } + (0..<nb).map { -b * gradient[$0] }
        let pattern = SwitchingPattern.initial(kernel: kernel, state: state)
        let solver = try KineticPiecesSolver(kernel: kernel, pattern: pattern, flow: flow, eventTolerance: 1e-12,
                                             initialState: state, startTime: flow.startTime)
        var switchesOf: [Int: [Double]] = [:]
        for event in reference.log { switchesOf[event.sample * kernel.m + event.neuron, default: []].append(event.time) }
        var checked = 0, violations: [(Int, Double, Double, Double)] = []
        solver.boundObserver = { pair, from, key in
            checked += 1
            for s in switchesOf[pair] ?? [] where s > from + 1e-9 && s < min(key, end) - 1e-9 {
                violations.append((pair, from, key, s))
            }
        }
        try solver.advance(to: end)
        XCTAssertEqual(solver.statistics.crossings, reference.statistics.crossings)
        XCTAssertGreaterThan(checked, 1000)
        XCTAssertEqual(solver.boundViolations, 0)
        XCTAssertTrue(violations.isEmpty, "\(violations.prefix(5))")
    }
}
