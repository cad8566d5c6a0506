import Foundation

/// A weight run of the two-layer ReLU network that treats the switching surfaces
/// z_ri = w_rᵀx_i = 0 explicitly (issue 5, DESIGN §7): every crossing is located to
/// `eventTolerance` (no step straddles a switch), gradient flow follows Filippov's sliding
/// dynamics where both one-sided fields push into a surface, and the integrator restarts at
/// every event.
///
/// Flows: gradient flow (with sliding), heavy ball, Nesterov (GSL only; it starts at its t0
/// from the series solution exactly like `Simulation`, and a sample at t = 0 is the initial
/// state) and higher-order momentum. Every derivative of order ≥ 1 starts at zero.
///
/// The trajectory has the columns of `Simulation` ("t" and the monitors' columns) plus
/// `switching_events` (events so far, cumulative; see `SwitchingStatistics`) and
/// `sliding_pairs` (pairs sliding at the sample). Monitors see the weights and, for gradient
/// flow, the Filippov velocity (with sliding pairs' equivalent control); their `field` is a
/// `ReLUWeightField` of the network.
///
/// Tolerance semantics. An accepted step or piece ends at most `eventTolerance` (time) after
/// the first switch inside it, as estimated by interpolating z (cubic Hermite in (z, ż) where
/// ż is known) on the final bracket, or the bracket itself is that narrow; all pairs that
/// switch within it are handled together. Exception: a pair just released from a sliding
/// surface (z = 0 up to rounding) is not checked until |z| exceeds a band of
/// 1e-12·(1 + max|z(0)|), so that rounding is not taken for a crossing. GSL steps are
/// additionally controlled by the stepper's tolerances (GSL's standard control, maximum over
/// components); exact pieces are exact up to rounding. Caveat: on a sliding state z_ri is 0
/// only up to rounding, so columns that use the indicator 1[z ≥ 0] of `ReLUWeightField`
/// (pseudo_loss, lambda_min, pattern_change_ratio) count a sliding pair as active or
/// inactive depending on that rounding; loss and velocity_norm are unaffected.
public struct SwitchingSimulation {
    public let network: ReLUNetwork
    public let flow: any ContinuousFlow
    public let method: SwitchingMethod
    /// Event location tolerance in time units.
    public let eventTolerance: Double
    public let sampleTimes: SampleTimes
    public let monitors: [any Monitor]
    /// The field the monitors' snapshots carry.
    public let field: ReLUWeightField

    public init(network: ReLUNetwork, flow: any ContinuousFlow, method: SwitchingMethod,
                eventTolerance: Double, sampleTimes: SampleTimes, monitors: [any Monitor]) throws {
        guard eventTolerance.isFinite, eventTolerance > 0 else {
            throw InputError(.eventTolerance, value: "\(eventTolerance)", allowed: "must be finite and > 0")
        }
        guard flow.order >= 1 else {
            throw InputError("flow order", value: "\(flow.order)", allowed: "must be ≥ 1")
        }
        if let nesterov = flow as? NesterovFlow {
            if let bad = sampleTimes.values.first(where: { $0 > 0 && $0 < nesterov.startTime }) {
                throw InputError(.sampleTimes, value: "\(bad)",
                                 allowed: "Nesterov runs start at t0 = \(nesterov.startTime): sample at 0 or at times ≥ t0")
            }
        }
        switch method {
        case .gslEvents(let stepper, _):
            guard EventStepper.supported.contains(stepper) else {
                throw InputError(.stepper, value: stepper.rawValue,
                                 allowed: "switching runs need an explicit one-step stepper: \(EventStepper.supported.map(\.rawValue).joined(separator: ", "))")
            }
        case .exactPieces:
            guard flow.isAutonomous else {
                throw InputError(.flow, value: flow.name,
                                 allowed: "exact pieces need constant coefficients (gradient flow, hbf, higher-order); use GSL events for Nesterov")
            }
        }
        self.network = network
        self.flow = flow
        self.method = method
        self.eventTolerance = eventTolerance
        self.sampleTimes = sampleTimes
        self.monitors = monitors
        field = ReLUWeightField(network: network)
    }

    public var columns: [String] { ["t"] + monitors.flatMap(\.columns) + ["switching_events", "sliding_pairs"] }

    /// Runs the simulation. A divergence or GSL failure ends the run early; the samples taken
    /// before it are returned with `earlyStop` set.
    public func run() throws -> (Trajectory, SwitchingStatistics) {
        try run(observingAcceptedStates: nil)
    }

    /// Runs the simulation and calls `observer` with the time and the weights W (d×m) of every
    /// accepted state: the end of every accepted step and every event state after its
    /// pattern change (for the exact pieces: every piece boundary and sample). A test hook:
    /// it copies the weights at every step.
    public func run(observingAcceptedStates observer: ((Double, [Double]) -> Void)?) throws -> (Trajectory, SwitchingStatistics) {
        let (trajectory, statistics, _) = try execute(observer: observer)
        return (trajectory, statistics)
    }

    /// Runs the simulation and also returns the weights W (d×m) at the end of the run (the
    /// last sample reached).
    public func runReturningFinalWeights() throws -> (Trajectory, SwitchingStatistics, [Double]) {
        try execute(observer: nil)
    }

    private func execute(observer: ((Double, [Double]) -> Void)?) throws -> (Trajectory, SwitchingStatistics, [Double]) {
        let clock = ContinuousClock()
        let begin = clock.now
        var trajectory = Trajectory(columns: columns)
        let kernel = ReLUSwitchingKernel(network: network)
        let nb = kernel.weightCount, p = flow.order
        var state = [Double](repeating: 0, count: nb * p)
        for k in 0..<nb { state[k] = network.initialWeights.elements[k] }
        var times = sampleTimes.values
        var startTime = 0.0
        var eventsSoFar = 0

        /// Records a sample; false when a monitored value overflowed.
        func record(_ t: Double, position: [Double], velocity: [Double], slidingPairs: Int) -> Bool {
            position.withView { w in
                velocity.withView { v in
                    let snapshot = StateSnapshot(time: t, position: w, velocity: v, field: field, flow: flow)
                    trajectory.rows.append([t] + monitors.flatMap { $0.measure(snapshot) }
                                           + [Double(eventsSoFar), Double(slidingPairs)])
                    return snapshot.loss.isFinite && snapshot.pseudoLoss.isFinite
                }
            }
        }

        if let nesterov = flow as? NesterovFlow {
            // Series start at t0 (as `Simulation`): W(t0) = W0 − a∇L(W0), W'(t0) = −b∇L(W0).
            if times.first == 0 {
                let w0 = Array(state[0..<nb])
                guard record(0, position: w0, velocity: [Double](repeating: 0, count: nb), slidingPairs: 0) else {
                    trajectory.earlyStop = .diverged(time: 0)
                    return (trajectory, SwitchingStatistics(), Array(state[0..<nb]))
                }
                times.removeFirst()
            }
            var g = [Double](repeating: 0, count: nb)
            state.withView { w in g.withMutableView { field.gradient(at: w.slice(0, nb), into: $0) } }
            let (a, b) = nesterov.seriesStartFactors
            for k in 0..<nb {
                state[k] -= a * g[k]
                state[nb + k] = -b * g[k]
            }
            startTime = nesterov.startTime
        }

        var z = [Double](repeating: 0, count: kernel.pairCount)
        state.withView { w in z.withMutableView { kernel.preactivations(w.slice(0, nb), into: $0) } }
        let band = 1e-12 * (1 + (z.map(abs).max() ?? 0))
        let pattern = SwitchingPattern(preactivations: z, samples: kernel.n, width: kernel.m, releaseBand: band)

        /// Advances to each sample time and records it; an early stop or an overflowed monitor
        /// ends the run with the samples taken so far.
        func sample(advance: (Double) throws -> Void,
                    state: () -> (position: [Double], velocity: [Double], slidingPairs: Int)) throws {
            for target in times {
                do {
                    try advance(target)
                } catch let stop as EarlyStop {
                    trajectory.earlyStop = stop
                    return
                }
                let current = state()
                if !record(target, position: current.position, velocity: current.velocity, slidingPairs: current.slidingPairs) {
                    trajectory.earlyStop = .diverged(time: target)
                    return
                }
            }
        }

        var statistics: SwitchingStatistics
        var finalWeights: [Double] = []
        switch method {
        case .gslEvents(let stepper, let tolerances):
            let solver = try SwitchingGSLSolver(kernel: kernel, pattern: pattern, flow: flow, stepper: stepper,
                                                tolerances: tolerances, eventTolerance: eventTolerance,
                                                startTime: startTime, initialState: state,
                                                initialStep: min(1e-3, max(startTime, 1e-6)))
            if let observer {
                solver.observer = { t, y in observer(t, Array(y.array[0..<nb])) }
            }
            try sample(advance: solver.advance(to:)) {
                eventsSoFar = solver.statistics.events
                let y = solver.y.array
                return (Array(y[0..<nb]), solver.currentVelocity().prefix(nb).map { $0 }, solver.slidingPairs)
            }
            statistics = solver.statistics
            statistics.evaluations = solver.stepper.evaluations
            finalWeights = Array(solver.y.array[0..<nb])
        case .exactPieces:
            let solver = try ExactPiecesSolver(kernel: kernel, pattern: pattern, flow: flow,
                                               eventTolerance: eventTolerance, initialState: state)
            if let observer {
                solver.observer = { t, w in observer(t, w) }
            }
            try sample(advance: solver.advance(to:)) {
                eventsSoFar = solver.statistics.events
                let (position, velocity) = solver.currentPositionAndVelocity()
                return (position, velocity, pattern.slidingPairCount)
            }
            statistics = solver.statistics
            finalWeights = solver.currentPositionAndVelocity().0
        }
        var integration = IntegrationStatistics()
        integration.evaluations = statistics.evaluations
        integration.steps = statistics.steps
        integration.rejectedSteps = statistics.rejectedSteps
        trajectory.statistics = integration
        let d = clock.now - begin
        statistics.wallSeconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return (trajectory, statistics, finalWeights)
    }
}
