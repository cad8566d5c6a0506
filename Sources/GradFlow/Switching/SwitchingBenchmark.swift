import Foundation

/// The speed benchmark: gradient flow, heavy ball (b = √(2λ0), 002 Theorem 2) and
/// Nesterov (γ = 3, t0 = 1e-6) on the weights of the two-layer ReLU network with n = 20
/// unit-norm Gaussian inputs in d = 10, labels ±1, width m = 2000, seed 0
/// (`Dataset.synthetic` then `ReLUNetwork.gaussian` from one `RandomSource(seed: 0)`),
/// t ∈ [0, 50], solved with GSL stepping plus event location, with exact pieces, and with the
/// kinetic solver where `auto` uses it (HBF, Nesterov). Wall times depend on the machine and on OpenBLAS's thread count
/// (set it with `BLASThreads.set` before calling; the rows record it).
public enum SwitchingBenchmark {
    /// One run.
    public struct Row: Sendable, Codable {
        public let flow: String
        public let method: String
        public let wallSeconds: Double
        /// Right-hand-side evaluations (0 for exact pieces).
        public let evaluations: Int
        public let events: Int
        public let crossings: Int
        public let slidingEntries: Int
        public let slidingExits: Int
        /// Time with at least one sliding pair.
        public let slidingTime: Double
        /// ∫ (number of sliding pairs) dt.
        public let slidingPairTime: Double
        public let finalLoss: Double
        /// ‖W(T) − W_ref(T)‖ / ‖W_ref(T)‖ against the flow's last exact run (kinetic where it
        /// runs, else exact pieces), set on the other rows; nil on the reference row.
        public var relativeDifferenceToExact: Double?
        public let statistics: SwitchingStatistics
        public let blasThreads: Int
    }

    /// The benchmark's data and network (defaults: the small problem, n = 20, d = 10, m = 2000).
    public static func network(samples: Int = 20, dimension: Int = 10, width: Int = 2000,
                               seed: UInt64 = 0) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: samples, dimension: dimension, labels: .signs, random: random)
        return try ReLUNetwork.gaussian(data: data, width: width, random: random)
    }

    /// Runs gradient flow, HBF and Nesterov with GSL events (and, when `includeExact`, with
    /// exact pieces) to `endTime`, sampling `samples` times.
    /// Defaults: rkf45 with GSL's standard control at rtol 1e-6, atol 1e-9 (the command
    /// line's defaults), event tolerance 1e-8.
    public static func run(network: ReLUNetwork, endTime: Double = 50, samples: Int = 11,
                           stepper: Stepper = .rkf45, relativeTolerance: Double = 1e-6,
                           absoluteTolerance: Double = 1e-9, eventTolerance: Double = 1e-8,
                           includeExact: Bool = true) throws -> [Row] {
        let lambda0 = try KernelSpectrum(NeuralTangentKernel.limit(inputs: network.data.inputs)).lambdaMin
        let model = ReLUWeightField(network: network)
        let flows: [any ContinuousFlow] = [GradientFlow(), HeavyBallFlow.theorem2(lambda0: lambda0), NesterovFlow()]
        let tolerances = try Tolerances(relative: relativeTolerance, absolute: absoluteTolerance)
        let times = try SampleTimes.linear(from: 0, to: endTime, count: samples)
        var rows: [Row] = []
        for flow in flows {
            var methods: [SwitchingMethod] = [.gslEvents(stepper: stepper, tolerances: tolerances)]
            if includeExact && flow.hasExactPieces { methods.append(.exactPieces) }
            if includeExact && (try? Solver.switching(method: .kinetic, eventTolerance: eventTolerance)
                .validate(for: flow, on: model)) != nil, model.automaticSolver(for: flow) == .kinetic {
                methods.append(.kinetic)
            }
            var finals: [[Double]] = []
            for method in methods {
                var options = SolveOptions()
                options.recordStates = true
                let trajectory = try solve(model, from: model.initialPosition, .flow(flow),
                                           solver: .switching(method: method, eventTolerance: eventTolerance),
                                           sampleTimes: times, monitors: [LossMonitor(flow: flow)], options: options)
                let statistics = trajectory.switching ?? SwitchingStatistics()
                finals.append(trajectory.states?.last ?? [])
                rows.append(Row(flow: flow.name, method: method.name, wallSeconds: statistics.wallSeconds,
                                evaluations: statistics.evaluations, events: statistics.events,
                                crossings: statistics.crossings, slidingEntries: statistics.slidingEntries,
                                slidingExits: statistics.slidingExits, slidingTime: statistics.slidingTime,
                                slidingPairTime: statistics.slidingPairTime,
                                finalLoss: trajectory[.loss]?.last ?? .nan,
                                relativeDifferenceToExact: nil, statistics: statistics,
                                blasThreads: BLASThreads.current))
            }
            // Every other row against the last exact one (kinetic where it runs, else exact pieces).
            if finals.count >= 2, let reference = finals.last, !reference.isEmpty {
                for (k, other) in finals.dropLast().enumerated() where other.count == reference.count {
                    var num = 0.0, den = 0.0
                    for (a, b) in zip(other, reference) {
                        num += (a - b) * (a - b)
                        den += b * b
                    }
                    rows[rows.count - finals.count + k].relativeDifferenceToExact = (num / den).squareRoot()
                }
            }
        }
        return rows
    }
}
