import ArgumentParser
import Foundation
import GradFlow

/// Options of the flows' parameters. Defaults are the flows' own.
struct FlowParameterOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "HBF friction b (default √(2λ0), 002 Theorem 2).")
    var friction: Double?

    @Option(parsing: .unconditional, help: "Nesterov damping γ in γ/t.")
    var gamma: Double = NesterovFlow.defaultGamma

    @Option(parsing: .unconditional, help: "Exponent α of the Nesterov energy V(t; α, γ) (default 2; 002 needs 2 ≤ α ≤ 2γ/3).")
    var alpha: Double?

    @Option(parsing: .unconditional, help: "Start time t0 of Nesterov runs, from the series solution (see README).")
    var t0: Double = NesterovFlow.defaultStartTime

    @Option(parsing: .unconditional, help: "Higher-order damping b_1,...,b_J (J ≥ 2), comma separated.")
    var coefficients: String?

    func validate() throws {
        _ = try parsedCoefficients()
    }

    private func parsedCoefficients() throws -> [Double] {
        guard let text = coefficients else { return [] }
        return try text.split(separator: ",", omittingEmptySubsequences: false).map {
            guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--coefficients: got \"\($0)\"; a comma-separated list of numbers")
            }
            return v
        }
    }

    /// The specification of a flow of this kind with these parameters.
    func specification(kind: FlowSpecification.Kind) -> FlowSpecification {
        var s = FlowSpecification(kind: kind)
        s.friction = friction
        s.gamma = gamma
        s.alpha = alpha
        s.startTime = t0
        s.coefficients = (try? parsedCoefficients()) ?? []
        return s
    }

    /// The entries of a comma-separated list of flows `NAME[:key=value]...` (`none`: no flow),
    /// each on top of these options' parameters.
    func specifications(list: String, option: String) throws -> [FlowEntry] {
        try list.listEntries().map { try FlowEntry($0, option: option, base: specification(kind:)) }
    }
}

/// Options of the solver and the sample times.
struct SolverOptions: ParsableArguments {
    @Option(help: "auto, gsl, exact, events, exact-pieces or kinetic (see README). auto: the model's choice per flow (network: kinetic for gradient flow, hbf and nesterov, exact-pieces for higher order, gsl for newton; trained-output and piecewise-linear: events for second-order flows, gsl otherwise; errors: gsl).")
    var solver: SolverChoice = .auto

    @Option(name: .customLong("event-tolerance"), parsing: .unconditional,
            help: "Weight runs with events or exact-pieces: each activation switch is located to within this time.")
    var eventTolerance: Double = SwitchingMethod.defaultEventTolerance

    @Option(help: "GSL stepper: \(Stepper.allowedNames).")
    var stepper: Stepper = .rkf45

    @Option(parsing: .unconditional, help: "Relative tolerance of the step control.")
    var rtol: Double = Tolerances.standard.relative

    @Option(parsing: .unconditional, help: "Absolute tolerance of the step control.")
    var atol: Double = Tolerances.standard.absolute

    @Option(parsing: .unconditional, help: "Sample times, comma separated (overrides --t-end/--points).")
    var times: String?

    @Option(name: .customLong("t-start"), parsing: .unconditional, help: "First sample time.")
    var tStart: Double = 0

    @Option(name: .customLong("t-end"), parsing: .unconditional, help: "Last sample time.")
    var tEnd: Double = 30

    @Option(parsing: .unconditional, help: "Number of sample times.")
    var points: Int = 61

    @Option(help: "Spacing of the sample times: linear or log.")
    var spacing: Spacing = .linear

    @Option(parsing: .unconditional, help: "OpenBLAS threads (1 is fastest on a loaded 2-core machine).")
    var threads: Int = 1

    @Option(name: .customLong("max-evaluations"), parsing: .unconditional,
            help: "Stop a run after this many evaluations (right-hand sides, gradients, or exact pieces), keeping its samples; exit status 1.")
    var maxEvaluations: Int = WorkLimits.defaultMaxEvaluations

    @Option(name: .customLong("max-wall"), parsing: .unconditional,
            help: "Stop a run after this many seconds of wall time, keeping its samples; exit status 1 (default: no limit).")
    var maxWall: Double?

    func validate() throws {
        _ = try validating { try Tolerances(relative: rtol, absolute: atol) }
        guard threads >= 1 else { throw ValidationError("--threads: got \(threads); need at least 1 thread") }
        let times = try validating { try sampleTimes() }
        try validating { try Solver.checkEventTolerance(eventTolerance, within: times) }
        _ = try validating { try workLimits() }
    }

    /// `--max-evaluations` and `--max-wall`.
    func workLimits() throws -> WorkLimits {
        try WorkLimits(maxEvaluations: maxEvaluations, maxWallSeconds: maxWall)
    }

    /// The solver for one flow on a model: `auto` is the model's choice for the flow.
    func makeSolver(for flow: any ContinuousFlow, model: any Model) throws -> Solver {
        let tolerances = try Tolerances(relative: rtol, absolute: atol)
        if stepper.needsJacobian && model.constantHessian == nil {
            throw CommandLineInputError(message: "--stepper: got \(stepper.rawValue); implicit steppers need the Jacobian, known only for models with a constant Hessian (--model errors or quadratic)")
        }
        let kind: SolverKind
        switch solver {
        case .auto: kind = model.automaticSolver(for: flow)
        case .gsl: kind = .gsl
        case .exact: kind = .exact
        case .events: kind = .events
        case .exactPieces: kind = .exactPieces
        case .kinetic: kind = .kinetic
        }
        let value: Solver
        switch kind {
        case .gsl: value = .gsl(stepper: stepper, tolerances: tolerances)
        case .exact: value = .exact
        case .events: value = .switching(method: .gslEvents(stepper: stepper, tolerances: tolerances), eventTolerance: eventTolerance)
        case .exactPieces: value = .switching(method: .exactPieces, eventTolerance: eventTolerance)
        case .kinetic: value = .switching(method: .kinetic, eventTolerance: eventTolerance)
        }
        try value.validate(for: flow, on: model)
        return value
    }

    func sampleTimes() throws -> SampleTimes {
        if let text = times {
            let values = try text.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--times: got \"\($0)\"; a comma-separated list of numbers")
                }
                return v
            }
            return try SampleTimes(list: values)
        }
        switch spacing {
        case .linear: return try .linear(from: tStart, to: tEnd, count: points)
        case .log: return try .logarithmic(from: tStart, to: tEnd, count: points)
        }
    }

    func applyThreads() {
        BLASThreads.set(threads)
    }
}
