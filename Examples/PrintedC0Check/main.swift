// How far is 001's printed C0 from the truth? For heavy ball with 001's experiment recipe on
// H(0) of a width-512 network, compares max_k ‖M^k‖/β^{k/2} (measured on the spectrum) with
// Theorem 5's printed and corrected C0.
import Foundation
import GradFlow

var spec = ProblemSpecification()
spec.model = "errors"
let problem = try spec.build()
guard let kernel = problem.frozenSpectrum else { fatalError("the error model has a frozen kernel") }
let parameters = try ParameterRecipe.paper001Experiment.parameters(lambdaMin: kernel.lambdaMin, lambdaMax: kernel.lambdaMax)
let regime = try LinearRegime(eigenvalues: kernel.eigenvalues, stepSize: parameters.stepSize,
                              momentum: parameters.momentum, method: .heavyBall)
let measured = regime.transientConstant(maxIterations: 20_000, rate: regime.momentum.squareRoot())
print("η = \(regime.stepSize), β = \(regime.momentum), ρ(M) = \(regime.spectralRadius)")
print("measured max_k ‖M^k‖/β^{k/2} = \(measured.value) at k = \(measured.atIteration)")
if let printed = regime.theorem5C0(.printed), let corrected = regime.theorem5C0(.corrected) {
    print("001 Theorem 5: printed C0 = \(printed) (\(printed >= measured.value ? "holds" : "too small")), corrected C0 = \(corrected) (\(corrected >= measured.value ? "holds" : "too small"))")
}
