/// An input of the library, named in the library's own vocabulary. A front end maps it
/// to what its user typed (the command line maps `.friction` to `--friction`).
///
/// Common inputs are static members; any other is written as a string literal, which
/// becomes its name. `detail` says where the value came from: the method text a key was
/// read from, or a file path.
public struct Parameter: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// Stable identifier, e.g. "friction" or "sampleTimes".
    public let key: String
    /// The text or file the value came from, if any.
    public let detail: String?

    public init(_ key: String, detail: String? = nil) {
        self.key = key
        self.detail = detail
    }

    public init(stringLiteral value: String) { self.init(value) }

    public init(stringInterpolation: DefaultStringInterpolation) {
        self.init(String(stringInterpolation: stringInterpolation))
    }

    public var description: String { detail.map { "\(key) \($0)" } ?? key }

    // Problem.
    public static let model: Parameter = "model"
    public static let samples: Parameter = "samples"
    public static let dimension: Parameter = "dimension"
    public static let labels: Parameter = "labels"
    public static let width: Parameter = "width"
    public static let seed: Parameter = "seed"
    public static let weightFiles: Parameter = "weightFiles"
    public static func data(_ path: String) -> Parameter { Parameter("data", detail: path) }
    public static func kernel(_ source: String) -> Parameter { Parameter("kernel", detail: source) }
    public static func initialError(_ path: String) -> Parameter { Parameter("initialError", detail: path) }
    // Flows.
    public static let flow: Parameter = "flow"
    public static let friction: Parameter = "friction"
    public static let gamma: Parameter = "gamma"
    public static let alpha: Parameter = "alpha"
    public static let startTime: Parameter = "startTime"
    public static let coefficients: Parameter = "coefficients"
    // Solvers and sampling.
    public static let solver: Parameter = "solver"
    public static let stepper: Parameter = "stepper"
    public static let tolerances: Parameter = "tolerances"
    public static let eventTolerance: Parameter = "eventTolerance"
    public static let sampleTimes: Parameter = "sampleTimes"
    public static let startOfTimes: Parameter = "startOfTimes"
    public static let endOfTimes: Parameter = "endOfTimes"
    public static let points: Parameter = "points"
    public static let maxEvaluations: Parameter = "maxEvaluations"
    public static let maxWallSeconds: Parameter = "maxWallSeconds"
    // Discrete methods.
    public static func method(_ text: String) -> Parameter { Parameter("method", detail: text) }
    public static let recipe: Parameter = "recipe"
}

/// Bad input: one line naming the input, the value given and what is allowed.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public let parameter: Parameter
    public let value: String
    public let allowed: String

    public init(_ parameter: Parameter, value: String, allowed: String) {
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
    }

    /// The input's name as the library knows it (a front end renders its own).
    public var input: String { parameter.description }

    public var description: String { "\(input): got \(value); \(allowed)" }
}

extension Parameter {
    /// The same input at a place inside its source, e.g. a line of its file.
    public func at(_ location: String) -> Parameter {
        Parameter(key, detail: detail.map { "\($0), \(location)" } ?? location)
    }
}
