/// Solves one run: a flow or a discrete method on a problem's model, from its initial
/// position, with a solver, observed by monitors at sample times. This is GradFlow's one
/// entry point: every solver (GSL, exact, events, exact pieces, discrete iterations) goes
/// through the same sampling loop, divergence stop, Nesterov start and statistics.
///
/// - `monitors`: default `model.monitors(flow:lambdaMin: false)` for the observed flow.
/// - Continuous runs sample at `sampleTimes`; discrete runs at every iteration 0…K (K from
///   `options.iterations`, else the iteration whose time is nearest the last sample time), at
///   the iterations nearest the sample times (`options.discreteSampling`), or at
///   `options.sampleIterations`. Monitors run only at the samples; the loss of every
///   iterate, when the iterator knows it, goes into `Solution.iterateLosses`.
/// - A flow with a series start (Nesterov) is integrated from t0; a sample at t = 0 is the
///   exact initial state, and samples in (0, t0) are refused. The exact solver needs no t0.
/// - The run stops early, keeping the samples taken, when the state or a monitored loss
///   becomes NaN or Inf, or when the solver fails: `Solution.status` says which.
public func solve(_ problem: Problem, _ dynamics: Dynamics, solver: Solver, sampleTimes: SampleTimes,
                  monitors: [any Monitor]? = nil, options: SolveOptions = SolveOptions()) throws -> Solution {
    try solve(problem.model, from: problem.model.initialPosition, dynamics, solver: solver, sampleTimes: sampleTimes,
              monitors: monitors, options: options)
}

/// `solve` on a model from a given initial position x(0) (all derivatives zero).
public func solve(_ model: any Model, from initialPosition: [Double], _ dynamics: Dynamics, solver: Solver,
                  sampleTimes: SampleTimes, monitors: [any Monitor]? = nil,
                  options: SolveOptions = SolveOptions()) throws -> Solution {
    var run = try RunLoop(model: model, initialPosition: initialPosition, dynamics: dynamics, solver: solver,
                          sampleTimes: sampleTimes, monitors: monitors, options: options)
    return try run.execute()
}

/// The one sampling loop behind `solve`.
private struct RunLoop {
    let model: any Model
    let initialPosition: [Double]
    let dynamics: Dynamics
    let solver: Solver
    let flow: any ContinuousFlow
    /// The observed flow's force g: a first-order flow's velocity is −g(x).
    let force: any FlowForce
    let monitors: [any Monitor]
    let options: SolveOptions
    /// The sample points, in order.
    var points: [SamplePoint]

    init(model: any Model, initialPosition: [Double], dynamics: Dynamics, solver: Solver, sampleTimes: SampleTimes,
         monitors: [any Monitor]?, options: SolveOptions) throws {
        guard initialPosition.count == model.dimension else {
            throw InputError("initial state", value: "\(initialPosition.count) values", allowed: "expected \(model.dimension)")
        }
        self.model = model
        self.initialPosition = initialPosition
        self.dynamics = dynamics
        self.solver = solver
        self.options = options
        flow = dynamics.observedFlow
        if case .flow = dynamics { force = try flow.force(on: model) } else { force = PotentialGradient(model: model) }
        self.monitors = monitors ?? model.monitors(flow: flow, lambdaMin: false)
        switch dynamics {
        case .flow(let flow):
            try solver.validate(for: flow, on: model)
            if let e = solver.eventTolerance { try Solver.checkEventTolerance(e, within: sampleTimes) }
            if solver.kind != .exact, case .series(let t0, _, _) = flow.start,
               let bad = sampleTimes.values.first(where: { $0 > 0 && $0 < t0 }) {
                throw InputError(.sampleTimes, value: "\(bad)",
                                 allowed: "\(flow.name) runs start at t0 = \(t0): sample at 0 or at times ≥ t0")
            }
            points = sampleTimes.values.map { SamplePoint(time: $0) }
        case .method(let method):
            let k = try options.iterations ?? method.checkedIterations(toReach: sampleTimes.values.last ?? 0)
            guard k >= 0 else { throw InputError("iterations", value: "\(k)", allowed: "must be ≥ 0") }
            let sampled = options.sampleIterations
                ?? options.discreteSampling.iterations(k, method: method, times: sampleTimes.values)
            guard !sampled.isEmpty else {
                throw InputError("sample iterations", value: "none", allowed: "give at least one iteration index in 0…\(k)")
            }
            if let bad = sampled.first(where: { $0 < 0 || $0 > k }) {
                throw InputError("sample iterations", value: "\(bad)", allowed: "must lie in 0…\(k)")
            }
            for (a, b) in zip(sampled, sampled.dropFirst()) where b <= a {
                throw InputError("sample iterations", value: "\(a) then \(b)", allowed: "must be strictly increasing")
            }
            try DiscreteMethodInput.checkPosition(initialPosition, field: model)
            points = sampled.map { SamplePoint(time: method.time(ofIteration: $0), iteration: $0) }
        }
    }

    var columns: [Observable] {
        if case .method = dynamics { return [.iteration, .time] + monitors.flatMap(\.columns) }
        return [.time] + monitors.flatMap(\.columns) + solver.extraObservables
    }

    mutating func execute() throws -> Solution {
        let clock = ContinuousClock()
        let begin = clock.now
        var solution = Solution(columns: columns)
        if options.recordStates { solution.states = [] }
        let n = model.dimension
        let scratch = DoubleBuffer(count: n)

        /// Records a sample; false, recording nothing, when the loss or pseudo-loss is NaN or
        /// Inf (the run diverged).
        func record(_ point: SamplePoint, _ state: PropagatorState) -> Bool {
            let velocity: VectorView
            if let v = state.velocity {
                velocity = v
            } else {
                force.evaluate(at: state.position, into: scratch.view)
                scratch.view.negate()
                velocity = scratch.readOnly
            }
            let snapshot = StateSnapshot(time: point.time, position: state.position, velocity: velocity, field: model,
                                         flow: flow, derivatives: state.derivatives ?? [state.position, velocity])
            guard snapshot.loss.isFinite, snapshot.pseudoLoss.isFinite else { return false }
            var row = point.iteration.map { [Double($0), point.time] } ?? [point.time]
            for monitor in monitors { row += monitor.measure(snapshot) }
            row += state.extras
            solution.rows.append(row)
            if options.recordStates { solution.states?.append(state.position.array) }
            return true
        }

        // The start: x(0) with zero derivatives, or a flow's series start at t0.
        let order = flow.order
        var state = [Double](repeating: 0, count: n * (dynamicsIsFlow ? order : 1))
        for i in 0..<n { state[i] = initialPosition[i] }
        var startTime = 0.0
        var remaining = points[...]
        if dynamicsIsFlow, solver.kind != .exact, case .series(let t0, let a, let b) = flow.start {
            if let first = remaining.first, first.time == 0 {
                let recorded = initialPosition.withView { x in
                    [Double](repeating: 0, count: n).withView { zero in
                        record(first, PropagatorState(position: x, velocity: zero, derivatives: order >= 2 ? [x, zero] : nil,
                                                      extras: solver.extraObservables.map { _ in 0 }))
                    }
                }
                guard recorded else {
                    solution.earlyStop = .diverged(time: 0)
                    return finish(solution, nil, begin: begin)
                }
                remaining = remaining.dropFirst()
            }
            initialPosition.withView { x in model.gradient(at: x, into: scratch.view) }
            for i in 0..<n {
                state[i] -= a * scratch[i]
                state[n + i] = -b * scratch[i]
            }
            startTime = t0
        }

        let propagator = try makePropagator(state: state, startTime: startTime, budget: WorkBudget(options.limits))
        if case .method(let method) = dynamics, options.sampleIterations == nil,
           options.discreteSampling != .everyIteration, !propagator.knowsEveryIterateLoss, let last = points.last?.iteration {
            // The iterator does not see every iterate's loss (Nesterov's gradient is taken at
            // the look-ahead point; models whose gradient does not form Δ): sample every
            // iteration so that the minimum loss stays exact.
            points = (0...last).map { SamplePoint(time: method.time(ofIteration: $0), iteration: $0) }
            remaining = points[...]
        }
        for point in remaining {
            do {
                try propagator.advance(to: point)
            } catch let stop as EarlyStop {
                solution.earlyStop = stop
                break
            }
            if !propagator.withState({ record(point, $0) }) {
                solution.earlyStop = .diverged(time: point.time)
                break
            }
            options.progress?(SolveProgress(time: point.time, evaluations: propagator.statistics.evaluations,
                                            switches: propagator.switching?.events))
        }
        return finish(solution, propagator, begin: begin)
    }

    private var dynamicsIsFlow: Bool {
        if case .flow = dynamics { return true }
        return false
    }

    private func finish(_ solution: Solution, _ propagator: (any Propagator)?, begin: ContinuousClock.Instant) -> Solution {
        var solution = solution
        guard let propagator else { return solution }
        solution.statistics = propagator.statistics
        solution.switchLog = propagator.switchLog
        solution.iterateLosses = propagator.iterateLosses
        if var switching = propagator.switching {
            let d = ContinuousClock().now - begin
            switching.wallSeconds = d.inSeconds
            solution.switching = switching
        }
        return solution
    }

    private func makePropagator(state: [Double], startTime: Double, budget: WorkBudget) throws -> any Propagator {
        switch dynamics {
        case .method(let method):
            return try IterationPropagator(model: model, method: method, initialPosition: initialPosition, budget: budget,
                                           lossLevel: options.lossLevel)
        case .flow(let flow):
            switch solver {
            case .gsl(let stepper, let tolerances):
                return try GSLPropagator(model: model, flow: flow, initialState: state, startTime: startTime,
                                         stepper: stepper, tolerances: tolerances, budget: budget)
            case .exact:
                return try ModalPropagator(model: model, flow: flow, initialPosition: initialPosition)
            case .switching(let method, let eventTolerance):
                if let products = model.pieceProducts, case .gslEvents(let stepper, let tolerances) = method {
                    return try PieceEventsPropagator(model: model, products: products, flow: flow, initialState: state,
                                                     startTime: startTime, stepper: stepper, tolerances: tolerances,
                                                     eventTolerance: eventTolerance, logSwitches: options.recordSwitches,
                                                     budget: budget)
                }
                let network = model.reluNetwork!  // checked by `Solver.validate`
                if let kinks = flow as? any WeightKinkFollowing, case .gslEvents(let stepper, let tolerances) = method {
                    return try kinks.kinkEventsPropagator(network: network, initialState: state, startTime: startTime,
                                                          stepper: stepper, tolerances: tolerances, eventTolerance: eventTolerance,
                                                          logSwitches: options.recordSwitches, budget: budget)
                }
                switch method {
                case .gslEvents(let stepper, let tolerances):
                    return try SwitchingEventsPropagator(network: network, flow: flow, initialState: state, startTime: startTime,
                                                         stepper: stepper, tolerances: tolerances, eventTolerance: eventTolerance,
                                                         logSwitches: options.recordSwitches, observer: options.acceptedStateObserver,
                                                         budget: budget)
                case .kinetic:
                    return try KineticPiecesPropagator(network: network, flow: flow, initialState: state, startTime: startTime,
                                                       eventTolerance: eventTolerance, logSwitches: options.recordSwitches,
                                                       observer: options.acceptedStateObserver, budget: budget)
                case .exactPieces:
                    return try ExactPiecesPropagator(network: network, flow: flow, initialState: state, startTime: startTime,
                                                     eventTolerance: eventTolerance,
                                                     logSwitches: options.recordSwitches, observer: options.acceptedStateObserver,
                                                     budget: budget)
                }
            }
        }
    }
}
