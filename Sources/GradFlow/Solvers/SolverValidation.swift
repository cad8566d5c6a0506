extension Solver {
    /// Checks that this solver can solve `flow` on `model`; `solve` calls it, and front ends
    /// call it for every run before the first one starts.
    public func validate(for flow: any ContinuousFlow, on model: any Model) throws {
        guard model.supportedSolvers.contains(kind) else {
            let supported = SolverKind.allCases.filter { model.supportedSolvers.contains($0) }.map(\.rawValue)
            throw InputError(.solver, value: name, allowed: "the \(model.name) model supports \(supported.joined(separator: ", "))")
        }
        switch self {
        case .gsl(let stepper, _):
            if stepper.needsJacobian, try flow.force(on: model).constantJacobian == nil {
                throw InputError(.stepper, value: stepper.rawValue,
                                 allowed: "implicit steppers need the Jacobian, known only for models with a constant Hessian (errors, quadratic)")
            }
        case .exact:
            guard try flow.force(on: model).affine != nil, flow.modalForm != .none else {
                throw InputError(.solver, value: name, allowed: "the exact solver needs a constant kernel and a flow with a modal solution")
            }
        case .switching(let method, let eventTolerance):
            if model.pieceProducts != nil, case .gslEvents(let stepper, _) = method {
                try Solver.checkEventTolerance(eventTolerance)
                guard EventStepper.supported.contains(stepper) else {
                    throw InputError(.stepper, value: stepper.rawValue,
                                     allowed: "switching runs need an explicit one-step stepper: \(EventStepper.supported.map(\.rawValue).joined(separator: ", "))")
                }
                guard flow.isDrivenByGradient else {
                    throw InputError(.solver, value: name, allowed: "switching solvers build the gradient ∇L piece by piece; \(flow.name) is not driven by it: use gsl")
                }
                return
            }
            guard model.reluNetwork != nil else {
                throw InputError(.solver, value: name, allowed: "switching solvers need a ReLU network's weights")
            }
            if flow is any WeightKinkFollowing {
                // A flow with its own event solver on the weights (Newton flow, 002 §5.2): GSL
                // events only.
                guard case .gslEvents(let stepper, _) = method else {
                    throw InputError(.solver, value: name, allowed: "\(flow.name) flow on the weights supports gsl and events")
                }
                try Solver.checkEventTolerance(eventTolerance)
                guard EventStepper.supported.contains(stepper) else {
                    throw InputError(.stepper, value: stepper.rawValue,
                                     allowed: "switching runs need an explicit one-step stepper: \(EventStepper.supported.map(\.rawValue).joined(separator: ", "))")
                }
                return
            }
            guard flow.isDrivenByGradient else {
                throw InputError(.solver, value: name, allowed: "switching solvers build the gradient ∇L piece by piece; \(flow.name) is not driven by it: use gsl")
            }
            try Solver.checkEventTolerance(eventTolerance)
            switch method {
            case .gslEvents(let stepper, _):
                guard EventStepper.supported.contains(stepper) else {
                    throw InputError(.stepper, value: stepper.rawValue,
                                     allowed: "switching runs need an explicit one-step stepper: \(EventStepper.supported.map(\.rawValue).joined(separator: ", "))")
                }
            case .kinetic:
                guard KineticPiecesSolver.damping(of: flow) != nil else {
                    throw InputError(.flow, value: flow.name,
                                     allowed: "the kinetic solver supports gradient flow, hbf and nesterov; use exact-pieces or events")
                }
            case .exactPieces:
                if case .bessel(let gamma) = flow.modalForm {
                    guard gamma >= 1 else {
                        throw InputError(.gamma, value: "\(gamma)",
                                         allowed: "exact Nesterov pieces need γ ≥ 1 (Bessel order (γ−1)/2 ≥ 0); use --solver events for γ < 1")
                    }
                } else if !flow.isAutonomous {
                    throw InputError(.flow, value: flow.name,
                                     allowed: "exact pieces need constant coefficients (gradient flow, hbf, higher-order) or Nesterov's γ/t; use GSL events")
                }
            }
        }
    }
}

extension Solver {
    /// An event location tolerance must be a finite time > 0.
    public static func checkEventTolerance(_ tolerance: Double) throws {
        guard tolerance.isFinite, tolerance > 0 else {
            throw InputError(.eventTolerance, value: "\(tolerance)", allowed: "must be finite and > 0")
        }
    }

    /// An event tolerance for a run sampled at `times`: also shorter than the run (t_last >
    /// 0), since a switch located only to within the whole run is not located at all.
    public static func checkEventTolerance(_ tolerance: Double, within times: SampleTimes) throws {
        try checkEventTolerance(tolerance)
        if let last = times.values.last, last > 0, tolerance >= last {
            throw InputError(.eventTolerance, value: "\(tolerance)",
                             allowed: "must be shorter than the run (the last sample time \(last))")
        }
    }
}
