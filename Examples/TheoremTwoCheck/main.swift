// Does Theorem 2's energy bound hold on the linearized model of a width-512 network?
// Runs HBF with b = √(2λ0) on the errors under the frozen H(0), exactly, and prints
// V(t)/V(0) next to e^{−αt} (002 Lemma 3.3).
import Foundation
import GradFlow

var spec = ProblemSpecification()
spec.model = "errors"
spec.width = 512
let problem = try spec.build()
let lambda0 = problem.frozenSpectrum!.lambdaMin
let flow = HeavyBallFlow.theorem2(lambda0: lambda0)
let trajectory = try solve(problem, .flow(flow), solver: .exact, sampleTimes: try .linear(from: 0, to: 40, count: 9))
let energies = trajectory[.energy]!
print("λ_min(H(0)) = \(lambda0), b = \(flow.friction), α = \(flow.energyRate)")
print("     t     V(t)/V(0)     e^{-αt}   holds")
for (t, v) in zip(trajectory.times, energies) {
    let ratio = v / energies[0], bound = exp(-flow.energyRate * t)
    print(String(format: "%6.1f  %12.4e  %10.4e   %@", t, ratio, bound, ratio <= bound * (1 + 1e-12) ? "yes" : "NO"))
}
