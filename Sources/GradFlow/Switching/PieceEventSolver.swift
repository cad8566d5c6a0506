import Foundation

/// GSL stepping of a flow on a two-layer network whose activation is piecewise linear (002 §6:
/// leaky ReLU, any breakpoints and slopes) or whose output layer is trained with W (002 §5.3),
/// with every kink located: the models of `TwoLayerProducts`.
///
/// Inside a step every pair (i, r) is held on the piece of σ that held z_ri at the step's start
/// (`TwoLayerProducts.holdPieces`), so GSL integrates a smooth field (002 eq. 3.3, 4.3 and the
/// higher-order flows with σ replaced by the held affine pieces). After each accepted step the
/// solver checks every z_ri against its piece; if one left it, the crossing is located with
/// fixed GSL steps from the step's start (interpolation of the pairs' margins, safeguarded by
/// bisection) to within the event tolerance, and the step ends at the bracket's far end, where the
/// pairs that crossed move to their new pieces and the stepper restarts. The loss, its
/// gradient and every monitor are continuous across a kink, only the field's derivative jumps.
///
/// Gradient flow can slide along a kink (both one-sided fields push into it, as for ReLU in
/// 002 §4): this solver does not follow sliding, and stops with an input error when a pair
/// that just crossed is pushed back at once. A pair that leaves its piece and returns within
/// one step (a graze) is not seen; the step control keeps such excursions at the tolerance.
final class PieceEventSolver: HeldPieceStepping {
    let products: TwoLayerProducts
    let system: MomentumSystem
    let stepper: EventStepper
    let eventTolerance: Double
    let order: Int
    let blockSize: Int
    var statistics = SwitchingStatistics()
    var budget: WorkBudget?
    /// Every switch (time, pair) when logging.
    var eventLog: [SwitchEvent]?
    var t: Double
    let y: DoubleBuffer
    let dydt: DoubleBuffer
    var dydtValid = false
    let start: DoubleBuffer
    let startDydt: DoubleBuffer
    private let trial: DoubleBuffer
    private let far: DoubleBuffer
    private let near: DoubleBuffer
    var h: Double

    init(model: any Model, products: TwoLayerProducts, flow: any ContinuousFlow, stepper: Stepper, tolerances: Tolerances,
         eventTolerance: Double, startTime: Double, initialState: [Double], initialStep: Double) throws {
        self.products = products
        system = try MomentumSystem(flow: flow, field: model)
        self.stepper = try EventStepper(stepper: stepper, tolerances: tolerances, system: system)
        self.eventTolerance = eventTolerance
        order = flow.order
        blockSize = model.dimension
        precondition(initialState.count == system.dimension)
        t = startTime
        h = initialStep
        y = DoubleBuffer(initialState)
        dydt = DoubleBuffer(count: system.dimension)
        start = DoubleBuffer(count: system.dimension)
        startDydt = DoubleBuffer(count: system.dimension)
        trial = DoubleBuffer(count: system.dimension)
        far = DoubleBuffer(count: system.dimension)
        near = DoubleBuffer(count: system.dimension)
        statistics.method = SwitchingMethod.gslEvents(stepper: stepper, tolerances: tolerances).name
        statistics.errorNorm = "max (GSL standard control)"
        statistics.eventTolerance = eventTolerance
        statistics.pieces = 1
        products.holdPieces(at: position(y))
    }

    private func position(_ b: DoubleBuffer) -> VectorView { b.readOnly.slice(0, blockSize) }

    /// The velocity block of the current state (for gradient flow: −∇L with the held pieces).
    func currentVelocity() -> [Double] {
        if order >= 2 { return Array(y.array[blockSize..<(2 * blockSize)]) }
        var g = [Double](repeating: 0, count: blockSize)
        position(y).array.withView { w in g.withMutableView { system.field.gradient(at: w, into: $0) } }
        return g.map { -$0 }
    }

    func pairsLeftTheirPieces() -> [Int] { products.pairsOffTheirPieces(at: position(y)) }

    /// The earliest kink in (t0, t0 + length] by fixed steps from `start` on a bracket
    /// [lo, hi] (valid at lo, some pair off its piece at hi): the next trial is the earliest
    /// crossing estimated by linear interpolation of the off pairs' margins on the bracket, plus
    /// half the tolerance, with bisection when that does not shrink the bracket enough. The
    /// event is accepted at hi once the estimate lies within the tolerance before hi (or the
    /// bracket is that narrow); the state moves there and the pairs off their pieces switch.
    func locate(from t0: Double, length: Double, offAtEnd: [Int]) throws {
        var lo = 0.0, hi = length
        far.copyContents(from: y)
        near.copyContents(from: start)
        var candidates = offAtEnd
        var bisectNext = false
        while hi - lo > eventTolerance {
            var estimate = hi
            for k in candidates {
                let piece = Int(products.heldPieces[k])
                let a = products.activation.margin(products.preactivation(pair: k, at: position(near)), onPiece: piece)
                let b = products.activation.margin(products.preactivation(pair: k, at: position(far)), onPiece: piece)
                if a > 0, b < 0 { estimate = min(estimate, lo + (hi - lo) * a / (a - b)) }
            }
            if hi - estimate <= eventTolerance { break }
            var next = min(estimate + 0.5 * eventTolerance, hi)
            if bisectNext || !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if next <= lo || next >= hi { break }
            guard stepper.fixedStep(t: t0, h: next, from: start, dydt: startDydt, into: trial) else {
                throw EarlyStop.diverged(time: t0 + next)
            }
            statistics.locationSteps += 1
            let off = products.pairsOffTheirPieces(at: position(trial))
            let width = hi - lo
            if off.isEmpty {
                lo = next
                near.copyContents(from: trial)
            } else {
                hi = next
                far.copyContents(from: trial)
                candidates = off
            }
            // The interpolation must halve the bracket at least every other trial.
            bisectNext = !bisectNext && hi - lo > 0.5 * width
        }
        // `candidates` are always the pairs off their pieces at `far`.
        y.copyContents(from: far)
        t = t0 + hi
        let switched = candidates
        var previous: [(pair: Int, piece: Int)] = []
        for k in switched {
            let z = products.preactivation(pair: k, at: position(y))
            previous.append((k, Int(products.heldPieces[k])))
            products.setPiece(k, to: products.activation.piece(z))
            eventLog?.append(SwitchEvent(time: t, sample: k / products.m, neuron: k % products.m, kind: .crossing))
        }
        statistics.add(SwitchCounts(crossings: switched.count))
        statistics.eventTimes += 1
        statistics.pieces += 1
        stepper.reset()
        if order == 1 { try refuseSliding(previous) }
    }

    /// Gradient flow: a pair whose rate on its new piece points back to the piece it left is
    /// pushed into the kink from both sides (Filippov sliding), which this solver does not
    /// follow.
    private func refuseSliding(_ switched: [(pair: Int, piece: Int)]) throws {
        guard stepper.derivative(t: t, y: y, into: dydt) else { throw EarlyStop.diverged(time: t) }
        dydtValid = true
        let velocity = dydt.readOnly.slice(0, blockSize)
        for (k, old) in switched {
            let rate = products.preactivation(pair: k, at: velocity)
            let new = Int(products.heldPieces[k])
            if (new > old && rate < 0) || (new < old && rate > 0) {
                throw InputError(.solver, value: "events",
                                 allowed: "gradient flow enters Filippov sliding on a kink at t = \(t) (sample \(k / products.m), neuron \(k % products.m)), which the events solver of this model does not follow; use --solver gsl")
            }
        }
    }
}
