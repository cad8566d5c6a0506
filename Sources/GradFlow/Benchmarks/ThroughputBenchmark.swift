/// Throughput measurements printed by `gradflow benchmark`; never used by tests.
public enum ThroughputBenchmark {
    public struct Measurement: Sendable {
        public let calls: Int
        public let secondsPerCall: Double
        public let flopsPerCall: Double
        public var gigaflops: Double { flopsPerCall / secondsPerCall / 1e9 }
    }

    /// Repeats `body` until `minimumSeconds` have passed (after one warm-up call).
    static func time(minimumSeconds: Double, flops: Double, _ body: () -> Void) -> Measurement {
        body()
        let clock = ContinuousClock()
        var calls = 0
        let start = clock.now
        var elapsed = 0.0
        repeat {
            body()
            calls += 1
            let d = clock.now - start
            elapsed = d.inSeconds
        } while elapsed < minimumSeconds
        return Measurement(calls: calls, secondsPerCall: elapsed / Double(calls), flopsPerCall: flops)
    }

    /// dgemm C = A B with A m×k, B k×n (2mnk flops per call).
    public static func dgemm(m: Int, n: Int, k: Int, minimumSeconds: Double) -> Measurement {
        let a = DoubleBuffer(count: m * k, repeating: 0.5), b = DoubleBuffer(count: k * n, repeating: 0.25)
        let c = DoubleBuffer(count: m * n)
        return time(minimumSeconds: minimumSeconds, flops: 2 * Double(m) * Double(n) * Double(k)) {
            BLAS.multiply(a, b, into: c, m: m, n: n, k: k)
        }
    }

    /// The weight right-hand side ∇L(W) of the ReLU network (4·n·m·d flops per call for
    /// its two GEMMs; the fused mask pass is not counted).
    public static func weightGradient(network: ReLUNetwork, minimumSeconds: Double) -> Measurement {
        let field = ReLUWeightField(network: network)
        let w = DoubleBuffer(network.initialWeights.elements)
        let g = DoubleBuffer(count: field.dimension)
        let flops = 4 * Double(network.sampleCount) * Double(network.width) * Double(network.dimension)
        return time(minimumSeconds: minimumSeconds, flops: flops) {
            field.gradient(at: w.readOnly, into: g.view)
        }
    }
}

extension ThroughputBenchmark {
    /// Seconds per iteration of discrete GD (`momentum` false) or heavy ball (η = 1/λmax(H(0)),
    /// β = (1 − 1/(2√κ))² as in the numpy peer) on the network's weights, sampled only at the
    /// first and last iteration, so that the figure is the iterations themselves; the
    /// iterations are counted as `calls`, and `flopsPerCall` is a dense iteration's 4·n·m·d (the
    /// kinetic iterations after the dense start do far less, so the GFLOP/s are dense-equivalent).
    public static func discreteIteration(network: ReLUNetwork, momentum: Bool, iterations: Int) throws -> Measurement {
        let field = ReLUWeightField(network: network)
        let spectrum = try network.initialWeights.elements.withView { try SymmetricEigensystem(field.kernel(at: $0)) }
        let eta = 1 / spectrum.maximum
        let kappa = spectrum.maximum / spectrum.minimum
        let beta = momentum ? (1 - 1 / (2 * kappa.squareRoot())) * (1 - 1 / (2 * kappa.squareRoot())) : 0
        var options = SolveOptions()
        options.iterations = iterations
        options.sampleIterations = [0, iterations]
        let method: any DiscreteMethod = momentum ? PolyakHeavyBall(stepSize: eta, momentum: beta) : GradientDescent(stepSize: eta)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try solve(field, from: network.initialWeights.elements, .method(method),
                      solver: .exact, sampleTimes: try SampleTimes(list: [0]), monitors: [LossMonitor(flow: GradientFlow())],
                      options: options)
        let d = clock.now - start
        let seconds = d.inSeconds
        let flops = 4 * Double(network.sampleCount) * Double(network.width) * Double(network.dimension)
        return Measurement(calls: iterations, secondsPerCall: seconds / Double(iterations), flopsPerCall: flops)
    }
}
