/// A discrete method as a user names it: a name and `key=value` options (on the command
/// line `NAME[:key=value]...`):
///
/// | name | keys | method |
/// |---|---|---|
/// | `gd` | `eta` or `recipe` | gradient descent |
/// | `hb` | `eta`, `beta` or `recipe`; `form=difference\|buffer` | Polyak heavy ball |
/// | `nag` | `eta`, `beta` or `recipe`; `start=two-sequence\|one-line` | NAG, constant β |
/// | `nag-gamma` | `eta`, `gamma` (default 3) | NAG, β_k = (k−1)/(k+γ−1) |
/// | `nag-sc` | `eta`; `start` | NAG-SC, β from λ0 |
/// | `multi` | `eta`, `betas=b1/b2/...` | multi-momentum |
/// | `gdm` | `eta`, `gamma` | GD+M, exponential moving average (004) |
/// | `gauss-newton` | `eta` (default 1) | per-neuron Gauss–Newton (weights only) |
/// | `discretized` | `flow=gradient-flow\|hbf\|nesterov\|higher-order`, `h`; `b`, `gamma`, `coefficients=b1/b2/…` | explicit finite differences of a flow; the flow's parameters are the run's (`flowParameters`) unless these keys set them |
///
/// `recipe=NAME` computes η and β from the spectrum (see `ParameterRecipe`): the papers'
/// theorem recipes use H^∞, their experiment recipes (`000-experiment`, `001-experiment`) H(0);
/// `kernel=hinf|h0` overrides that.
public struct MethodSpecification: Sendable {
    public let text: String
    public let name: String
    public let options: [String: String]

    public static let names = ["gd", "hb", "nag", "nag-gamma", "nag-sc", "multi", "gdm", "gauss-newton", "discretized"]

    /// A method by name with its `key=value` options; `text` is what the user wrote, for
    /// messages. (The command line splits `NAME[:key=value]...` into these.)
    public init(name: String, options: [String: String], text: String) throws {
        guard MethodSpecification.names.contains(name) else {
            throw InputError(.method(text), value: "\"\(name)\"", allowed: "the name must be one of \(MethodSpecification.names.joined(separator: ", "))")
        }
        self.text = text
        self.name = name
        self.options = options
    }

    private func number(_ key: String) throws -> Double? {
        guard let s = options[key] else { return nil }
        guard let v = Double(s), v.isFinite else {
            throw InputError(.method(text), value: "\(key)=\(s)", allowed: "\(key) must be a finite number")
        }
        return v
    }

    private func required(_ key: String) throws -> Double {
        guard let v = try number(key) else {
            throw InputError(.method(text), value: "no \(key)", allowed: "give \(key)=… or recipe=…")
        }
        return v
    }

    private func check(_ allowed: Set<String>) throws {
        if let bad = options.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw InputError(.method(text), value: "key \"\(bad)\"", allowed: "\(name) takes \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// The method, with recipes evaluated on the problem's spectra. A discretized flow takes
    /// `flowParameters` (the run's flow parameters), overridden by its own keys.
    public func build(problem: Problem, flowParameters: FlowSpecification) throws -> (method: any DiscreteMethod, recipe: RecipeParameters?) {
        var recipe: RecipeParameters?
        if let recipeName = options["recipe"] {
            let r = try ParameterRecipe(parsing: recipeName)
            let useInitial: Bool
            switch options["kernel"] {
            case nil: useInitial = r == .paper000Experiment || r == .paper001Experiment
            case "h0": useInitial = true
            case "hinf": useInitial = false
            case let other?: throw InputError(.method(text), value: "kernel=\(other)", allowed: "kernel is hinf or h0")
            }
            guard let spectrum = useInitial ? (problem.initialSpectrum ?? problem.frozenSpectrum) : (problem.limitSpectrum ?? problem.frozenSpectrum) else {
                throw InputError(.method(text), value: "recipe \(recipeName)", allowed: "needs a kernel spectrum")
            }
            recipe = try r.parameters(lambdaMin: spectrum.lambdaMin, lambdaMax: spectrum.lambdaMax, step: try number("h"))
            guard r.serves(name) else {
                throw InputError(.method(text), value: "recipe \(recipeName)", allowed: "that recipe is for \(r.target.rawValue)")
            }
        }
        let eta = try recipe?.stepSize ?? number("eta")
        // GD takes a recipe's η only (an HB recipe's β is not GD's).
        let beta = try (name == "gd" ? nil : recipe?.momentum) ?? number("beta")
        func stepSize() throws -> Double {
            guard let eta else { return try required("eta") }
            return eta
        }
        func momentum() throws -> Double {
            guard let beta else { return try required("beta") }
            return beta
        }
        let method: any DiscreteMethod
        switch name {
        case "gd":
            try check(["eta", "recipe", "kernel", "h"])
            method = GradientDescent(stepSize: try stepSize())
        case "hb":
            try check(["eta", "beta", "recipe", "kernel", "h", "form"])
            let form: PolyakHeavyBall.Form
            switch options["form"] ?? "difference" {
            case "difference": form = .difference
            case "buffer": form = .buffer
            case let other: throw InputError(.method(text), value: "form=\(other)", allowed: "form is difference or buffer")
            }
            method = PolyakHeavyBall(stepSize: try stepSize(), momentum: try momentum(), form: form)
        case "nag", "nag-sc":
            try check(name == "nag" ? ["eta", "beta", "recipe", "kernel", "h", "start"] : ["eta", "start"])
            let start: NesterovConstantMomentum.Start
            switch options["start"] ?? "two-sequence" {
            case "two-sequence": start = .twoSequence
            case "one-line": start = .oneLine
            case let other: throw InputError(.method(text), value: "start=\(other)", allowed: "start is two-sequence or one-line")
            }
            method = name == "nag"
                ? NesterovConstantMomentum(stepSize: try stepSize(), momentum: try momentum(), start: start)
                : NesterovStronglyConvex(stepSize: try stepSize(), lambda0: problem.lambda0, start: start)
        case "nag-gamma":
            try check(["eta", "gamma"])
            method = NesterovIncreasingMomentum(stepSize: try stepSize(), gamma: try number("gamma") ?? NesterovFlow.defaultGamma)
        case "multi":
            try check(["eta", "betas"])
            guard let list = options["betas"] else {
                throw InputError(.method(text), value: "no betas", allowed: "give betas=b1/b2/…")
            }
            let momenta = try list.split(separator: "/", omittingEmptySubsequences: false).map { s -> Double in
                guard let v = Double(s), v.isFinite else {
                    throw InputError(.method(text), value: "betas=\(list)", allowed: "betas are finite numbers separated by '/'")
                }
                return v
            }
            method = MultiMomentum(stepSize: try stepSize(), momenta: momenta)
        case "gdm":
            try check(["eta", "gamma"])
            method = EMAMomentum(stepSize: try stepSize(), averaging: try required("gamma"))
        case "gauss-newton":
            try check(["eta"])
            method = PerNeuronGaussNewton(stepSize: try number("eta") ?? 1)
        default: // "discretized"
            try check(["flow", "h", "b", "gamma", "coefficients"])
            var flowSpec = flowParameters
            if let b = try number("b") { flowSpec.friction = b }
            if let gamma = try number("gamma") { flowSpec.gamma = gamma }
            if let list = options["coefficients"] {
                flowSpec.coefficients = try list.split(separator: "/", omittingEmptySubsequences: false).map { s -> Double in
                    guard let v = Double(s), v.isFinite else {
                        throw InputError(.method(text), value: "coefficients=\(list)", allowed: "coefficients are finite numbers separated by '/'")
                    }
                    return v
                }
            }
            guard let kind = FlowSpecification.Kind(rawValue: options["flow"] ?? "hbf") else {
                throw InputError(.method(text), value: "flow=\(options["flow"] ?? "")", allowed: "flow is one of \(FlowSpecification.allowedNames)")
            }
            flowSpec.kind = kind
            let h = try required("h")
            guard h > 0 else { throw InputError(.method(text), value: "h=\(h)", allowed: "h must be > 0") }
            method = ExplicitFlowDiscretization(flow: try flowSpec.build(lambda0: problem.lambda0), step: h)
        }
        do {
            try method.validate()
        } catch let error as InputError where error.parameter.detail == nil {
            // The method's own check, named by the text the user wrote.
            throw InputError(.method(text), value: "\(error.parameter.key) \(error.value)", allowed: error.allowed)
        }
        return (method, recipe)
    }

    /// `method.checkedIterations(toReach:)` with errors named by this specification's text.
    public func iterations(of method: any DiscreteMethod, toReach t: Double) throws -> Int {
        do {
            return try method.checkedIterations(toReach: t)
        } catch let error as InputError where error.parameter.detail == nil {
            throw InputError(.method(text), value: "\(error.parameter.key) \(error.value)", allowed: error.allowed)
        }
    }
}
