import Foundation
import GradFlow

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
        var m: [any Monitor] = [LossMonitor(flow: flow)]
        if let weights = problem.field as? ReLUWeightField { m.append(LazyTrainingMonitor(field: weights)) }
        if lambdaMin { m.append(KernelSpectrumMonitor()) }
        return m
    }

    static func run(problem: Problem, flow: any ContinuousFlow, solver: Solver, times: SampleTimes,
                    lambdaMin: Bool, command: String, outputPrefix: String) throws -> Outcome {
        let simulation = try Simulation(field: problem.field, flow: flow, initialPosition: problem.initialPosition,
                                        solver: solver, sampleTimes: times,
                                        monitors: monitors(problem: problem, flow: flow, lambdaMin: lambdaMin))
        let clock = ContinuousClock()
        let start = clock.now
        let trajectory = try simulation.run()
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let csvPath = outputPrefix + ".csv", jsonPath = outputPrefix + ".json"
        let record = RunRecord(command: command, problem: problem, flow: flow, solver: solver, times: times,
                               trajectory: trajectory, wallSeconds: wall, csvPath: csvPath)
        try AtomicFile.write(CSVFormat.render(trajectory, metadata: record.csvMetadata), to: csvPath)
        try AtomicFile.write(try record.json(), to: jsonPath)
        let table = TextTable(header: trajectory.columns,
                              rows: trajectory.rows.map { $0.map { TextTable.format($0) } })
        return Outcome(trajectory: trajectory, wallSeconds: wall, csvPath: csvPath, jsonPath: jsonPath,
                       table: table.render())
    }
}
