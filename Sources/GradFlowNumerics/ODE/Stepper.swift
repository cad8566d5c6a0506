@preconcurrency internal import CGSL

/// The GSL odeiv2 steppers, chosen by name (GSL manual, "Stepping Functions").
public enum Stepper: String, CaseIterable, Sendable {
    case rk2, rk4, rkf45, rkck, rk8pd, msadams
    case rk1imp, rk2imp, rk4imp, bsimp, msbdf

    /// Implicit steppers need the Jacobian ∂f/∂y, known only for the linear error model.
    public var needsJacobian: Bool {
        switch self {
        case .rk1imp, .rk2imp, .rk4imp, .bsimp, .msbdf: return true
        default: return false
        }
    }

    var gslType: UnsafePointer<gsl_odeiv2_step_type> {
        switch self {
        case .rk2: return gsl_odeiv2_step_rk2
        case .rk4: return gsl_odeiv2_step_rk4
        case .rkf45: return gsl_odeiv2_step_rkf45
        case .rkck: return gsl_odeiv2_step_rkck
        case .rk8pd: return gsl_odeiv2_step_rk8pd
        case .msadams: return gsl_odeiv2_step_msadams
        case .rk1imp: return gsl_odeiv2_step_rk1imp
        case .rk2imp: return gsl_odeiv2_step_rk2imp
        case .rk4imp: return gsl_odeiv2_step_rk4imp
        case .bsimp: return gsl_odeiv2_step_bsimp
        case .msbdf: return gsl_odeiv2_step_msbdf
        }
    }

    public static var allowedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Step-size control tolerances: the local error estimate of each component y_i is kept
/// below absolute + relative·|y_i| (GSL's `gsl_odeiv2_control_y_new`).
public struct Tolerances: Sendable, Equatable {
    public var relative: Double
    public var absolute: Double

    /// The smallest relative tolerance > 0: machine epsilon. Each step rounds the state at
    /// about ε relative, so a smaller rtol cannot be met and the step size collapses.
    public static let minimumRelative = Double.ulpOfOne

    public init(relative: Double, absolute: Double) throws {
        guard relative.isFinite, relative >= 0, absolute.isFinite, absolute >= 0, relative + absolute > 0 else {
            throw InputError(.tolerances, value: "rtol \(relative), atol \(absolute)",
                             allowed: "both must be finite and ≥ 0, and not both 0")
        }
        // rtol ≥ 1 lets every step's error be as large as the state itself: no digit is
        // controlled. Below ε it cannot be met (see `minimumRelative`).
        guard relative < 1, relative == 0 || relative >= Tolerances.minimumRelative else {
            throw InputError(.tolerances, value: "rtol \(relative)",
                             allowed: "rtol must be 0 or in [\(Tolerances.minimumRelative), 1): below machine epsilon it cannot be met, at 1 or above nothing is controlled")
        }
        self.relative = relative
        self.absolute = absolute
    }

    private init(uncheckedRelative relative: Double, absolute: Double) {
        self.relative = relative
        self.absolute = absolute
    }

    /// The defaults: rtol 1e-6, atol 1e-9.
    public static let standard = Tolerances(uncheckedRelative: 1e-6, absolute: 1e-9)
}
