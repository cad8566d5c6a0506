@preconcurrency internal import CGSL

/// The Swift object a GSL callback of an `EventStepper` reaches through `params`.
private final class EventCallbackContext {
    public let system: any FirstOrderSystem
    public var evaluations = 0
    public var failed = false

    public init(system: any FirstOrderSystem) { self.system = system }
}

private let eventRightHandSide: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, f, params in
    let context = Unmanaged<EventCallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let n = context.system.dimension
    context.evaluations += 1
    let out = MutableVectorView(f!, count: n)
    context.system.evaluate(t: t, state: VectorView(y!, count: n), derivative: out)
    if !allFinite(out.base, count: n) {
        context.failed = true
        return Int32(GSL_EBADFUNC)
    }
    return Int32(GSL_SUCCESS)
}

/// True when every value is finite: x·0 is 0 for finite x and NaN for ±Inf and NaN, and a
/// NaN lane survives the sum.
@inline(__always)
private func allFinite(_ p: UnsafeMutablePointer<Double>, count: Int) -> Bool {
    let raw = UnsafeRawPointer(p)
    let stride = MemoryLayout<Double>.stride
    var lanes = SIMD8<Double>()
    var k = 0
    while k + 8 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self) * 0
        k += 8
    }
    var s = lanes.sum()
    while k < count {
        s += p[k] * 0
        k += 1
    }
    return s == 0
}

/// One GSL explicit Runge–Kutta stepper (`gsl_odeiv2_step`) with GSL's standard step-size
/// control on y (`gsl_odeiv2_control_y_new`: the error of every component below
/// atol + rtol·|y_i|, maximum over components), driven one step at a time.
///
/// GSL has no event location, so the switching solvers drive it themselves: a controlled
/// `attempt` from an accepted state, then — when the step crossed a switching surface —
/// `fixedStep`s of chosen lengths from the same start to locate the crossing, and `reset`
/// after the pattern changed. The derivative at the start of a step is passed in (all
/// explicit RK steppers of GSL use it as their first stage), so a step of an s-stage method
/// costs s − 1 evaluations and the derivative at each accepted state costs one.
public final class EventStepper {
    public let stepper: Stepper
    public let tolerances: Tolerances
    public let dimension: Int
    private let context: EventCallbackContext
    private let system: UnsafeMutablePointer<gsl_odeiv2_system>
    private let step: UnsafeMutablePointer<gsl_odeiv2_step>
    private let control: UnsafeMutablePointer<gsl_odeiv2_control>
    private let backup: DoubleBuffer
    private let error: DoubleBuffer

    /// The explicit steppers this class accepts (no Jacobian, no history across steps).
    public static let supported: [Stepper] = [.rk2, .rk4, .rkf45, .rkck, .rk8pd]

    public init(stepper: Stepper, tolerances: Tolerances, system: any FirstOrderSystem) throws {
        guard Self.supported.contains(stepper) else {
            throw InputError(.stepper, value: stepper.rawValue,
                             allowed: "switching runs restart the stepper at every event and locate events with fixed steps from an accepted state: use an explicit one-step method (\(Self.supported.map(\.rawValue).joined(separator: ", ")))")
        }
        GSL.disableAbortOnError()
        self.stepper = stepper
        self.tolerances = tolerances
        dimension = system.dimension
        context = EventCallbackContext(system: system)
        self.system = UnsafeMutablePointer<gsl_odeiv2_system>.allocate(capacity: 1)
        self.system.initialize(to: gsl_odeiv2_system(
            function: eventRightHandSide, jacobian: nil, dimension: system.dimension,
            params: Unmanaged.passUnretained(context).toOpaque()))
        guard let s = gsl_odeiv2_step_alloc(stepper.gslType, system.dimension) else {
            self.system.deallocate()
            throw GSLError(status: Int(GSL_ENOMEM), context: "gsl_odeiv2_step_alloc")
        }
        guard let c = gsl_odeiv2_control_y_new(tolerances.absolute, tolerances.relative) else {
            gsl_odeiv2_step_free(s)
            self.system.deallocate()
            throw GSLError(status: Int(GSL_ENOMEM), context: "gsl_odeiv2_control_y_new")
        }
        step = s
        control = c
        backup = DoubleBuffer(count: system.dimension)
        error = DoubleBuffer(count: system.dimension)
    }

    deinit {
        gsl_odeiv2_control_free(control)
        gsl_odeiv2_step_free(step)
        system.deallocate()
    }

    /// Right-hand-side evaluations so far (GSL's stages and `derivative` calls).
    public var evaluations: Int { context.evaluations }

    /// True once an evaluation produced NaN or Inf.
    public var failed: Bool { context.failed }

    /// out ← F(t, y); false when F is not finite.
    public func derivative(t: Double, y: DoubleBuffer, into out: DoubleBuffer) -> Bool {
        eventRightHandSide(t, UnsafePointer(y.base), out.base, Unmanaged.passUnretained(context).toOpaque())
            == Int32(GSL_SUCCESS)
    }

    public enum Attempt {
        /// The step was accepted; y holds the new state; `next` is the controller's proposal
        /// for the following step.
        case accepted(next: Double)
        /// The error was too large; y is restored; retry with `retry`.
        case rejected(retry: Double)
        /// The stepper or the right-hand side failed; y is restored.
        case failed(status: Int32)
    }

    /// One controlled step of length h from (t, y) with dydt = F(t, y). On acceptance y is
    /// overwritten with the new state. `saved`, when given, already holds a copy of y (it is
    /// used to restore y instead of a copy of its own).
    public func attempt(t: Double, h: Double, y: DoubleBuffer, dydt: DoubleBuffer, saved: DoubleBuffer? = nil) -> Attempt {
        let n = dimension
        let backup = saved ?? self.backup
        if saved == nil { backup.base.update(from: y.base, count: n) }
        let status = gsl_odeiv2_step_apply(step, t, h, y.base, error.base, UnsafePointer(dydt.base), nil, system)
        if status != GSL_SUCCESS {
            y.base.update(from: backup.base, count: n)
            return .failed(status: status)
        }
        var hNew = h
        let adjust = gsl_odeiv2_control_hadjust(control, step, UnsafePointer(y.base), UnsafePointer(error.base),
                                                UnsafePointer(dydt.base), &hNew)
        if adjust == GSL_ODEIV_HADJ_DEC {
            y.base.update(from: backup.base, count: n)
            // As gsl_odeiv2_evolve_apply: a decrease that no longer moves t is a failure.
            if abs(hNew) < abs(h) && t + hNew != t { return .rejected(retry: hNew) }
            return .failed(status: Int32(GSL_FAILURE))
        }
        return .accepted(next: hNew)
    }

    /// One uncontrolled step of length h from (t, y0) with dydt0 = F(t, y0), written into y.
    public func fixedStep(t: Double, h: Double, from y0: DoubleBuffer, dydt: DoubleBuffer, into y: DoubleBuffer) -> Bool {
        y.base.update(from: y0.base, count: dimension)
        let status = gsl_odeiv2_step_apply(step, t, h, y.base, error.base, UnsafePointer(dydt.base), nil, system)
        return status == GSL_SUCCESS
    }

    /// Forgets the stepper's internal state (after a pattern change).
    public func reset() {
        gsl_odeiv2_step_reset(step)
    }

    /// The stepper's order (for the record).
    public var order: Int { Int(gsl_odeiv2_step_order(step)) }
}

extension DoubleBuffer {
    /// Copies all elements of `other` (same count) into this buffer.
    public func copyContents(from other: DoubleBuffer) {
        precondition(other.count == count)
        base.update(from: other.base, count: count)
    }
}
