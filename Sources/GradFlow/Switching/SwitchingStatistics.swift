/// How a switching run is solved.
public enum SwitchingMethod: Sendable {
    /// GSL stepping with the activation pattern frozen inside every step (so the field is
    /// linear in W and smooth there), event location by fixed GSL steps from the step's
    /// start, and a stepper restart at every event. Explicit one-step steppers only
    /// (rk2, rk4, rkf45, rkck, rk8pd); the step control is GSL's standard control on y
    /// (maximum over components).
    case gslEvents(stepper: Stepper, tolerances: Tolerances)
    /// Piecewise-exact propagation: between switches the errors obey linear ODEs with a
    /// constant kernel, solved mode by mode; the weights are recovered from them and the next
    /// switch is found by root-finding on the explicit pre-activations z_ri(t). Gradient flow
    /// (with sliding), heavy ball and higher-order momentum; not Nesterov (its γ/t damping
    /// makes the pieces non-autonomous).
    case exactPieces
    /// Kinetic exact switching (`KineticPiecesSolver`): the errors' Taylor series between
    /// switches, every neuron in closed form from their running integrals, and a priority
    /// queue of per-pair safe times, so that a switch costs O(Kn² + nd) instead of a rescan.
    /// Gradient flow (with Filippov sliding) and heavy ball with constant friction.
    case kinetic

    /// The default event location tolerance, 1e-8 in time.
    public static let defaultEventTolerance = 1e-8

    public var name: String {
        switch self {
        case .gslEvents(let stepper, _): return "gsl-events-\(stepper.rawValue)"
        case .exactPieces: return "exact-pieces"
        case .kinetic: return "kinetic"
        }
    }
}

/// What a switching run did and cost.
///
/// Events. A switching event is one pair (i, r) changing its mode: a transversal crossing of
/// z_ri = 0 (active ↔ inactive), an entry into sliding on z_ri = 0, or an exit from sliding.
/// `events` = `crossings` + `slidingEntries` + `slidingExits`; `eventTimes` counts the
/// instants at which the integration stopped for events (several pairs can switch within one
/// event tolerance and are handled together).
///
/// Sliding time. `slidingPairTime` = ∫ (number of sliding pairs) dt, in pair·time units;
/// `slidingTime` = the measure of {t : at least one pair slides}. Both are 0 for flows of
/// order ≥ 2, whose velocity is continuous so that they cross the surfaces transversally.
public struct SwitchingStatistics: Sendable, Codable, Equatable {
    /// `SwitchingMethod.name`.
    public var method: String = ""
    /// The error norm of the step control ("max" for GSL's standard control, "none" for
    /// exact pieces).
    public var errorNorm: String = ""
    /// The event location tolerance, in time units.
    public var eventTolerance: Double = 0
    public var events = 0
    public var crossings = 0
    public var slidingEntries = 0
    public var slidingExits = 0
    public var eventTimes = 0
    public var slidingPairTime = 0.0
    public var slidingTime = 0.0
    /// The largest number of pairs sliding at once.
    public var maxSlidingPairs = 0
    /// Right-hand-side evaluations (GSL stages, derivatives at accepted states and at events).
    /// Exact pieces evaluate no right-hand side: 0.
    public var evaluations = 0
    /// Accepted controlled steps (GSL) or grid intervals scanned (exact pieces).
    public var steps = 0
    /// Steps the controller rejected.
    public var rejectedSteps = 0
    /// Fixed steps taken to locate events (GSL) or exact evaluations of single
    /// pre-activations during root-finding (exact pieces).
    public var locationSteps = 0
    /// Pieces of constant pattern (exact pieces; 0 for GSL).
    public var pieces = 0
    /// Wall-clock seconds of `run()`, monitors included.
    public var wallSeconds = 0.0

    public init() {}

    mutating func add(_ c: SwitchCounts) {
        crossings += c.crossings
        slidingEntries += c.entries
        slidingExits += c.exits
        events += c.crossings + c.entries + c.exits
    }

    mutating func accountSliding(pairs: Int, over dt: Double) {
        guard pairs > 0, dt > 0 else { return }
        slidingPairTime += Double(pairs) * dt
        slidingTime += dt
    }
}

/// Mode changes applied at one event.
struct SwitchCounts {
    var crossings = 0
    var entries = 0
    var exits = 0
    var total: Int { crossings + entries + exits }
}

extension SwitchingStatistics {
    /// These statistics with `evaluations` set (a stepped solver counts them in its stepper).
    func counting(evaluations e: Int) -> SwitchingStatistics {
        var s = self
        s.evaluations = e
        return s
    }
}
