/// How a run is solved.
public enum Solver: Sendable {
    /// GSL odeiv2 with a named stepper and tolerances.
    case gsl(stepper: Stepper, tolerances: Tolerances)
    /// The exact modal solution of the linear error model (frozen kernel only).
    case exact
    /// Weight runs of the ReLU network with every activation switch located (and Filippov
    /// sliding for gradient flow): GSL stepping with events, or exact pieces.
    case switching(method: SwitchingMethod, eventTolerance: Double)

    public var name: String {
        switch self {
        case .gsl(let stepper, _): return "gsl-\(stepper.rawValue)"
        case .exact: return "exact"
        case .switching(let method, _): return method.name
        }
    }
}
