import Foundation
import GradFlow
import GradFlowExport

/// One row of `compare`'s rate table: a run's rate summary with its theory, as printed, in
/// `rates.md` and in `rates.csv`.
struct RateRow {
    let summary: RateSummary
    /// The run's parameters as printed (solver and flow parameters, or η, β, …).
    let parameters: String
    /// Where a method's recipe came from, for the legend.
    let note: String?

    init(result: RunResult, problem: Problem, epsilon: Double) throws {
        let run = result.run
        let frozen = problem.model.spectra.linearRegime
        switch run.dynamics {
        case .flow(let flow):
            var summary = RateSummary(run: run.name, trajectory: result.solution, law: flow.lossLaw, epsilon: epsilon)
            if let theorem = flow.theoremRate(lambda0: problem.lambda0) {
                summary.theoryRate = theorem.rate
                summary.theorySource = theorem.source
            }
            summary.linearizedRate = try flow.linearizedLossRate(eigenvalues: frozen.eigenvalues)
            self.summary = summary
            parameters = ([run.solver!.name] + flow.parameters.map { "\($0.0)=\(NumberFormat.short($0.1, digits: 4))" }).joined(separator: " ")
            note = nil
        case .method(let method):
            var summary = RateSummary(run: run.name, trajectory: result.solution, law: method.lossLaw, epsilon: epsilon)
            if let rho = try method.spectralRadius(eigenvalues: frozen.eigenvalues) {
                summary.predictedFactorPerIteration = rho
                summary.theoryRate = -2 * log(rho) / method.timePerStep
                summary.theorySource = "spectral radius of the iteration on H(0): L ~ ρ^{2k}"
            }
            self.summary = summary
            parameters = method.parameters.map { "\($0.0)=\(NumberFormat.short($0.1, digits: 4))" }.joined(separator: " ")
            note = run.recipe.map { "\(run.name): recipe \($0.source)" }
        }
    }

    /// The printed and Markdown cells, from `run` to `nfev`.
    var cells: [String] {
        let s = summary
        let window = s.fit.map { "[\(NumberFormat.short($0.window.lowerBound, digits: 4)), \(NumberFormat.short($0.window.upperBound, digits: 4))]" } ?? "-"
        return [
            s.run, parameters.isEmpty ? "-" : parameters, s.law == .power ? "t^-r" : "e^-rt",
            s.theoryRate.map { NumberFormat.short($0, digits: 4) } ?? "-",
            s.linearizedRate.map { NumberFormat.short($0, digits: 4) } ?? "-",
            s.fit.map { NumberFormat.short($0.rate, digits: 4) } ?? "-", window,
            s.predictedFactorPerIteration.map { NumberFormat.short($0, digits: 5) } ?? "-",
            s.fittedFactorPerIteration.map { NumberFormat.short($0, digits: 5) } ?? "-",
            s.timeToEpsilon.map { NumberFormat.short($0, digits: 4) } ?? "-",
            s.iterationsToEpsilon.map { "\($0)" } ?? "-",
            NumberFormat.short(s.finalLoss, digits: 3), NumberFormat.short(s.minimumLoss, digits: 3), "\(s.evaluations)",
        ]
    }

    static let csvHeader = ["run", "law", "theory_rate", "theory_source", "linearized_rate", "fitted_rate", "fitted_rate_se",
                            "window_start", "window_end", "rho_per_iteration_theory", "rho_per_iteration_fitted",
                            "time_to_epsilon", "iterations_to_epsilon", "final_loss", "minimum_loss", "minimum_loss_at", "evaluations"]

    /// The `rates.csv` cells, at full precision.
    var csvCells: [String] {
        let s = summary
        func n(_ x: Double?) -> String { x.map(NumberFormat.roundTrip) ?? "" }
        return [s.run, s.law.rawValue, n(s.theoryRate), s.theorySource, n(s.linearizedRate), n(s.fit?.rate),
                n(s.fit?.standardError), n(s.fit?.window.lowerBound), n(s.fit?.window.upperBound),
                n(s.predictedFactorPerIteration), n(s.fittedFactorPerIteration), n(s.timeToEpsilon),
                s.iterationsToEpsilon.map { "\($0)" } ?? "", NumberFormat.roundTrip(s.finalLoss),
                NumberFormat.roundTrip(s.minimumLoss), NumberFormat.roundTrip(s.minimumLossAt), "\(s.evaluations)"]
    }
}
