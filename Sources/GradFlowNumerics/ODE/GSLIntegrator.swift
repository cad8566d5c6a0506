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
public enum EarlyStop: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state or its derivative became NaN or Inf at time t.
    case diverged(time: Double)
    /// GSL reported a failure (step size underflow, too many steps, …).
    case gslFailure(time: Double, message: String)

    public var time: Double {
        switch self {
        case .diverged(let t), .gslFailure(let t, _): return t
        }
    }

    public var description: String {
        switch self {
        case .diverged(let t): return "the run diverged (NaN or Inf) at t = \(t); samples up to then are kept"
        case .gslFailure(let t, let message): return "integration stopped at t = \(t): \(message); samples up to then are kept"
        }
    }
}

/// The Swift object a GSL callback reaches through `params`.
private final class CallbackContext {
    public let system: any FirstOrderSystem
    public var statistics = IntegrationStatistics()
    public var divergedAt: Double?

    public init(system: any FirstOrderSystem) { self.system = system }
}

private let rightHandSide: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, f, params in
    let context = Unmanaged<CallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let n = context.system.dimension
    context.statistics.evaluations += 1
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
/// control on y with the given tolerances), sampling at requested times.
///
/// The `gsl_odeiv2_system` lives on the heap for the driver's whole life (the driver keeps
/// its pointer), and GSL's abort handler is off: failures come back as `EarlyStop`.
public final class GSLIntegrator {
    public let stepper: Stepper
    public let tolerances: Tolerances
    /// The largest number of steps between two sample times.
    public let maxStepsPerSample: Int

    public init(stepper: Stepper, tolerances: Tolerances, maxStepsPerSample: Int = 10_000_000) {
        GSL.disableAbortOnError()
        self.stepper = stepper
        self.tolerances = tolerances
        self.maxStepsPerSample = maxStepsPerSample
    }

    /// Advances `state` from `startTime` through each of `sampleTimes` (increasing, all
    /// ≥ startTime), calling `observe` at each. Returns the statistics and, when the run
    /// stopped early, why. `observe` returns false to stop the run (for example when a
    /// monitored value overflowed). Samples observed before the stop are kept by the caller.
    public func integrate(system: any FirstOrderSystem, state: DoubleBuffer, startTime: Double,
                          sampleTimes: [Double], initialStep: Double = 1e-6,
                          observe: (Double, VectorView) throws -> Bool) throws -> (IntegrationStatistics, EarlyStop?) {
        precondition(state.count == system.dimension)
        if stepper.needsJacobian && !system.hasJacobian {
            throw InputError(.stepper, value: stepper.rawValue,
                             allowed: "implicit steppers need the Jacobian, known only for the error model (--model errors)")
        }
        let context = CallbackContext(system: system)
        let sys = UnsafeMutablePointer<gsl_odeiv2_system>.allocate(capacity: 1)
        defer { sys.deallocate() }
        sys.initialize(to: gsl_odeiv2_system(
            function: rightHandSide,
            jacobian: system.hasJacobian ? jacobianCallback : nil,
            dimension: system.dimension,
            params: Unmanaged.passUnretained(context).toOpaque()))
        let done: (IntegrationStatistics, EarlyStop?) = try withExtendedLifetime(context) {
            guard let driver = gsl_odeiv2_driver_alloc_y_new(sys, stepper.gslType, initialStep,
                                                              tolerances.absolute, tolerances.relative) else {
                throw GSLError(status: Int(GSL_ENOMEM), context: "gsl_odeiv2_driver_alloc_y_new")
            }
            defer { gsl_odeiv2_driver_free(driver) }
            gsl_odeiv2_driver_set_nmax(driver, UInt(maxStepsPerSample))
            var t = startTime
            var stop: EarlyStop?
            for target in sampleTimes {
                if target > t {
                    let status = gsl_odeiv2_driver_apply(driver, &t, target, state.base)
                    if status != GSL_SUCCESS {
                        if let td = context.divergedAt {
                            stop = .diverged(time: td)
                        } else {
                            stop = .gslFailure(time: t, message: String(cString: gsl_strerror(status)))
                        }
                        break
                    }
                }
                if !state.readOnly.isFinite { stop = .diverged(time: t); break }
                if try !observe(target, state.readOnly) { stop = .diverged(time: target); break }
            }
            context.statistics.steps = Int(driver.pointee.e.pointee.count)
            context.statistics.rejectedSteps = Int(driver.pointee.e.pointee.failed_steps)
            return (context.statistics, stop)
        }
        return done
    }
}
