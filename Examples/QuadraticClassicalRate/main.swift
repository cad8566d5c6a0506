// Does heavy ball reach 001 Theorem 7's rate on a quadratic? Runs HB with the classical
// recipe η = 4/(√μ+√α)², β = (1 − 2/(√κ+1))² on ½wᵀΓw + bᵀw with spectrum in [0.01, 1] and
// compares the fitted contraction per iteration with √β.
import Foundation
import GradFlow

var spec = ProblemSpecification()
spec.model = "quadratic"
spec.dimension = 100
spec.modelOptions = ModelOptions(["mu": "0.01", "alpha": "1"])
let problem = try spec.build()
let parameters = try ParameterRecipe.paper001Classical.parameters(lambdaMin: problem.lambda0,
                                                                  lambdaMax: problem.lambda0 * problem.conditionNumber)
let method = parameters.makeMethod()
var options = SolveOptions()
options.iterations = 300
let solution = try solve(problem, .method(method), solver: .exact, sampleTimes: try SampleTimes(list: [0]), options: options)
let summary = RateSummary(run: "hb", trajectory: solution, law: .exponential, epsilon: 1e-12)
print("κ = \(problem.conditionNumber), η = \(parameters.stepSize), β = \(parameters.momentum)")
print("fitted ρ per iteration = \(summary.fittedFactorPerIteration ?? .nan), √β = \(parameters.momentum.squareRoot())")
