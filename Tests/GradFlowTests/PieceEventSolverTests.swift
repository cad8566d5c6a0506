import XCTest
@testable import GradFlow

/// The events solver of the two-layer models with pieces (`PieceEventSolver`: piecewise-linear
/// activations, 002 §6, and the trained output layer, 002 §5.3) against independent solvers:
/// the ReLU network's own events solver (`SwitchingGSLSolver`, a separate implementation) when
/// the activation is ReLU, and plain GSL rk8pd at a tight tolerance otherwise.
final class PieceEventSolverTests: XCTestCase {
    private func build(_ name: String, _ options: [String: String] = [:], samples: Int = 8, dimension: Int = 3,
                       width: Int = 40, seed: UInt64 = 5) throws -> any Model {
        var s = ProblemSpecification()
        s.model = name
        s.samples = samples
        s.dimension = dimension
        s.width = width
        s.seed = seed
        s.modelOptions = ModelOptions(options)
        return try s.build().model
    }

    private let tight = try! Tolerances(relative: 1e-12, absolute: 1e-14)

    private func run(_ model: any Model, _ flow: any ContinuousFlow, _ solver: Solver, end: Double)
        throws -> (final: [Double], losses: [Double], switches: Int?) {
        var options = SolveOptions()
        options.recordStates = true
        let solution = try solveFlow(model, from: model.initialPosition, flow, solver: solver,
                                     sampleTimes: try SampleTimes.linear(from: 0, to: end, count: 6),
                                     monitors: [LossMonitor(flow: flow)], options: options)
        XCTAssertNil(solution.earlyStop)
        return (try XCTUnwrap(solution.states?.last), solution.column("loss") ?? [], solution.switching?.events)
    }

    /// With σ = ReLU (breakpoints 0, slopes 0/1) the piecewise-linear model is the `network`
    /// model: HBF and Nesterov through this solver and through the network's own events solver
    /// (both rk8pd at rtol 1e-12, events located to 1e-12) see the same number of crossings and
    /// end at the same weights to 1e-8 relative (each is within ~1e-10 of the exact solution,
    /// the location error 1e-12 per switch times the jump of the acceleration aside).
    func testReLUPiecesMatchTheNetworksEventsSolver() throws {
        let pieces = try build("piecewise-linear", ["breakpoints": "0", "slopes": "0/1"])
        let network = try build("network")
        let solver = Solver.switching(method: .gslEvents(stepper: .rk8pd, tolerances: tight), eventTolerance: 1e-12)
        for flow in [HeavyBallFlow(friction: 0.5) as any ContinuousFlow, NesterovFlow(gamma: 3)] {
            let a = try run(pieces, flow, solver, end: 8)
            let b = try run(network, flow, solver, end: 8)
            XCTAssertGreaterThan(a.switches ?? 0, 10, flow.name)
            XCTAssertEqual(a.switches, b.switches, flow.name)
            XCTAssertLessThan(relativeDifference(a.final, b.final), 1e-8, flow.name)
        }
    }

    /// Leaky ReLU, an activation with three kinks, and the trained output layer, under HBF and
    /// Nesterov: the events solver (rk8pd, rtol 1e-12, events to 1e-12) against plain rk8pd at
    /// rtol 1e-12, which steps through the kinks under its step control (its error at a kink is
    /// of the order of the tolerance times the jump, ~1e-10 per kink here): the losses at six
    /// times agree to 1e-7 relative and W(T) to 1e-7.
    func testAgreesWithPlainGSLAtTightTolerance() throws {
        let models = [try build("piecewise-linear", ["slope": "0.1"]),
                      try build("piecewise-linear", ["breakpoints": "-0.5/0.3/1", "slopes": "0.2/0.7/1/0.4"]),
                      try build("trained-output")]
        let events = Solver.switching(method: .gslEvents(stepper: .rk8pd, tolerances: tight), eventTolerance: 1e-12)
        let plain = Solver.gsl(stepper: .rk8pd, tolerances: tight)
        for model in models {
            for flow in [HeavyBallFlow(friction: 0.5) as any ContinuousFlow, NesterovFlow(gamma: 3)] {
                let a = try run(model, flow, events, end: 6)
                let b = try run(model, flow, plain, end: 6)
                let label = "\(model.name) \(flow.name)"
                XCTAssertGreaterThan(a.switches ?? 0, 5, label)
                XCTAssertLessThan(relativeDifference(a.final, b.final), 1e-7, label)
                for (x, y) in zip(a.losses, b.losses) { XCTAssertEqual(x, y, accuracy: 1e-7 * y, label) }
            }
        }
    }

    /// Gradient flow either runs through its kinks or, at the first Filippov sliding, stops
    /// with a one-line input error naming the plain GSL solver; it never hangs.
    func testGradientFlowRunsOrRefusesSliding() throws {
        let model = try build("piecewise-linear", ["slope": "0.1"])
        let events = Solver.switching(method: .gslEvents(stepper: .rkf45, tolerances: try Tolerances(relative: 1e-8, absolute: 1e-10)),
                                      eventTolerance: 1e-10)
        do {
            _ = try run(model, GradientFlow(), events, end: 20)
        } catch let error as InputError {
            XCTAssertTrue("\(error)".contains("sliding"), "\(error)")
            XCTAssertTrue("\(error)".contains("--solver gsl"), "\(error)")
        }
    }

    /// `auto` locates the kinks for the second-order flows and keeps plain GSL for gradient
    /// flow (which may slide) and Newton flow (not driven by ∇L).
    func testAutoChoosesEventsForSecondOrderFlows() throws {
        for model in [try build("trained-output"), try build("piecewise-linear", ["slope": "0.1"])] {
            XCTAssertEqual(model.automaticSolver(for: HeavyBallFlow(friction: 1)), .events)
            XCTAssertEqual(model.automaticSolver(for: NesterovFlow(gamma: 3)), .events)
            XCTAssertEqual(model.automaticSolver(for: GradientFlow()), .gsl)
            XCTAssertEqual(model.automaticSolver(for: NewtonFlow()), .gsl)
        }
    }

    /// The models refuse the other switching solvers with a one-line message.
    func testRefusesExactAndKineticSolvers() throws {
        let model = try build("trained-output")
        for method in [SwitchingMethod.kinetic, .exactPieces] {
            XCTAssertThrowsError(try Solver.switching(method: method, eventTolerance: 1e-8)
                .validate(for: HeavyBallFlow(friction: 1), on: model), method.name)
        }
    }
}
