import Foundation

/// How the weight flows' cost grows with n and m (the growth table), printed by
/// `gradflow benchmark --scaling`; never used by tests. Each row runs one flow on the weights of
/// the ReLU network with `Dataset.synthetic` data and `ReLUNetwork.gaussian` weights from one
/// `RandomSource(seed:)`, with the solver `auto` picks, to `endTime`.
public enum ScalingBenchmark {
    public struct Row: Sendable {
        public let samples: Int, dimension: Int, width: Int
        public let flow: String
        public let solver: String
        public let endTime: Double
        public let wallSeconds: Double
        public let switches: Int
        /// The time reached (`endTime` unless a limit stopped the run).
        public let reached: Double
        public let finalLoss: Double
        public var millisecondsPerSwitch: Double { switches > 0 ? wallSeconds / Double(switches) * 1e3 : .nan }
        public var switchesPerUnitTime: Double { Double(switches) / reached }
    }

    /// The growth grid: HBF (b = √(2λ0), 002 Theorem 2) to T = 20 at d = 10.
    public static let growthGrid: [(samples: Int, width: Int)] = [(20, 2000), (40, 2000), (80, 2000), (20, 8000), (20, 32000)]

    /// One run of `flow` with `auto`'s solver; `maximumWallSeconds` stops it (the row then
    /// reports the time reached).
    public static func run(samples n: Int, dimension d: Int, width m: Int, flow name: String, endTime: Double,
                           seed: UInt64 = 0, maximumWallSeconds: Double? = nil) throws -> Row {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: .signs, random: random)
        let network = try ReLUNetwork.gaussian(data: data, width: m, random: random)
        let model = ReLUWeightField(network: network)
        let flow: any ContinuousFlow
        switch name {
        case "hbf":
            let lambda0 = try KernelSpectrum(NeuralTangentKernel.limit(inputs: network.data.inputs)).lambdaMin
            flow = HeavyBallFlow.theorem2(lambda0: lambda0)
        case "nesterov": flow = NesterovFlow()
        default: flow = GradientFlow()
        }
        let kind = model.automaticSolver(for: flow)
        let method: SwitchingMethod = kind == .kinetic ? .kinetic : .exactPieces
        var options = SolveOptions()
        if let maximumWallSeconds { options.limits.maxWallSeconds = maximumWallSeconds }
        let trajectory = try solve(model, from: model.initialPosition, .flow(flow),
                                   solver: .switching(method: method, eventTolerance: 1e-8),
                                   sampleTimes: try SampleTimes.linear(from: 0, to: endTime, count: 2),
                                   monitors: [LossMonitor(flow: flow)], options: options)
        let statistics = trajectory.switching ?? SwitchingStatistics()
        let times = trajectory[.time] ?? [0]
        return Row(samples: n, dimension: d, width: m, flow: flow.name, solver: method.name, endTime: endTime,
                   wallSeconds: statistics.wallSeconds, switches: statistics.events,
                   reached: trajectory.earlyStop == nil ? endTime : (times.last ?? 0),
                   finalLoss: trajectory[.loss]?.last ?? .nan)
    }
}
