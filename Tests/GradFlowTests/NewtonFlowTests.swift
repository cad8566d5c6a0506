import XCTest
@testable import GradFlow
@testable import GradFlowNumerics

/// Newton flow (002 §5.2): P = Σ_r J_r J_r^+ against independent constructions, the error law
/// Δ̇ = −PΔ against its closed form, the weight flow against the error law where the pattern
/// cannot change, and the weight direction against finite differences of Δ(W).
final class NewtonFlowTests: XCTestCase {
    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// #{r : w_rᵀx_i ≥ 0} and the active sets, by plain loops.
    private func activeSets(_ net: ReLUNetwork) -> [[Int]] {
        let x = net.data.inputs, w = net.initialWeights
        return (0..<net.width).map { r in
            (0..<net.sampleCount).filter { i in
                var z = 0.0
                for k in 0..<net.dimension { z += x[i, k] * w[k, r] }
                return z >= 0
            }
        }
    }

    private func newtonKernel(_ net: ReLUNetwork) throws -> DenseMatrix {
        try net.initialWeights.elements.withView { try NeuronGaussNewtonBlocks(network: net).newtonKernel(weights: $0) }
    }

    func testNewtonKernelIsTheActiveCountWhenInputsSpanTheSamples() throws {
        // d ≥ n with X of full row rank: range(D_r X) is the coordinate subspace of neuron r's
        // active samples, so P = diag(#{r : w_rᵀx_i ≥ 0}), an integer diagonal — not a projector.
        let random = RandomSource(seed: 5)
        let data = try Dataset.synthetic(samples: 5, dimension: 10, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 50, random: random)
        let p = try newtonKernel(net)
        var counts = [Double](repeating: 0, count: 5)
        for set in activeSets(net) { for i in set { counts[i] += 1 } }
        // Each projector comes from a 10×10 eigen-decomposition (κ(A_r) ≤ about 10 here):
        // rounding of a few ε per entry, summed over 50 neurons: 1e-11 on entries of about 25.
        for i in 0..<5 {
            for j in 0..<5 { XCTAssertEqual(p[i, j], i == j ? counts[i] : 0, accuracy: 1e-11, "P[\(i),\(j)]") }
        }
        XCTAssertGreaterThan(counts.max()!, 1, "P's eigenvalues exceed 1: it is a sum of projectors")
    }

    func testNewtonKernelIsTheSumOfProjectorsWhenSamplesOutnumberDimensions() throws {
        // d = 3 < n = 8: each neuron with ≥ 3 active samples contributes B(BᵀB)⁻¹Bᵀ, B = D_r X,
        // computed here by LU solves (not the eigen route of the code under test); a neuron
        // with k < 3 active samples contributes the coordinate projector of those samples.
        let random = RandomSource(seed: 9)
        let data = try Dataset.synthetic(samples: 8, dimension: 3, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 40, random: random)
        let x = net.data.inputs
        var expected = DenseMatrix(rows: 8, columns: 8)
        var rankSum = 0.0
        for set in activeSets(net) {
            if set.count < 3 {
                for i in set { expected[i, i] += 1 }
                rankSum += Double(set.count)
                continue
            }
            var gram = DenseMatrix(rows: 3, columns: 3)
            for i in set { for p in 0..<3 { for q in 0..<3 { gram[p, q] += x[i, p] * x[i, q] } } }
            for j in set {
                let u = try gram.solve(x.row(j))  // (BᵀB)⁻¹ x_j
                for i in set { expected[i, j] += (0..<3).reduce(0) { $0 + x[i, $1] * u[$1] } }
            }
            rankSum += 3
        }
        let p = try newtonKernel(net)
        var trace = 0.0
        for i in 0..<8 {
            trace += p[i, i]
            // Two well-conditioned 3×3 solves per entry (LU and eigen): rounding ~1e-15 per
            // neuron, 40 neurons: 1e-12.
            for j in 0..<8 { XCTAssertEqual(p[i, j], expected[i, j], accuracy: 1e-12, "P[\(i),\(j)]") }
        }
        // tr P = Σ_r rank(J_r), a count.
        XCTAssertEqual(trace, rankSum, accuracy: 1e-11)
    }

    func testErrorModelNewtonFlowIsTheDecoupledExponential() throws {
        // d ≥ n: P = diag(c), so Δ_i(t) = e^{−c_i t}Δ_i(0) (the closed form), for the exact
        // solver and for GSL on the errors.
        let random = RandomSource(seed: 3)
        let data = try Dataset.synthetic(samples: 4, dimension: 6, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 20, random: random)
        var counts = [Double](repeating: 0, count: 4)
        for set in activeSets(net) { for i in set { counts[i] += 1 } }
        let delta0 = net.initialWeights.elements.withView { ReLUWeightField(network: net).residual(at: $0) }
        let h = NeuralTangentKernel.empirical(inputs: data.inputs, weights: net.initialWeights)
        let model = try FrozenKernelErrorModel(kernel: h, source: "H(0)", initialResidual: delta0, network: net)
        let times = [0, 0.02, 0.05, 0.1, 0.2, 0.4]
        let gsl = Solver.gsl(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-11, absolute: 1e-15))
        for (solver, tolerance) in [(Solver.exact, 1e-12), (gsl, 1e-8)] {
            let run = try solveFlow(model, from: delta0, NewtonFlow(), solver: solver, sampleTimes: try SampleTimes(list: times),
                                    monitors: [ResidualColumns(n: 4)])
            XCTAssertNil(run.earlyStop)
            for row in run.rows {
                let want = (0..<4).map { exp(-counts[$0] * row[0]) * delta0[$0] }
                let got = Array(row[1...4])
                // Exact: eigenvectors of a diagonal P to rounding, e^{−μt} to a few ε: 1e-12 of
                // ‖Δ(t)‖. GSL rk8pd at rtol 1e-11: global error a small multiple of it: 1e-8.
                XCTAssertLessThan(norm(zip(got, want).map { $0 - $1 }), tolerance * norm(want), "\(solver.name) t = \(row[0])")
            }
        }
    }

    func testQuadraticNewtonFlowIsOneExponential() throws {
        // Newton's ẇ = −Γ⁻¹(Γw + b) = −(w − w*): w(t) − w* = e^{−t}(w(0) − w*), whatever Γ is.
        let g = DenseMatrix(rows: 3, columns: 3, elements: [4, 1, 0, 1, 3, 0.5, 0, 0.5, 0.1])
        let b = [1.0, -2, 0.5]
        let model = try QuadraticModel(hessian: g, linearTerm: b, start: [1, 1, 1])
        let wstar = model.minimizer
        let times = [0, 0.5, 1, 3, 6]
        let gsl = Solver.gsl(stepper: .rkf45, tolerances: try Tolerances(relative: 1e-10, absolute: 1e-13))
        for (solver, tolerance) in [(Solver.exact, 1e-13), (gsl, 1e-7)] {
            var options = SolveOptions()
            options.recordStates = true
            let run = try solveFlow(model, from: [1, 1, 1], NewtonFlow(), solver: solver, sampleTimes: try SampleTimes(list: times),
                                    monitors: [], options: options)
            for (t, w) in zip(times, run.states!) {
                let want = (0..<3).map { wstar[$0] + exp(-t) * (1 - wstar[$0]) }
                // Exact: e^{−t} on an identity eigensystem, a few ε. GSL rkf45 at rtol 1e-10 over 6
                // time units: 1e-7 relative to the start's distance.
                XCTAssertLessThan(norm(zip(w, want).map { $0 - $1 }), tolerance * norm(wstar.map { 1 - $0 }), "\(solver.name) t = \(t)")
            }
        }
    }

    /// A network on which no activation can switch while Newton flow runs: x_i = (0.8, 0.6u_i)
    /// (unit norm, u_i ∈ R² unit), w_r = (±3, 0.3g_r), so |z_ri| ≥ 2.4 − 0.18‖g_r‖; labels
    /// y = f(W0) + 0.05ξ. Neurons are active on all samples or on none.
    private func marginNetwork() throws -> (ReLUNetwork, [Double]) {
        let random = RandomSource(seed: 17)
        let n = 5, d = 3, m = 12
        var x = DenseMatrix(rows: n, columns: d)
        for i in 0..<n {
            let angle = 2 * Double.pi * random.uniform()
            x[i, 0] = 0.8; x[i, 1] = 0.6 * cos(angle); x[i, 2] = 0.6 * sin(angle)
        }
        var w = DenseMatrix(rows: d, columns: m)
        for r in 0..<m {
            w[0, r] = r % 3 == 0 ? -3 : 3
            w[1, r] = 0.3 * random.gaussian(); w[2, r] = 0.3 * random.gaussian()
        }
        let a = (0..<m).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        let probe = try ReLUNetwork(data: try Dataset(inputs: x, targets: [Double](repeating: 0, count: n)), outputWeights: a, initialWeights: w)
        let f = w.elements.withView { ReLUWeightField(network: probe).residual(at: $0) }  // f(W0) − 0
        let y = f.map { $0 + 0.05 * random.gaussian() }
        let net = try ReLUNetwork(data: try Dataset(inputs: x, targets: y), outputWeights: a, initialWeights: w)
        return (net, zip(f, y).map { $0 - $1 })
    }

    func testWeightNewtonFlowFollowsTheErrorLawWhileNoActivationSwitches() throws {
        // The 8 all-active neurons each contribute the projector Π onto range(X) (rank 3 in
        // R^5), the others nothing: P = 8Π, so Δ(t) = e^{−8t}ΠΔ0 + (I − Π)Δ0 — computed here
        // with Π = X(XᵀX)⁻¹Xᵀ by LU, independently of the per-neuron eigen route.
        let (net, delta0) = try marginNetwork()
        let x = net.data.inputs
        var gram = DenseMatrix(rows: 3, columns: 3)
        for i in 0..<5 { for p in 0..<3 { for q in 0..<3 { gram[p, q] += x[i, p] * x[i, q] } } }
        let u = try gram.solve((0..<3).map { p in (0..<5).reduce(0) { $0 + x[$1, p] * delta0[$1] } })
        let projected = (0..<5).map { i in (0..<3).reduce(0) { $0 + x[i, $1] * u[$1] } }
        let field = ReLUWeightField(network: net)
        let times = [0, 0.05, 0.1, 0.2, 0.4, 0.8]
        let gsl = Solver.gsl(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-11, absolute: 1e-14))
        let run = try solveFlow(field, from: net.initialWeights.elements, NewtonFlow(), solver: gsl,
                                sampleTimes: try SampleTimes(list: times),
                                monitors: [ResidualColumns(n: 5), LazyTrainingMonitor(field: field)])
        XCTAssertNil(run.earlyStop)
        // The premise: no pair changed sign (the weights move by ≈ ‖Δ0‖·√m/8 ≪ the margin 2).
        XCTAssertEqual(run.column("pattern_change_ratio")?.max(), 0)
        for row in run.rows {
            let t = row[0]
            let want = (0..<5).map { exp(-8 * t) * projected[$0] + (delta0[$0] - projected[$0]) }
            // rk8pd at rtol 1e-11 on weights of size 3: Δ to about 1e-10 absolute; 1e-8 of ‖Δ0‖.
            XCTAssertLessThan(norm(zip(Array(row[1...5]), want).map { $0 - $1 }), 1e-8 * norm(delta0), "t = \(t)")
        }
    }

    func testWeightDirectionMovesTheErrorsByMinusPDelta() throws {
        // f is linear in W on a fixed pattern, so the central difference of Δ along the Newton
        // velocity v = −g(W) is exact up to rounding when no pair crosses within ±h·v: it must
        // equal Δ̇ = −P(W)Δ(W) (002 §5.2, "left multiplying ∂f/∂w_r and summing over r").
        let random = RandomSource(seed: 23)
        let data = try Dataset.synthetic(samples: 6, dimension: 4, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 30, random: random)
        let field = ReLUWeightField(network: net)
        let w = net.initialWeights.elements
        let force = try NewtonFlow().force(on: field)
        var v = [Double](repeating: 0, count: w.count)
        w.withView { wv in v.withMutableView { force.evaluate(at: wv, into: $0) } }
        v = v.map { -$0 }
        // Premise: h·|x_iᵀv_r| < |z_ri| for every pair.
        let h = 1e-6
        let x = net.data.inputs
        for r in 0..<30 {
            for i in 0..<6 {
                var z = 0.0, dz = 0.0
                for k in 0..<4 { z += x[i, k] * w[k * 30 + r]; dz += x[i, k] * v[k * 30 + r] }
                XCTAssertLessThan(h * abs(dz), abs(z), "pair (\(i), \(r)) would cross")
            }
        }
        let plus = zip(w, v).map { $0 + h * $1 }, minus = zip(w, v).map { $0 - h * $1 }
        let dp = plus.withView { field.residual(at: $0) }, dm = minus.withView { field.residual(at: $0) }
        let rate = zip(dp, dm).map { ($0 - $1) / (2 * h) }
        let delta = w.withView { field.residual(at: $0) }
        let p = try newtonKernel(net)
        let want = (p * delta).map { -$0 }
        // Rounding of f (≈ 1) over 2h: 1e-16/1e-6 = 1e-10 per entry; P validated above.
        XCTAssertLessThan(norm(zip(rate, want).map { $0 - $1 }), 1e-8 * norm(want))
    }

    func testChecksSayWhatDoesNotApply() throws {
        // Error runs have no width: 002 §5.2's bound is listed as not applicable, with the
        // reason, and counts neither as held nor as failed; weight runs check it.
        let c = CheckConstants(lambda0: 0.1, sampleCount: 4, width: nil, initialLoss: 1, initialPseudoLoss: 1)
        let solution = Solution(columns: [.time, .loss])
        let verdicts = NewtonFlow().theoremChecks(constants: c, initialEnergy: 1).compactMap { $0.evaluate(solution) }
        let notApplicable = verdicts.filter { !$0.isApplicable }
        XCTAssertEqual(notApplicable.count, 1)
        XCTAssertTrue(notApplicable[0].summary.hasPrefix("not applicable: "), notApplicable[0].summary)
        var weights = c
        weights.width = 64
        XCTAssertTrue(NewtonFlow().theoremChecks(constants: weights, initialEnergy: 1).allSatisfy { !($0 is NotApplicableCheck) })
    }

    func testLossMonotonicityIgnoresOnlyTheNoiseFloor() throws {
        // A rise 20 decades down is GSL noise (|Δ| ~ atol); a rise at the loss's own scale fails.
        let c = CheckConstants(lambda0: 0.1, sampleCount: 4, width: nil, initialLoss: 3, initialPseudoLoss: 1)
        func held(_ losses: [Double]) -> Bool? {
            let solution = Solution(columns: [.time, .loss], rows: losses.enumerated().map { [Double($0.offset), $0.element] })
            let verdicts = NewtonFlow().theoremChecks(constants: c, initialEnergy: 3).compactMap { $0.evaluate(solution) }
            return verdicts.first { $0.name.hasPrefix("L(t) non-increasing") }?.held
        }
        XCTAssertEqual(held([3, 1e-3, 1e-20, 2e-20, 1.5e-20]), true)
        XCTAssertEqual(held([3, 1e-3, 2e-3, 1e-20]), false)
        XCTAssertEqual(held([3, 1e-11, 2e-11]), false, "1e-11 of L(0) is above the floor")
    }

    func testNewtonNeedsPerNeuronBlocksAndRefusesExactSwitchingSolvers() throws {
        let random = RandomSource(seed: 1)
        let data = try Dataset.synthetic(samples: 3, dimension: 2, labels: .signs, random: random)
        let net = try ReLUNetwork.gaussian(data: data, width: 4, random: random)
        let h = NeuralTangentKernel.empirical(inputs: data.inputs, weights: net.initialWeights)
        // An error model from files has no network, hence no P.
        let files = try FrozenKernelErrorModel(kernel: h, source: "file", initialResidual: [1, 0, 0])
        XCTAssertThrowsError(try NewtonFlow().force(on: files)) { XCTAssertTrue($0 is InputError) }
        let field = ReLUWeightField(network: net)
        // Weight runs locate their kinks with events (`NewtonEventsTests`); the exact switching
        // solvers build ∇L piece by piece and refuse Newton flow.
        XCTAssertEqual(field.automaticSolver(for: NewtonFlow()), .events)
        XCTAssertThrowsError(try Solver.switching(method: .exactPieces, eventTolerance: 1e-8).validate(for: NewtonFlow(), on: field))
        XCTAssertThrowsError(try Solver.switching(method: .kinetic, eventTolerance: 1e-8).validate(for: NewtonFlow(), on: field))
        XCTAssertThrowsError(try Solver.exact.validate(for: NewtonFlow(), on: field))
    }
}
