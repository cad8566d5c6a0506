import Foundation
import ArgumentParser
import GradFlow
import GradFlowExport

/// Options of the flows' parameters.
struct FlowParameterOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "HBF friction b (default √(2λ0), 002 Theorem 2).")
    var friction: Double?

    @Option(parsing: .unconditional, help: "Nesterov damping γ in γ/t.")
    var gamma: Double = 3

    @Option(parsing: .unconditional, help: "Exponent α of the Nesterov energy V(t; α, γ) (default 2; 002 needs 2 ≤ α ≤ 2γ/3).")
    var alpha: Double?

    @Option(parsing: .unconditional, help: "Start time t0 of Nesterov runs, from the series solution (see README).")
    var t0: Double = 1e-6

    @Option(parsing: .unconditional, help: "Higher-order damping b_1,...,b_J (J ≥ 2), comma separated.")
    var coefficients: String?

    /// Specifications for a comma-separated list of flow names.
    func specifications(list: String) throws -> [FlowSpecification] {
        try list.split(separator: ",").map { try specification(kind: String($0).trimmingCharacters(in: .whitespaces)) }
    }

    func specification(kind name: String) throws -> FlowSpecification {
        guard let kind = FlowSpecification.Kind(rawValue: name) else {
            throw InputError("--flow", value: name, allowed: "allowed: \(FlowSpecification.allowedNames)")
        }
        var s = FlowSpecification(kind: kind)
        s.friction = friction
        s.gamma = gamma
        s.alpha = alpha
        s.startTime = t0
        if let text = coefficients {
            s.coefficients = try text.split(separator: ",").map {
                guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError("--coefficients", value: "\"\($0)\"", allowed: "a comma-separated list of numbers")
                }
                return v
            }
        }
        return s
    }
}

/// Options of the solver and the sample times.
struct SolverOptions: ParsableArguments {
    @Option(help: "auto, gsl, exact, events or exact-pieces (see README). auto: exact-pieces for weight runs of gradient flow, hbf and higher order, events for Nesterov, gsl for error runs.")
    var solver: String = "auto"

    @Option(name: .customLong("event-tolerance"), parsing: .unconditional,
            help: "Weight runs with events or exact-pieces: each activation switch is located to within this time.")
    var eventTolerance: Double = 1e-8

    @Option(help: "GSL stepper: \(Stepper.allowedNames).")
    var stepper: String = "rkf45"

    @Option(parsing: .unconditional, help: "Relative tolerance of the step control.")
    var rtol: Double = 1e-6

    @Option(parsing: .unconditional, help: "Absolute tolerance of the step control.")
    var atol: Double = 1e-9

    @Option(parsing: .unconditional, help: "Sample times, comma separated (overrides --t-end/--points).")
    var times: String?

    @Option(name: .customLong("t-start"), parsing: .unconditional, help: "First sample time.")
    var tStart: Double = 0

    @Option(name: .customLong("t-end"), parsing: .unconditional, help: "Last sample time.")
    var tEnd: Double = 30

    @Option(parsing: .unconditional, help: "Number of sample times.")
    var points: Int = 61

    @Option(help: "Spacing of the sample times: linear or log.")
    var spacing: String = "linear"

    @Option(parsing: .unconditional, help: "OpenBLAS threads (1 is fastest on a loaded 2-core machine).")
    var threads: Int = 1

    /// The solver for one flow: `auto` resolves per flow and state (the measured fastest).
    func makeSolver(for flow: any ContinuousFlow, state: ProblemSpecification.StateKind) throws -> Solver {
        guard rtol.isFinite, rtol >= 0 else {
            throw InputError("--rtol", value: "\(rtol)", allowed: "must be finite and ≥ 0")
        }
        guard atol.isFinite, atol >= 0 else {
            throw InputError("--atol", value: "\(atol)", allowed: "must be finite and ≥ 0")
        }
        guard let stepperValue = Stepper(rawValue: stepper) else {
            throw InputError("--stepper", value: stepper, allowed: "allowed: \(Stepper.allowedNames)")
        }
        let tolerances = try Tolerances(relative: rtol, absolute: atol)
        guard eventTolerance.isFinite, eventTolerance > 0 else {
            throw InputError("--event-tolerance", value: "\(eventTolerance)", allowed: "must be finite and > 0")
        }
        if stepperValue.needsJacobian && state == .network {
            throw InputError("--stepper", value: stepper,
                             allowed: "implicit steppers need the Jacobian, known only for the error model (--model errors)")
        }
        var choice = solver
        if choice == "auto" {
            choice = state == .errors ? "gsl" : (flow.isAutonomous ? "exact-pieces" : "events")
        }
        switch choice {
        case "gsl": return .gsl(stepper: stepperValue, tolerances: tolerances)
        case "exact": return .exact
        case "events", "exact-pieces":
            guard state == .network else {
                throw InputError("--solver", value: choice, allowed: "events and exact-pieces are for weight runs (--model network)")
            }
            let method: SwitchingMethod = choice == "events" ? .gslEvents(stepper: stepperValue, tolerances: tolerances) : .exactPieces
            return .switching(method: method, eventTolerance: eventTolerance)
        default:
            throw InputError("--solver", value: solver, allowed: "allowed: auto, gsl, exact, events, exact-pieces")
        }
    }

    /// Checks the solver options once before any run (with a representative flow).
    func validate(state: ProblemSpecification.StateKind) throws {
        _ = try makeSolver(for: GradientFlow(), state: state)
    }

    func sampleTimes() throws -> SampleTimes {
        if let text = times {
            let values = try text.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError("--times", value: "\"\($0)\"", allowed: "a comma-separated list of numbers")
                }
                return v
            }
            return try SampleTimes(list: values)
        }
        switch spacing {
        case "linear": return try .linear(from: tStart, to: tEnd, count: points)
        case "log": return try .logarithmic(from: tStart, to: tEnd, count: points)
        default: throw InputError("--spacing", value: spacing, allowed: "allowed: linear, log")
        }
    }

    func applyThreads() throws {
        guard threads >= 1 else { throw InputError("--threads", value: "\(threads)", allowed: "need at least 1 thread") }
        BLASThreads.set(threads)
    }
}
