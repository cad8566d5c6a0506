/// One run: a flow on a gradient field (weights or errors) from an initial position with
/// zero initial velocity, solved by GSL or exactly, observed by monitors at sample times.
public struct Simulation {
    public let field: any GradientField
    public let flow: any ContinuousFlow
    public let initialPosition: [Double]
    public let solver: Solver
    public let sampleTimes: SampleTimes
    public let monitors: [any Monitor]

    public init(field: any GradientField, flow: any ContinuousFlow, initialPosition: [Double],
                solver: Solver, sampleTimes: SampleTimes, monitors: [any Monitor]) throws {
        guard initialPosition.count == field.dimension else {
            throw InputError("initial state", value: "\(initialPosition.count) values",
                             allowed: "expected \(field.dimension)")
        }
        if let nesterov = flow as? NesterovFlow {
            if let bad = sampleTimes.values.first(where: { $0 > 0 && $0 < nesterov.startTime }) {
                throw InputError(.sampleTimes, value: "\(bad)",
                                 allowed: "Nesterov runs start at t0 = \(nesterov.startTime): sample at 0 or at times ≥ t0")
            }
        }
        if case .switching = solver {
            throw InputError(.solver, value: solver.name, allowed: "switching solvers run through SwitchingSimulation")
        }
        if case .exact = solver, !(field is FrozenKernelErrorModel) {
            throw InputError(.solver, value: "exact", allowed: "the exact solver needs the error model (--model errors)")
        }
        self.field = field
        self.flow = flow
        self.initialPosition = initialPosition
        self.solver = solver
        self.sampleTimes = sampleTimes
        self.monitors = monitors
    }

    public var columns: [String] { ["t"] + monitors.flatMap(\.columns) }

    /// Runs the simulation. A divergence or GSL failure ends the run early; the samples taken
    /// before it are returned with `earlyStop` set.
    public func run() throws -> Trajectory {
        var trajectory = Trajectory(columns: columns)
        let n = field.dimension, p = flow.order
        let state = DoubleBuffer(count: n * p)
        state.view.slice(0, n).assign(initialPosition)
        let scratch = DoubleBuffer(count: n)

        /// Records a sample; false when a monitored value overflowed (the run diverged).
        @discardableResult
        func record(_ t: Double, _ y: VectorView) -> Bool {
            let position = y.slice(0, n)
            let velocity: VectorView
            if p >= 2 {
                velocity = y.slice(n, n)
            } else {
                field.gradient(at: position, into: scratch.view)
                for i in 0..<n { scratch[i] = -scratch[i] }
                velocity = scratch.readOnly
            }
            let blocks = p >= 2 ? (0..<p).map { y.slice($0 * n, n) } : [position, velocity]
            let snapshot = StateSnapshot(time: t, position: position, velocity: velocity, field: field, flow: flow,
                                         derivatives: blocks)
            let row = [t] + monitors.flatMap { $0.measure(snapshot) }
            trajectory.rows.append(row)
            return snapshot.loss.isFinite && snapshot.pseudoLoss.isFinite
        }

        switch solver {
        case .exact:
            let eigen = try SymmetricEigensystem(field.kernel(at: state.readOnly))
            let solution = try ModalSolution(kernel: eigen, initialResidual: initialPosition, flow: flow)
            for t in sampleTimes.values {
                let derivatives = try solution.derivatives(at: t)
                for (j, block) in derivatives.enumerated() { state.view.slice(j * n, n).assign(block) }
                if !state.readOnly.isFinite || !record(t, state.readOnly) {
                    trajectory.earlyStop = .diverged(time: t)
                    break
                }
            }
        case .switching:
            preconditionFailure("rejected in init")
        case .gsl(let stepper, let tolerances):
            var startTime = 0.0
            var times = sampleTimes.values
            if let nesterov = flow as? NesterovFlow {
                // Series start at t0 (see NesterovFlow): x(t0) = x0 − a∇Φ, ẋ(t0) = −b∇Φ.
                if times.first == 0 {
                    guard record(0, state.readOnly) else {
                        trajectory.earlyStop = .diverged(time: 0)
                        return trajectory
                    }
                    times.removeFirst()
                }
                field.gradient(at: state.readOnly.slice(0, n), into: scratch.view)
                let (a, b) = nesterov.seriesStartFactors
                for i in 0..<n {
                    state[i] -= a * scratch[i]
                    state[n + i] = -b * scratch[i]
                }
                startTime = nesterov.startTime
            }
            let integrator = GSLIntegrator(stepper: stepper, tolerances: tolerances)
            let system = MomentumSystem(flow: flow, field: field)
            let (statistics, stop) = try integrator.integrate(
                system: system, state: state, startTime: startTime, sampleTimes: times,
                initialStep: min(1e-3, max(startTime, 1e-6))) { t, y in record(t, y) }
            trajectory.statistics = statistics
            trajectory.earlyStop = stop
        }
        return trajectory
    }
}
