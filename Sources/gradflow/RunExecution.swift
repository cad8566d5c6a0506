import Foundation
import GradFlow
import GradFlowExport

/// Runs one flow on a built problem and writes its CSV and JSON atomically.
enum RunExecution {
    struct Outcome {
        var trajectory: Trajectory
        var wallSeconds: Double
        var csvPath: String
        var jsonPath: String
        var table: String
    }

    static func monitors(problem: Problem, flow: any ContinuousFlow, lambdaMin: Bool) -> [any Monitor] {
        // Higher-order momentum has no Lyapunov function in 002: on a frozen kernel, use the
        // one built per eigenmode from the Lyapunov equation.
        var modal: ModalLyapunovEnergy?
        if flow is HigherOrderMomentumFlow, let errors = problem.field as? FrozenKernelErrorModel {
            modal = try? ModalLyapunovEnergy(kernel: SymmetricEigensystem(errors.kernelMatrix), flow: flow)
        }
        var m: [any Monitor] = [LossMonitor(flow: flow, modalEnergy: modal)]
        if let weights = problem.field as? ReLUWeightField { m.append(LazyTrainingMonitor(field: weights)) }
        if lambdaMin { m.append(KernelSpectrumMonitor()) }
        return m
    }

    static func run(problem: Problem, flow: any ContinuousFlow, solver: Solver, times: SampleTimes,
                    lambdaMin: Bool, command: String, outputPrefix: String) throws -> Outcome {
        let monitorList = monitors(problem: problem, flow: flow, lambdaMin: lambdaMin)
        var switching: SwitchingStatistics?
        let trajectory: Trajectory, wall: Double
        if case .switching(let method, let eventTolerance) = solver {
            guard let network = problem.network, problem.field is ReLUWeightField else {
                throw InputError("--solver", value: solver.name, allowed: "switching solvers are for weight runs (--model network)")
            }
            let simulation = try SwitchingSimulation(network: network, flow: flow, method: method, eventTolerance: eventTolerance,
                                                     sampleTimes: times, monitors: monitorList)
            var statistics = SwitchingStatistics()
            (trajectory, wall) = try timed {
                let (t, s) = try simulation.run()
                statistics = s
                return t
            }
            switching = statistics
        } else {
            let simulation = try Simulation(field: problem.field, flow: flow, initialPosition: problem.initialPosition,
                                            solver: solver, sampleTimes: times, monitors: monitorList)
            (trajectory, wall) = try timed { try simulation.run() }
        }
        var record = RunRecord(command: command, problem: problem, flow: flow, solver: solver, times: times,
                               trajectory: trajectory, wallSeconds: wall, csvPath: outputPrefix + ".csv")
        record.switching = switching
        return try write(trajectory, record: record, wallSeconds: wall, outputPrefix: outputPrefix)
    }

    /// Runs a discrete method for the iterations that reach `endTime`, sampling every iteration.
    static func run(problem: Problem, method: any DiscreteMethod, recipe: RecipeParameters?, endTime: Double,
                    lambdaMin: Bool, command: String, outputPrefix: String) throws -> Outcome {
        let iterations = method.iterations(toReach: endTime)
        let flow = method.matchingFlow ?? GradientFlow()
        let run = try DiscreteRun(method: method, field: problem.field, initialPosition: problem.initialPosition,
                                  iterations: iterations, sampleIterations: Array(0...iterations),
                                  monitors: monitors(problem: problem, flow: flow, lambdaMin: lambdaMin))
        let (trajectory, wall) = try timed { try run.run() }
        let record = RunRecord(command: command, problem: problem, method: method, recipe: recipe,
                               trajectory: trajectory, wallSeconds: wall, csvPath: outputPrefix + ".csv")
        return try write(trajectory, record: record, wallSeconds: wall, outputPrefix: outputPrefix)
    }

    private static func timed(_ body: () throws -> Trajectory) rethrows -> (Trajectory, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let trajectory = try body()
        let elapsed = clock.now - start
        return (trajectory, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    private static func write(_ trajectory: Trajectory, record: RunRecord, wallSeconds wall: Double,
                              outputPrefix: String) throws -> Outcome {
        let csvPath = outputPrefix + ".csv", jsonPath = outputPrefix + ".json"
        try AtomicFile.write(CSVFormat.render(trajectory, metadata: record.csvMetadata), to: csvPath)
        try AtomicFile.write(try record.json(), to: jsonPath)
        let table = Table(header: trajectory.columns,
                              rows: trajectory.rows.map { $0.map { NumberFormat.short($0) } })
        return Outcome(trajectory: trajectory, wallSeconds: wall, csvPath: csvPath, jsonPath: jsonPath,
                       table: table.render())
    }
}
