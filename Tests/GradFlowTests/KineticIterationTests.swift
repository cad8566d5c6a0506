import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics

/// The kinetic GD / heavy-ball iterator (`KineticMomentumIterator`) against
/// the dense recurrence (`MomentumRecurrenceIterator`, two GEMMs per iteration) on small
/// problems, the minimum loss taken from every iterate against a dense run sampled at every
/// iteration, and the iteration count of runs sampled at their sample times.
final class KineticIterationTests: XCTestCase {
    private func randomNetwork(samples n: Int, dimension d: Int, width m: Int, seed: UInt64) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: .signs, random: random)
        return try ReLUNetwork.gaussian(data: data, width: m, random: random)
    }

    /// The peers' parameters: η = 1/λmax(H(0)), β = (1 − 1/(2√κ))², κ of H(0).
    private func peerParameters(_ net: ReLUNetwork) throws -> (eta: Double, beta: Double) {
        let h0 = try KernelSpectrum(NeuralTangentKernel.empirical(inputs: net.data.inputs, weights: net.initialWeights))
        let kappa = h0.lambdaMax / h0.lambdaMin
        return (1 / h0.lambdaMax, pow(1 - 1 / (2 * kappa.squareRoot()), 2))
    }

    private func relativeDifference(_ a: VectorView, _ b: VectorView) -> Double {
        var num = 0.0, den = 0.0
        for i in 0..<a.count {
            num += (a[i] - b[i]) * (a[i] - b[i])
            den += b[i] * b[i]
        }
        return (num / den).squareRoot()
    }

    /// The masks 1[X W ≥ 0] of a d×m position, and its pre-activations.
    private func preactivations(_ products: ReLUSwitchingKernel, _ w: VectorView) -> [Double] {
        let z = DoubleBuffer(count: products.pairCount)
        products.preactivations(w, into: z.view)
        return z.array
    }

    /// W_k of the kinetic iterator against the dense recurrence at every 25th iteration, and
    /// the activation flips of both counted at every iteration (dense: masks of W_k and
    /// W_{k+1} compared; kinetic: its own count).
    ///
    /// Tolerance: both run the same recurrence in different floating-point orders (the dense
    /// one sums w_k − η∇L + β(w_k − w_{k−1}); the kinetic one forms W_k = α + φb − ηXᵀ(c d ∘ R)
    /// from running sums). Each iteration adds rounding of order ε·‖W‖ to either, and the
    /// iteration map amplifies an earlier difference by at most ‖I − ηH‖ + β ≤ 2 per step on
    /// a fixed pattern but contracts it on the decaying modes; measured worst relative
    /// differences are 1e-15 … 1e-14, and 6e-12 for GD at 4η (150,000 flips of chattering
    /// pairs in 300 iterations). 1e-9 leaves three decades above the worst case seen.
    /// A pair within rounding of z = 0 could flip in one run and not the other: the test
    /// detects this (a different mask at some iteration) and fails only if such a pair's
    /// |z| was above 1e-9 of the largest |z|, i.e. not a rounding tie.
    ///
    /// Each case runs three ways: kinetic from the start (every pair keyed at k = 0, the
    /// forcing bounds lowered with a decay as the errors fall), a hand-over after 7 dense
    /// iterations (the kinetic start with momentum: b = W_7 − W_6, E_7 from B), and the
    /// automatic dense phase.
    func testIteratesAndFlipsMatchDense() throws {
        let shapes: [(n: Int, d: Int, m: Int, seed: UInt64)] = [(8, 3, 16, 1), (12, 5, 100, 2), (20, 10, 500, 3), (16, 4, 64, 4)]
        for shape in shapes {
            let net = try randomNetwork(samples: shape.n, dimension: shape.d, width: shape.m, seed: shape.seed)
            let field = ReLUWeightField(network: net)
            let products = ReLUSwitchingKernel(network: net)
            let (eta, beta) = try peerParameters(net)
            let phases: [KineticIterationKernel.DensePhase] = [.none, .iterations(7), .automatic]
            for (momentum, scale) in [(0.0, 1.0), (beta, 1.0), (0.0, 4.0), (beta, 4.0)] {
              for phase in phases {
                let label = "n=\(shape.n) d=\(shape.d) m=\(shape.m) seed=\(shape.seed) β=\(momentum) η×\(scale) \(phase)"
                let w0 = net.initialWeights.elements
                let kinetic = KineticMomentumIterator(kernel: products, initialPosition: w0, stepSize: eta * scale,
                                                      momentum: momentum, timePerStep: 1, densePhase: phase)
                let dense = MomentumRecurrenceIterator(field: field, initialPosition: w0, stepSize: eta * scale,
                                                       momenta: momentum == 0 ? [] : [momentum], timePerStep: 1)
                var denseFlips = 0
                var zPrevious = preactivations(products, dense.position)
                let zScale = zPrevious.map(abs).max() ?? 1
                for k in 1...200 {
                    kinetic.step()
                    dense.step()
                    let z = preactivations(products, dense.position)
                    for p in 0..<z.count where (z[p] >= 0) != (zPrevious[p] >= 0) { denseFlips += 1 }
                    zPrevious = z
                    if k % 25 == 0 || k == 1 {
                        XCTAssertLessThan(relativeDifference(kinetic.position, dense.position), 1e-9, "\(label) k=\(k)")
                        let zk = preactivations(products, kinetic.position)
                        for p in 0..<z.count where (z[p] >= 0) != (zk[p] >= 0) {
                            XCTAssertLessThan(abs(z[p]), 1e-9 * zScale, "\(label) k=\(k): pair \(p) on different sides, not a rounding tie")
                        }
                    }
                }
                XCTAssertEqual(kinetic.activationFlips, denseFlips, label)
                XCTAssertEqual(kinetic.iteration, 200)
                // Automatic: tiny problems may stay dense throughout (a chattering pair keeps
                // more pairs near their kinks than m·d/16); the iterates must match either way.
                switch phase {
                case .none:
                    XCTAssertEqual(kinetic.denseIterations, 0, label)
                    XCTAssertFalse(kinetic.isDense, label)
                case .iterations(let k):
                    XCTAssertEqual(kinetic.denseIterations, k, label)
                    XCTAssertFalse(kinetic.isDense, label)
                case .automatic: break
                }
              }
            }
        }
    }

    /// The kernel H_S that the iterations keep by rank updates (row and column i of H_S by
    /// ±c_r² K_i ∘ d_r per flip, merged once per iteration) against H_S recomputed from scratch
    /// as K ∘ (Dᵀ diag(c²) D) from the kernel's own masks, after 300 iterations of GD and HB at
    /// 4η (thousands of flips, pairs chattering around z = 0). The masks themselves must be
    /// those of W_k up to rounding ties. Tolerance: each entry of H_S is a sum of m terms of
    /// size c² |K_ij| ≤ 1/m, and every flip adds one rounding of that size to it; after F
    /// flips of one row the drift is at most ~F·ε/m per entry. 1e-12 of the largest entry
    /// allows F up to 10⁴ flips per row.
    func testRankUpdatedKernelMatchesRecomputation() throws {
        let net = try randomNetwork(samples: 16, dimension: 4, width: 200, seed: 11)
        let products = ReLUSwitchingKernel(network: net)
        let (eta, beta) = try peerParameters(net)
        for momentum in [0.0, beta] {
            let weights = DoubleBuffer(net.initialWeights.elements)
            let kernel = KineticIterationKernel(products: products, weights: weights.readOnly, stepSize: 4 * eta,
                                                momentum: momentum, densePhase: .none)
            for _ in 0..<300 { kernel.step() }
            XCTAssertGreaterThan(kernel.flips, 1000, "β=\(momentum)")
            let n = kernel.n, m = kernel.m
            var recomputed = [Double](repeating: 0, count: n * n)
            for r in 0..<m {
                let c2 = products.scaledOutputWeight(r) * products.scaledOutputWeight(r)
                for i in 0..<n where kernel.masks[r * n + i] != 0 {
                    for j in 0..<n where kernel.masks[r * n + j] != 0 { recomputed[i * n + j] += c2 }
                }
            }
            var largest = 0.0, worst = 0.0
            for e in 0..<(n * n) {
                recomputed[e] *= products.gramEntry(e / n, e % n)
                largest = max(largest, abs(recomputed[e]))
            }
            for e in 0..<(n * n) { worst = max(worst, abs(kernel.kernel.base[e] - recomputed[e])) }
            XCTAssertLessThan(worst, 1e-12 * largest, "β=\(momentum): H_S drifted from K ∘ (Dᵀdiag(c²)D)")
            // The masks are W_k's.
            let w = DoubleBuffer(count: kernel.d * m)
            kernel.formWeights(into: w.view)
            let z = DoubleBuffer(count: n * m)
            products.preactivations(w.readOnly, into: z.view)
            var zScale = 0.0
            for e in 0..<(n * m) { zScale = max(zScale, abs(z.base[e])) }
            for i in 0..<n {
                for r in 0..<m where (z.base[i * m + r] >= 0) != (kernel.masks[r * n + i] != 0) {
                    XCTAssertLessThan(abs(z.base[i * m + r]), 1e-9 * zScale, "β=\(momentum): pair (\(i), \(r)) off its mask")
                }
            }
        }
    }

    /// Velocity (w_k − w_{k−1})/τ and the loss ½‖Δ_k‖² the kinetic iterator reports.
    func testVelocityAndLoss() throws {
        let net = try randomNetwork(samples: 10, dimension: 4, width: 80, seed: 7)
        let field = ReLUWeightField(network: net)
        let (eta, beta) = try peerParameters(net)
        let kinetic = KineticMomentumIterator(kernel: ReLUSwitchingKernel(network: net), initialPosition: net.initialWeights.elements,
                                              stepSize: eta, momentum: beta, timePerStep: eta.squareRoot())
        for _ in 0..<30 { kinetic.step() }
        let before = kinetic.position.array
        kinetic.step()
        let after = kinetic.position.array
        let v = kinetic.velocity
        for i in 0..<after.count {
            XCTAssertEqual(v[i], (after[i] - before[i]) / eta.squareRoot(), accuracy: 1e-10 * (abs(v[i]) + 1))
        }
        // ½‖Δ‖² from the recurrence against the loss of the formed W_k: rounding only.
        let loss = after.withView { field.potential(at: $0) }
        XCTAssertEqual(try XCTUnwrap(kinetic.lastKnownLoss).loss, loss, accuracy: 1e-10 * loss)
        XCTAssertEqual(try XCTUnwrap(kinetic.lastKnownLoss).iteration, 31)
    }

    /// The minimum loss of a run sampled only at its sample times (from every iterate, through
    /// `Solution.iterateLosses`) against a dense run sampled at every iteration. HB at 4η,
    /// whose loss is not monotone, so the minimum is not the last sample. The dense runs are
    /// the explicit discretizations of gradient flow and HBF with the same η, β (the same
    /// recurrence, run densely). Tolerance: 1e-9 relative as above, plus the rounding floor of
    /// the loss itself: Δ = f(W) − y is formed from O(1) terms, so each run's Δ carries an
    /// absolute error of order 1e-14 per entry and L = ½‖Δ‖² one of ‖Δ‖·‖δΔ‖ ≤ 1e-12·√(2L);
    /// at L ~ 1e-14 (reached at 4η) that floor, not the relative term, decides.
    func testMinimumLossFromEveryIterate() throws {
        let net = try randomNetwork(samples: 12, dimension: 5, width: 200, seed: 11)
        let field = ReLUWeightField(network: net)
        let (eta0, beta) = try peerParameters(net)
        let x0 = net.initialWeights.elements
        for (momentum, eta) in [(0.0, eta0), (beta, 4 * eta0), (0.0, 4 * eta0)] {
            let h = eta.squareRoot()
            let kineticMethod: any DiscreteMethod = momentum == 0 ? GradientDescent(stepSize: eta)
                : PolyakHeavyBall(stepSize: eta, momentum: momentum)
            let denseMethod: any DiscreteMethod = momentum == 0
                ? ExplicitFlowDiscretization(flow: GradientFlow(), step: eta)
                : ExplicitFlowDiscretization(flow: HeavyBallFlow(friction: (1 - momentum) / h), step: h)
            let monitors: [any Monitor] = [LossMonitor(flow: GradientFlow())]
            var sparse = SolveOptions()
            sparse.iterations = 150
            sparse.discreteSampling = .nearestSampleTimes
            sparse.lossLevel = 1e-3
            let times = try SampleTimes.linear(from: 0, to: kineticMethod.time(ofIteration: 150), count: 7)
            let a = try solve(field, from: x0, .method(kineticMethod), solver: .exact, sampleTimes: times, monitors: monitors,
                              options: sparse)
            var every = SolveOptions()
            every.iterations = 150
            let b = try solve(field, from: x0, .method(denseMethod), solver: .exact, sampleTimes: times, monitors: monitors,
                              options: every)
            XCTAssertEqual(a.rows.count, 7)
            XCTAssertEqual(b.rows.count, 151)
            let sa = RateSummary(run: "kinetic", trajectory: a, law: .exponential, epsilon: 1e-3)
            let sb = RateSummary(run: "dense", trajectory: b, law: .exponential, epsilon: 1e-3)
            let label = "β=\(momentum) η=\(eta)"
            func tolerance(_ l: Double) -> Double { 1e-9 * l + 1e-12 * (2 * l).squareRoot() }
            XCTAssertEqual(sa.minimumLoss, sb.minimumLoss, accuracy: tolerance(sb.minimumLoss), label)
            XCTAssertEqual(sa.minimumLossAt, sb.minimumLossAt, label)
            XCTAssertEqual(sa.iterationsToEpsilon, sb.iterationsToEpsilon, label)
            XCTAssertEqual(sa.finalLoss, sb.finalLoss, accuracy: tolerance(sb.finalLoss), label)
            XCTAssertNotNil(a.switching?.events)
        }
    }

    /// `iterations` K still gives exactly K iterations when only the sample times are sampled,
    /// and the last sample is iteration K.
    func testIterationCountWithSparseSampling() throws {
        let net = try randomNetwork(samples: 8, dimension: 3, width: 40, seed: 5)
        let field = ReLUWeightField(network: net)
        let (eta, beta) = try peerParameters(net)
        for method in [GradientDescent(stepSize: eta), PolyakHeavyBall(stepSize: eta, momentum: beta)] as [any DiscreteMethod] {
            for k in [0, 1, 37] {
                var options = SolveOptions()
                options.iterations = k
                options.discreteSampling = .nearestSampleTimes
                let solution = try solve(field, from: net.initialWeights.elements, .method(method), solver: .exact,
                                         sampleTimes: try SampleTimes.linear(from: 0, to: 100, count: 11),
                                         monitors: [LossMonitor(flow: GradientFlow())], options: options)
                XCTAssertEqual(solution.statistics.steps, k, method.name)
                XCTAssertEqual(solution.column("k")?.last, Double(k), method.name)
            }
        }
    }

    /// The seam: GD and HB (difference form) on the network run kinetically; the buffer form,
    /// negative momentum and other models run densely.
    func testStructuredIteratorIsChosenByTheModel() throws {
        let net = try randomNetwork(samples: 6, dimension: 3, width: 20, seed: 2)
        let field = ReLUWeightField(network: net)
        let x0 = net.initialWeights.elements
        XCTAssertTrue(try GradientDescent(stepSize: 0.1).makeIterator(field: field, initialPosition: x0) is KineticMomentumIterator)
        XCTAssertTrue(try PolyakHeavyBall(stepSize: 0.1, momentum: 0.5).makeIterator(field: field, initialPosition: x0)
                      is KineticMomentumIterator)
        XCTAssertTrue(try PolyakHeavyBall(stepSize: 0.1, momentum: 0.5, form: .buffer).makeIterator(field: field, initialPosition: x0)
                      is MomentumBufferIterator)
        XCTAssertTrue(try PolyakHeavyBall(stepSize: 0.1, momentum: -0.2).makeIterator(field: field, initialPosition: x0)
                      is MomentumRecurrenceIterator)
    }
}
