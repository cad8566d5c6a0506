@preconcurrency internal import CGSL

/// Counts reported for every integration.
public struct IntegrationStatistics: Sendable, Equatable, Codable {
    /// Right-hand-side evaluations F(t, y).
    public var evaluations = 0
    /// Jacobian evaluations (implicit steppers only).
    public var jacobianEvaluations = 0
    /// Accepted steps.
    public var steps = 0
    /// Steps the controller rejected and retried with a smaller h.
    public var rejectedSteps = 0

    public init() {}
}

/// Why an integration stopped before its last sample time.
public enum EarlyStop: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The state or its derivative became NaN or Inf at time t.
    case diverged(time: Double)
    /// GSL reported a failure (step size underflow, too many steps, …).
    case gslFailure(time: Double, message: String)
    /// A `WorkLimits` limit (evaluations, wall time) stopped the run at time t.
    case limitReached(time: Double, message: String)

    public var time: Double {
        switch self {
        case .diverged(let t), .gslFailure(let t, _), .limitReached(let t, _): return t
        }
    }

    public var description: String {
        switch self {
        case .diverged(let t): return "the run diverged (NaN or Inf) at t = \(t); samples up to then are kept"
        case .gslFailure(let t, let message): return "integration stopped at t = \(t): \(message); samples up to then are kept"
        case .limitReached(let t, let message): return "the run stopped at t = \(t): \(message); samples up to then are kept"
        }
    }
}

/// The Swift object a GSL callback reaches through `params`.
private final class CallbackContext {
    public let system: any FirstOrderSystem
    public var statistics = IntegrationStatistics()
    public var divergedAt: Double?
    public var budget: WorkBudget?
    public var limitReason: String?

    public init(system: any FirstOrderSystem) { self.system = system }
}

private let rightHandSide: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, f, params in
    let context = Unmanaged<CallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let n = context.system.dimension
    context.statistics.evaluations += 1
    if let budget = context.budget, let reason = budget.exceeded(evaluations: context.statistics.evaluations) {
        context.limitReason = reason
        return Int32(GSL_EBADFUNC)
    }
    let out = MutableVectorView(f!, count: n)
    context.system.evaluate(t: t, state: VectorView(y!, count: n), derivative: out)
    for i in 0..<n where !out[i].isFinite {
        context.divergedAt = t
        return Int32(GSL_EBADFUNC)
    }
    return Int32(GSL_SUCCESS)
}

private let jacobianCallback: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, dfdy, dfdt, params in
    let context = Unmanaged<CallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let n = context.system.dimension
    context.statistics.jacobianEvaluations += 1
    let ok = context.system.jacobian(t: t, state: VectorView(y!, count: n),
                                     dfdy: MutableVectorView(dfdy!, count: n * n),
                                     dfdt: MutableVectorView(dfdt!, count: n))
    return ok ? Int32(GSL_SUCCESS) : Int32(GSL_EBADFUNC)
}

/// Integrates a `FirstOrderSystem` with a GSL odeiv2 driver (adaptive step, standard
/// control on y with the given tolerances), one target time at a time: the state lives in a
/// caller-owned buffer that `advance(to:)` moves in place.
///
/// The `gsl_odeiv2_system` lives on the heap for the driver's whole life (the driver keeps
/// its pointer), and GSL's abort handler is off: failures come back as `EarlyStop`.
public final class GSLDriver {
    public let stepper: Stepper
    public let tolerances: Tolerances
    /// The state y, advanced in place.
    public let state: DoubleBuffer
    /// The time the state is at.
    public private(set) var time: Double
    private let context: CallbackContext
    private let system: UnsafeMutablePointer<gsl_odeiv2_system>
    private let driver: UnsafeMutablePointer<gsl_odeiv2_driver>

    /// A driver for `system` from `state` at `startTime`; at most `maxStepsPerAdvance`
    /// steps between two targets.
    public init(system: any FirstOrderSystem, state: DoubleBuffer, startTime: Double, stepper: Stepper,
                tolerances: Tolerances, initialStep: Double, maxStepsPerAdvance: Int = 10_000_000,
                budget: WorkBudget? = nil) throws {
        precondition(state.count == system.dimension)
        GSL.disableAbortOnError()
        if stepper.needsJacobian && !system.hasJacobian {
            throw InputError(.stepper, value: stepper.rawValue,
                             allowed: "implicit steppers need the Jacobian, which this model does not give")
        }
        self.stepper = stepper
        self.tolerances = tolerances
        self.state = state
        time = startTime
        context = CallbackContext(system: system)
        context.budget = budget
        self.system = UnsafeMutablePointer<gsl_odeiv2_system>.allocate(capacity: 1)
        self.system.initialize(to: gsl_odeiv2_system(
            function: rightHandSide,
            jacobian: system.hasJacobian ? jacobianCallback : nil,
            dimension: system.dimension,
            params: Unmanaged.passUnretained(context).toOpaque()))
        guard let driver = gsl_odeiv2_driver_alloc_y_new(self.system, stepper.gslType, initialStep,
                                                          tolerances.absolute, tolerances.relative) else {
            self.system.deallocate()
            throw GSLError(status: Int(GSL_ENOMEM), context: "gsl_odeiv2_driver_alloc_y_new")
        }
        self.driver = driver
        gsl_odeiv2_driver_set_nmax(driver, UInt(maxStepsPerAdvance))
    }

    deinit {
        gsl_odeiv2_driver_free(driver)
        system.deallocate()
    }

    /// Evaluations, Jacobian evaluations, steps and rejected steps so far.
    public var statistics: IntegrationStatistics {
        var s = context.statistics
        s.steps = Int(driver.pointee.e.pointee.count)
        s.rejectedSteps = Int(driver.pointee.e.pointee.failed_steps)
        return s
    }

    /// Integrates to `target` (≥ the current time). Throws `EarlyStop` when GSL fails or the
    /// state or its derivative becomes NaN or Inf.
    public func advance(to target: Double) throws {
        if target > time {
            let status = gsl_odeiv2_driver_apply(driver, &time, target, state.base)
            if status != GSL_SUCCESS {
                if let td = context.divergedAt { throw EarlyStop.diverged(time: td) }
                if let reason = context.limitReason { throw EarlyStop.limitReached(time: time, message: reason) }
                throw EarlyStop.gslFailure(time: time, message: String(cString: gsl_strerror(status)))
            }
        }
        if !state.readOnly.isFinite { throw EarlyStop.diverged(time: time) }
    }
}
