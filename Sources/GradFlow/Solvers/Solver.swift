/// How a continuous run is solved.
public enum Solver: Sendable {
    /// GSL odeiv2 with a named stepper and tolerances.
    case gsl(stepper: Stepper, tolerances: Tolerances)
    /// The exact modal solution of a model with an affine gradient (the error model, the
    /// quadratic).
    case exact
    /// Weight runs of the ReLU network with every activation switch located (and Filippov
    /// sliding for gradient flow): GSL stepping with events, or exact pieces.
    case switching(method: SwitchingMethod, eventTolerance: Double)

    /// The name outputs record.
    public var name: String {
        switch self {
        case .gsl(let stepper, _): return "gsl-\(stepper.rawValue)"
        case .exact: return "exact"
        case .switching(let method, _): return method.name
        }
    }

    public var kind: SolverKind {
        switch self {
        case .gsl: return .gsl
        case .exact: return .exact
        case .switching(.gslEvents, _): return .events
        case .switching(.exactPieces, _): return .exactPieces
        case .switching(.kinetic, _): return .kinetic
        }
    }

    /// The step control's tolerances, when the solver has one.
    public var tolerances: Tolerances? {
        switch self {
        case .gsl(_, let t), .switching(.gslEvents(_, let t), _): return t
        case .exact, .switching(.exactPieces, _), .switching(.kinetic, _): return nil
        }
    }

    /// Observables the solver records after the monitors': switching solvers count the
    /// switches so far and the sliding pairs at each sample.
    public var extraObservables: [Observable] {
        if case .switching = self { return [.switchingEvents, .slidingPairs] }
        return []
    }

    /// The event location tolerance of switching solvers.
    public var eventTolerance: Double? {
        if case .switching(_, let e) = self { return e }
        return nil
    }
}

/// What `solve` runs: a continuous flow, or a discrete method on its flow's time axis.
public enum Dynamics: Sendable {
    case flow(any ContinuousFlow)
    case method(any DiscreteMethod)

    /// The flow whose energies the monitors evaluate: the flow itself, or the method's
    /// matching flow (gradient flow when it has none).
    public var observedFlow: any ContinuousFlow {
        switch self {
        case .flow(let flow): return flow
        case .method(let method): return method.matchingFlow ?? GradientFlow()
        }
    }

    public var name: String {
        switch self {
        case .flow(let flow): return flow.name
        case .method(let method): return method.name
        }
    }
}

/// Options of `solve`.
public struct SolveOptions {
    /// Discrete runs: the number of iterations K (default: the K whose time is nearest the
    /// last sample time).
    public var iterations: Int?
    /// Discrete runs: the sampled iterations (default: `discreteSampling`).
    public var sampleIterations: [Int]?
    /// Discrete runs without `sampleIterations`: every iteration 0…K (the default), or the
    /// iterations nearest the sample times (monitors run only there; the smallest loss and
    /// the first iteration at or below `lossLevel` still come from every iterate, through
    /// `Solution.iterateLosses`).
    public var discreteSampling = DiscreteSampling.everyIteration
    /// Discrete runs: the level ε whose first crossing `Solution.iterateLosses` records.
    public var lossLevel: Double?
    /// Keep the states x(t) at the samples in `Solution.states`.
    public var recordStates = false
    /// Keep every activation switch in `Solution.switchLog` (switching solvers).
    public var recordSwitches = false
    /// Called with the time and the position of every accepted state of a switching
    /// solver (a test hook: it copies the state at every step).
    public var acceptedStateObserver: ((Double, [Double]) -> Void)?
    /// Called after every sample with the time reached and the cost so far.
    public var progress: ((SolveProgress) -> Void)?
    /// Limits on the run's evaluations and wall time: a run that reaches one stops with
    /// `Solution.status == .stopped`, keeping its samples. Default `WorkLimits.standard`.
    public var limits = WorkLimits.standard

    public init() {}
}

/// How far a run has come, for progress reports.
public struct SolveProgress: Sendable {
    /// The time of the last sample.
    public var time: Double
    /// Right-hand-side or gradient evaluations so far.
    public var evaluations: Int
    /// Activation switches so far (switching solvers).
    public var switches: Int?
}
