// Which activation switches does gradient flow go through, and when? Solves gradient flow on
// the weights of a small ReLU network by exact pieces, with the switch log, and prints the
// switches by kind and the first few.
import Foundation
import GradFlow

var spec = ProblemSpecification()
spec.samples = 6
spec.dimension = 3
spec.width = 64
let problem = try spec.build()
var options = SolveOptions()
options.recordSwitches = true
let solution = try solve(problem, .flow(GradientFlow()), solver: .switching(method: .exactPieces, eventTolerance: 1e-10),
                         sampleTimes: try .linear(from: 0, to: 20, count: 5), options: options)
let log = solution.switchLog ?? []
for kind in [SwitchEvent.Kind.crossing, .slidingEntry, .slidingExit] {
    print("\(kind.rawValue): \(log.filter { $0.kind == kind }.count)")
}
for e in log.prefix(5) { print(String(format: "t = %.6f  pair (i = %d, r = %d)  %@", e.time, e.sample, e.neuron, e.kind.rawValue)) }
print("final loss \(solution[.loss]?.last ?? .nan), status \(solution.status)")
