/// The GSL stepping loop of the event solvers that hold every pair on its piece inside a step
/// (`PieceEventSolver`, `NewtonEventSolver`): attempt a step from the saved start; on rejection
/// retry shorter; on acceptance ask which pairs left their pieces, and if any, locate the
/// earliest kink in the step (the solver's `locate`), else move on. The solvers differ only in
/// what "left its piece" means and in what an accepted step without a kink records.
protocol HeldPieceStepping: AnyObject {
    var stepper: EventStepper { get }
    var budget: WorkBudget? { get }
    var statistics: SwitchingStatistics { get set }
    var eventTolerance: Double { get }
    var t: Double { get set }
    var h: Double { get set }
    var y: DoubleBuffer { get }
    var dydt: DoubleBuffer { get }
    var dydtValid: Bool { get set }
    /// The state and derivative at the step's start (a located kink restarts from them).
    var start: DoubleBuffer { get }
    var startDydt: DoubleBuffer { get }
    /// The pairs off their held pieces at the accepted step's end, `y`.
    func pairsLeftTheirPieces() -> [Int]
    /// An accepted step of `length` with no kink in it.
    func advanced(over length: Double)
    /// Locates the earliest kink in (t0, t0 + length], moves the state there and switches.
    func locate(from t0: Double, length: Double, offAtEnd: [Int]) throws
}

extension HeldPieceStepping {
    func advanced(over length: Double) {}

    func advance(to target: Double) throws {
        while t < target {
            try budget?.check(evaluations: stepper.evaluations, time: t)
            if !dydtValid {
                guard stepper.derivative(t: t, y: y, into: dydt) else { throw EarlyStop.diverged(time: t) }
                dydtValid = true
            }
            let length = min(h, target - t)
            let reaches = length == target - t
            start.copyContents(from: y)
            startDydt.copyContents(from: dydt)
            switch stepper.attempt(t: t, h: length, y: y, dydt: dydt, saved: start) {
            case .rejected(let retry):
                statistics.rejectedSteps += 1
                h = retry
                continue
            case .failed:
                throw EarlyStop.diverged(time: t)
            case .accepted(let next):
                statistics.steps += 1
                dydtValid = false
                let off = pairsLeftTheirPieces()
                if off.isEmpty {
                    advanced(over: length)
                    t = reaches ? target : t + length
                    h = next
                    continue
                }
                try locate(from: t, length: length, offAtEnd: off)
                h = max(length, 16 * eventTolerance)
            }
        }
    }
}
