import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics

/// The kinetic solver's gradient flow through Filippov sliding (002 eq. 4.3 with §4; issue 9
/// item 2) against independent computations: exact pieces and GSL rk8pd events on whole runs
/// with sliding, a one-neuron hand case against its closed form, and the safe times against
/// the switches exact pieces finds.
final class KineticSlidingTests: XCTestCase {
    private func randomNetwork(samples n: Int, dimension d: Int, width m: Int, seed: UInt64) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: .signs, random: random)
        return try ReLUNetwork.gaussian(data: data, width: m, random: random)
    }

    private struct Run {
        var weights: [Double]
        var statistics: SwitchingStatistics
        var log: [SwitchEvent]
        var losses: [Double]
        var slidingPairs: [Double]
    }

    private func run(_ net: ReLUNetwork, _ method: SwitchingMethod, end: Double, points: Int = 5,
                     eventTolerance: Double = 1e-12) throws -> Run {
        var options = SolveOptions()
        options.recordStates = true
        options.recordSwitches = true
        let flow = GradientFlow()
        let times = try SampleTimes.linear(from: 0, to: end, count: points)
        let solution = try solveFlow(ReLUWeightField(network: net), from: net.initialWeights.elements, flow,
                                     solver: .switching(method: method, eventTolerance: eventTolerance),
                                     sampleTimes: times, monitors: [LossMonitor(flow: flow)], options: options)
        XCTAssertNil(solution.earlyStop, method.name)
        return Run(weights: try XCTUnwrap(solution.states?.last), statistics: try XCTUnwrap(solution.switching),
                   log: solution.switchLog ?? [], losses: solution.column("loss") ?? [],
                   slidingPairs: solution.column("sliding_pairs") ?? [])
    }

    private func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) {
            num += (x - y) * (x - y)
            den += y * y
        }
        return (num / den).squareRoot()
    }

    /// Gradient flow with sliding on small problems (n = 8–20, d = 3–10, m = 16–200): the
    /// kinetic solver against exact pieces and GSL rk8pd events (rtol 1e-12). Each run must
    /// slide (entries > 0, some with exits). The switch counts (crossings, sliding entries,
    /// exits) and the sliding_pairs column must be equal, the switch sequences (kind, pair)
    /// equal to exact pieces', and the weights at T within 1e-9 relative: all three locate
    /// switches to 1e-12 in time and the two exact solvers are exact between switches up to
    /// rounding (series summed to 1e-18 per step, eigendecomposition), so they differ by the
    /// location error times the jump of the field per switch, ~1e-12 each (~1e-11 over these
    /// runs); rk8pd's global error at rtol 1e-12 is ~1e-11. 1e-9 is the bound.
    func testAgreesWithExactPiecesAndEventsThroughSliding() throws {
        let gsl = SwitchingMethod.gslEvents(stepper: .rk8pd, tolerances: try Tolerances(relative: 1e-12, absolute: 1e-14))
        let cases: [(Int, Int, Int, UInt64, Double)] = [(8, 3, 16, 1, 4), (12, 5, 60, 2, 4), (20, 10, 200, 3, 3),
                                                       (16, 4, 100, 5, 4)]
        var exits = 0
        for (n, d, m, seed, end) in cases {
            let net = try randomNetwork(samples: n, dimension: d, width: m, seed: seed)
            let kinetic = try run(net, .kinetic, end: end)
            let pieces = try run(net, .exactPieces, end: end)
            let events = try run(net, gsl, end: end)
            let label = "n \(n), d \(d), m \(m), T \(end)"
            let (k, p, e) = (kinetic.statistics, pieces.statistics, events.statistics)
            XCTAssertGreaterThan(k.slidingEntries, 0, label)
            for other in [p, e] {
                XCTAssertEqual(k.crossings, other.crossings, label)
                XCTAssertEqual(k.slidingEntries, other.slidingEntries, label)
                XCTAssertEqual(k.slidingExits, other.slidingExits, label)
            }
            XCTAssertEqual(kinetic.slidingPairs, pieces.slidingPairs, label)
            XCTAssertEqual(kinetic.slidingPairs, events.slidingPairs, label)
            XCTAssertEqual(kinetic.log.map { "\($0.kind) \($0.sample) \($0.neuron)" },
                           pieces.log.map { "\($0.kind) \($0.sample) \($0.neuron)" }, label)
            XCTAssertLessThan(relativeDifference(kinetic.weights, pieces.weights), 1e-9, label)
            XCTAssertLessThan(relativeDifference(kinetic.weights, events.weights), 1e-9, label)
            for (a, b) in zip(kinetic.losses, pieces.losses) { XCTAssertEqual(a, b, accuracy: 1e-9 * b, label) }
            // Sliding time: both integrate the number of sliding pairs over time between the
            // same events (located to 1e-12): equal to 1e-9 relative.
            XCTAssertEqual(k.slidingPairTime, p.slidingPairTime, accuracy: 1e-9 * max(p.slidingPairTime, 1), label)
            exits += k.slidingExits
            print("sliding case \(label): crossings \(k.crossings), entries \(k.slidingEntries), exits \(k.slidingExits), max sliding \(k.maxSlidingPairs), weights vs pieces \(relativeDifference(kinetic.weights, pieces.weights)), vs events \(relativeDifference(kinetic.weights, events.weights))")
        }
        XCTAssertGreaterThan(exits, 0)
    }
}
