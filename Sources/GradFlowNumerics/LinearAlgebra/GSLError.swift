@preconcurrency internal import CGSL

/// A failure reported by GSL, turned into a Swift error instead of GSL's default abort.
public struct GSLError: Error, CustomStringConvertible, Sendable {
    /// The GSL status code (`GSL_EDOM`, `GSL_EMAXITER`, ...).
    public let status: Int
    /// What was being done when GSL failed.
    public let context: String

    public var description: String {
        let reason = String(cString: gsl_strerror(Int32(status)))
        return "\(context): GSL error \(status) (\(reason))"
    }
}

/// Process-wide GSL configuration.
public enum GSL {
    /// The GSL version this binary runs against, e.g. "2.7.1".
    public static var version: String { String(cString: gradflow_gsl_version()) }

    /// Switches GSL's abort-on-error handler off, so that every GSL failure comes back
    /// as a status code that this library turns into a `GSLError`. Idempotent.
    public static func disableAbortOnError() {
        _ = handlerInstalled
    }

    private static let handlerInstalled: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Throws a `GSLError` when `status` is not `GSL_SUCCESS`.
    public static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        if Int(status) != GSL_SUCCESS {
            throw GSLError(status: Int(status), context: context())
        }
    }
}
