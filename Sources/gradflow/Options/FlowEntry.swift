import GradFlow

/// One entry of a `--flows` list, `NAME[:key=value]...` like a `--methods` entry: the flow
/// with the command line's flow parameters (`--friction`, `--gamma`, `--alpha`, `--t0`,
/// `--coefficients`), overridden by the entry's keys. A list of entries of one flow with
/// different keys is a list of parameters (`nesterov:gamma=3,nesterov:gamma=7`).
///
/// | flow | keys |
/// |---|---|
/// | `hbf` | `b` (the friction) |
/// | `nesterov` | `gamma`, `alpha`, `t0` |
/// | `higher-order` | `coefficients=b1/b2/…` |
/// | `gradient-flow`, `newton` | none |
struct FlowEntry {
    /// The entry as typed, for messages.
    let text: String
    /// The option it came from (`--flows`).
    let option: String
    let specification: FlowSpecification
    /// The entry's own keys and values, as typed, in the order of the keys' names.
    let keys: [(String, String)]

    /// The keys each flow takes.
    static let allowedKeys: [FlowSpecification.Kind: [String]] = [
        .gradientFlow: [], .heavyBall: ["b"], .nesterov: ["alpha", "gamma", "t0"], .higherOrder: ["coefficients"], .newton: [],
    ]

    /// Parses `text` on top of `base`, the command line's parameters for the entry's flow.
    init(_ text: String, option: String, base: (FlowSpecification.Kind) -> FlowSpecification) throws {
        let syntax = try KeyValueSyntax(text, input: option)
        guard let kind = FlowSpecification.Kind(rawValue: syntax.name) else {
            throw CommandLineInputError(message: "\(option): got \"\(syntax.name)\"; allowed: \(FlowSpecification.allowedNames)")
        }
        let allowed = Self.allowedKeys[kind] ?? []
        var specification = base(kind)
        let keys = syntax.options.sorted { $0.key < $1.key }
        for (key, value) in keys {
            guard allowed.contains(key) else {
                throw CommandLineInputError(message: "\(option) \(text): got key \"\(key)\"; \(kind.rawValue) takes "
                    + (allowed.isEmpty ? "no keys" : allowed.joined(separator: ", ")))
            }
            func number(_ v: String) throws -> Double {
                guard let x = Double(v), x.isFinite else {
                    throw CommandLineInputError(message: "\(option) \(text): got \(key)=\(value); \(key) must be a finite number"
                        + (key == "coefficients" ? " list b1/b2/…" : ""))
                }
                return x
            }
            switch key {
            case "b": specification.friction = try number(value)
            case "gamma": specification.gamma = try number(value)
            case "alpha": specification.alpha = try number(value)
            case "t0": specification.startTime = try number(value)
            default: specification.coefficients = try value.split(separator: "/", omittingEmptySubsequences: false).map { try number(String($0)) }
            }
        }
        self.text = text
        self.option = option
        self.specification = specification
        self.keys = keys.map { ($0.key, $0.value) }
    }

    /// An entry for a flow named by `--flow` (simulate): no keys.
    init(specification: FlowSpecification, option: String) {
        text = specification.kind.rawValue
        self.option = option
        self.specification = specification
        keys = []
    }

    /// The name of its files and table rows: the flow's name, then each key and its value
    /// (`nesterov-gamma7`; '/' in a list becomes '_'), so entries of one flow differ.
    func runName(flow: any ContinuousFlow) -> String {
        ([flow.name] + keys.map { "\($0.0)\($0.1.replacingOccurrences(of: "/", with: "_"))" }).joined(separator: "-")
    }

    /// The entry key of each flow parameter.
    private static let keyOfParameter: [String: String] = [
        Parameter.friction.key: "b", Parameter.gamma.key: "gamma", Parameter.alpha.key: "alpha",
        Parameter.startTime.key: "t0", Parameter.coefficients.key: "coefficients",
    ]

    /// The flow, its parameters validated; an invalid value names the entry as typed when the
    /// entry's key set it (and the flag, `--gamma` etc., otherwise).
    func build(lambda0: Double) throws -> any ContinuousFlow {
        do {
            return try specification.build(lambda0: lambda0)
        } catch let error as InputError {
            guard let key = Self.keyOfParameter[error.parameter.key], keys.contains(where: { $0.0 == key }) else { throw error }
            throw CommandLineInputError(message: "\(option) \(text): got \(key)=\(error.value); \(error.allowed)")
        }
    }
}
