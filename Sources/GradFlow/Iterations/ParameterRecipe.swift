import Foundation

/// The step sizes and momenta the papers prescribe, by name, computed from the extreme
/// eigenvalues λ_min, λ_max of the kernel a user chooses (H^∞, H(0), a frozen H) — DESIGN.md
/// §3 "Parameter recipes". Names are "<paper file>-<statement>", e.g. "003-nag".
///
/// | name | source | η | β |
/// |---|---|---|---|
/// | 002-thm2 | 002 Theorem 2 (HBF b = √(2λ0), λ0 = λ_min) | h² | 1 − bh (needs h) |
/// | 000-thm2 | 000 Theorem 2 / Remark 1 | 1/(2λ_max) | (1 − √(ηλ_min/2))² |
/// | 001-thm9 | 001 Theorem 9 (λ = ¾λ_min, λ_max' = λ_max + ¼λ_min, κ̂ = λ_max'/λ) | 1/λ_max' | (1 − 1/(2√κ̂))² |
/// | 001-classical | 001 Theorem 2 (Polyak 1964), μ = λ_min, α = λ_max, κ = α/μ | 4/(√μ + √α)² | (1 − 2/(√κ + 1))² |
/// | 003-gd | 003 Table 1 (η = Θ(1/λ_max), constant 1) | 1/λ_max | 0 |
/// | 003-hb | 003 Table 1, κ = λ_max/λ_min | 1/λ_max | (1 − 1/(2√κ))² |
/// | 003-nag | 003 Table 1 / Lemma 3, κ = λ_max/λ_min | 1/(2λ_max) | (3√κ − 2)/(3√κ + 2) |
/// | 003-gd-adjusted, 003-hb-adjusted, 003-nag-adjusted | 003 Table 1 caption / Theorem 1: the same formulas on λ = ¾λ_min, λ_max' = λ_max + ¼λ_min, κ' = λ_max'/λ = 4κ/3 + 1/3 | as above with λ_max', κ' | as above with κ' |
/// | 000-experiment | 000 §5 (λ's of H(0)) | 1/(10λ_max) | (1 − √(ηλ_min))² |
/// | 001-experiment | 001 Appendix H.1, κ̂ = λ_max/λ_min of H(0) | 1/λ_max | (1 − 1/(2√κ̂))² |
/// | 001-deep-linear | 001 Theorem 10 / Appendix H.2; on the deep linear model λ_max = Lσ²_max(X)/d_y, κ = σ²_max(X)/σ²_min(X) | 1/λ_max = d_y/(Lσ²_max(X)) | (1 − 1/(2√κ))² |
///
/// Notes. 003's Table 1 caption and Theorem 1 apply the formulas to adjusted constants
/// (λ = ¾λ_min(H̄), λ_max = λ_max(H̄) + λ_min/4, κ = 4κ(H̄)/3 + 1/3); 003-gd, 003-hb and
/// 003-nag take κ and λ_max of the spectrum given, as in 003 Lemma 3, and the `-adjusted`
/// recipes apply the caption's adjustment first (001-thm9 makes the same one). The caption's
/// "λ_max + λ/4" is read as λ_max + λ_min/4, the reading that gives its κ = 4κ/3 + 1/3.
/// 001-experiment's settings make GD faster than HB whenever κ̂ < 4 (DESIGN.md §5).
/// H.2 writes β = (1 − ½√(ηλ))² with λ = Lσ²_min(X)/d_y, which with its η is
/// (1 − 1/(2√κ))², Theorem 10's β.
///
/// Every recipe serves every method that takes η (and β): `gd` takes the recipe's η and
/// ignores β (001 H.2 runs vanilla GD with HB's step size; 000's experiments give GD HB's η),
/// `hb` and `nag` take η and β. So `gd:recipe=003-hb` is GD at HB's step size.
public enum ParameterRecipe: String, Sendable, CaseIterable {
    case paper002Theorem2 = "002-thm2"
    case paper000Theorem2 = "000-thm2"
    case paper001Theorem9 = "001-thm9"
    case paper001Classical = "001-classical"
    case paper003GD = "003-gd"
    case paper003HB = "003-hb"
    case paper003NAG = "003-nag"
    case paper000Experiment = "000-experiment"
    case paper001Experiment = "001-experiment"
    case paper001DeepLinear = "001-deep-linear"
    case paper003GDAdjusted = "003-gd-adjusted"
    case paper003HBAdjusted = "003-hb-adjusted"
    case paper003NAGAdjusted = "003-nag-adjusted"

    /// The method a recipe is meant for.
    public enum Target: String, Sendable {
        case gradientDescent = "gd"
        case heavyBall = "hb"
        case nesterov = "nag"
    }

    /// Parses a recipe name ("003-nag"; case-insensitive, surrounding spaces ignored).
    public init(parsing text: String) throws {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let recipe = ParameterRecipe(rawValue: key) else {
            throw InputError(.recipe, value: text,
                             allowed: "one of \(ParameterRecipe.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = recipe
    }

    /// Where the recipe is stated.
    public var source: String {
        switch self {
        case .paper002Theorem2: return "002 Theorem 2: HBF b = sqrt(2 lambda0); HB eta = h^2, beta = 1 - b h"
        case .paper000Theorem2: return "000 Theorem 2: eta = 1/(2 lambda_max), beta = (1 - sqrt(eta lambda_min/2))^2"
        case .paper001Theorem9:
            return "001 Theorem 9: lambda = 3/4 lambda_min, lambda_max' = lambda_max + lambda_min/4, eta = 1/lambda_max', beta = (1 - 1/(2 sqrt(kappa_hat)))^2"
        case .paper001Classical: return "001 Theorem 2 (Polyak 1964): eta = 4/(sqrt(mu) + sqrt(alpha))^2, beta = (1 - 2/(sqrt(kappa) + 1))^2"
        case .paper003GD: return "003 Table 1 GD: eta = 1/lambda_max"
        case .paper003HB: return "003 Table 1 HB: eta = 1/lambda_max, beta = (1 - 1/(2 sqrt(kappa)))^2"
        case .paper003NAG: return "003 Table 1 NAG: eta = 1/(2 lambda_max), beta = (3 sqrt(kappa) - 2)/(3 sqrt(kappa) + 2)"
        case .paper000Experiment: return "000 experiments: eta = 1/(10 lambda_max), beta = (1 - sqrt(eta lambda_min))^2"
        case .paper001Experiment: return "001 Appendix H.1: eta = 1/lambda_max, beta = (1 - 1/(2 sqrt(kappa_hat)))^2"
        case .paper003GDAdjusted: return "003 Table 1 GD on the caption's adjusted constants: eta = 1/lambda_max', lambda_max' = lambda_max + lambda_min/4"
        case .paper003HBAdjusted:
            return "003 Table 1 HB on the caption's adjusted constants: eta = 1/lambda_max', beta = (1 - 1/(2 sqrt(kappa')))^2, kappa' = 4 kappa/3 + 1/3"
        case .paper003NAGAdjusted:
            return "003 Table 1 NAG on the caption's adjusted constants: eta = 1/(2 lambda_max'), beta = (3 sqrt(kappa') - 2)/(3 sqrt(kappa') + 2), kappa' = 4 kappa/3 + 1/3"
        case .paper001DeepLinear:
            return "001 Theorem 10 / Appendix H.2: eta = d_y/(L sigma_max^2(X)) = 1/lambda_max, beta = (1 - 1/(2 sqrt(kappa)))^2, kappa = sigma_max^2(X)/sigma_min^2(X) = lambda_max/lambda_min"
        }
    }

    public var target: Target {
        switch self {
        case .paper003GD, .paper003GDAdjusted: return .gradientDescent
        case .paper003NAG, .paper003NAGAdjusted: return .nesterov
        default: return .heavyBall
        }
    }

    /// The methods a recipe's η (and β) may drive: every method named by a `Target` (see the
    /// type's documentation: `gd` takes η only).
    public func serves(_ method: String) -> Bool {
        Target(rawValue: method) != nil
    }

    /// η and β from the spectrum bounds 0 < λ_min ≤ λ_max; `step` is the h of the
    /// continuous recipe 002-thm2 (required there, ignored elsewhere).
    public func parameters(lambdaMin: Double, lambdaMax: Double, step: Double? = nil) throws -> RecipeParameters {
        guard lambdaMin.isFinite, lambdaMin > 0 else {
            throw InputError("lambda_min", value: "\(lambdaMin)", allowed: "the recipes need a finite λ_min > 0")
        }
        guard lambdaMax.isFinite, lambdaMax >= lambdaMin else {
            throw InputError("lambda_max", value: "\(lambdaMax)", allowed: "must be finite and ≥ λ_min = \(lambdaMin)")
        }
        let spectrum = [("lambda_min", lambdaMin), ("lambda_max", lambdaMax)]
        let kappa = lambdaMax / lambdaMin
        func result(_ eta: Double, _ beta: Double, _ used: [(String, Double)], friction: Double? = nil) -> RecipeParameters {
            RecipeParameters(recipe: self, stepSize: eta, momentum: beta, friction: friction, inputs: spectrum + used)
        }
        switch self {
        case .paper002Theorem2:
            guard let h = step, h.isFinite, h > 0 else {
                throw InputError("step h", value: step.map { "\($0)" } ?? "none",
                                 allowed: "002-thm2 is a continuous recipe (b = √(2λ0)): give a step h > 0 to map it to HB (η = h², β = 1 − bh)")
            }
            let b = (2 * lambdaMin).squareRoot()
            return result(h * h, 1 - b * h, [("lambda0", lambdaMin), ("h", h), ("b", b)], friction: b)
        case .paper000Theorem2:
            let eta = 1 / (2 * lambdaMax)
            let root = (eta * lambdaMin / 2).squareRoot()
            return result(eta, (1 - root) * (1 - root), [])
        case .paper001Theorem9:
            let lambda = 0.75 * lambdaMin
            let adjustedMax = lambdaMax + 0.25 * lambdaMin
            let kappaHat = adjustedMax / lambda
            let f = 1 - 1 / (2 * kappaHat.squareRoot())
            return result(1 / adjustedMax, f * f, [("lambda", lambda), ("lambda_max_adjusted", adjustedMax), ("kappa_hat", kappaHat)])
        case .paper001Classical:
            let s = lambdaMin.squareRoot() + lambdaMax.squareRoot()
            let f = 1 - 2 / (kappa.squareRoot() + 1)
            return result(4 / (s * s), f * f, [("kappa", kappa)])
        case .paper003GD:
            return result(1 / lambdaMax, 0, [("kappa", kappa)])
        case .paper003HB, .paper001Experiment, .paper001DeepLinear:
            let f = 1 - 1 / (2 * kappa.squareRoot())
            return result(1 / lambdaMax, f * f, [("kappa", kappa)])
        case .paper003NAG:
            let r = 3 * kappa.squareRoot()
            return result(1 / (2 * lambdaMax), (r - 2) / (r + 2), [("kappa", kappa)])
        case .paper003GDAdjusted, .paper003HBAdjusted, .paper003NAGAdjusted:
            let lambda = 0.75 * lambdaMin, adjustedMax = lambdaMax + 0.25 * lambdaMin
            let adjustedKappa = adjustedMax / lambda
            let used = [("lambda", lambda), ("lambda_max_adjusted", adjustedMax), ("kappa_adjusted", adjustedKappa)]
            switch target {
            case .gradientDescent: return result(1 / adjustedMax, 0, used)
            case .heavyBall:
                let f = 1 - 1 / (2 * adjustedKappa.squareRoot())
                return result(1 / adjustedMax, f * f, used)
            case .nesterov:
                let r = 3 * adjustedKappa.squareRoot()
                return result(1 / (2 * adjustedMax), (r - 2) / (r + 2), used)
            }
        case .paper000Experiment:
            let eta = 1 / (10 * lambdaMax)
            let f = 1 - (eta * lambdaMin).squareRoot()
            return result(eta, f * f, [])
        }
    }
}

/// The output of a `ParameterRecipe`: η, β, and the numbers used, for summaries.
public struct RecipeParameters: Sendable {
    public let recipe: ParameterRecipe
    /// η.
    public let stepSize: Double
    /// β (0 for GD recipes).
    public let momentum: Double
    /// The HBF friction b of the continuous recipe 002-thm2, else nil.
    public let friction: Double?
    /// The spectrum and every derived constant (κ, κ̂, adjusted λ's, h, b), in order.
    public let inputs: [(String, Double)]

    /// The recipe's name and source statement.
    public var source: String { "\(recipe.rawValue) (\(recipe.source))" }

    /// The discrete method the recipe is for, with these parameters (HB in difference form,
    /// NAG with the two-sequence start of 003).
    public func makeMethod() -> any DiscreteMethod {
        switch recipe.target {
        case .gradientDescent: return GradientDescent(stepSize: stepSize)
        case .heavyBall: return PolyakHeavyBall(stepSize: stepSize, momentum: momentum)
        case .nesterov: return NesterovConstantMomentum(stepSize: stepSize, momentum: momentum)
        }
    }
}
