// Is heavy ball faster than gradient descent on my data? Runs GD and HB under 003's Table 1
// recipes (on H^∞) on a two-layer ReLU network — a data CSV x1..xd,y as the first argument,
// else synthetic data — and prints the iterations and time each needs to reach L ≤ 1e-6.
import Foundation
import GradFlow

var spec = ProblemSpecification()
spec.width = 1024
if CommandLine.arguments.count > 1 { spec.dataPath = CommandLine.arguments[1] }
let problem = try spec.build()
guard let spectrum = problem.limitSpectrum else { fatalError("a network problem has H^∞") }
let times = try SampleTimes.linear(from: 0, to: 60, count: 2)
print("n = \(problem.model.sampleCount), m = \(spec.width), λ0 = \(problem.lambda0), κ = \(problem.conditionNumber)")
for recipe in [ParameterRecipe.paper003GD, .paper003HB] {
    let parameters = try recipe.parameters(lambdaMin: spectrum.lambdaMin, lambdaMax: spectrum.lambdaMax)
    let method = parameters.makeMethod()
    let solution = try solve(problem, .method(method), solver: .exact, sampleTimes: times)
    let summary = RateSummary(run: method.name, trajectory: solution, law: .exponential, epsilon: 1e-6)
    print("\(method.name): η = \(parameters.stepSize), β = \(parameters.momentum); "
          + "k to 1e-6: \(summary.iterationsToEpsilon.map(String.init) ?? "not reached"), "
          + "t to 1e-6: \(summary.timeToEpsilon.map { String(format: "%.3g", $0) } ?? "-"), final loss \(summary.finalLoss)")
}
