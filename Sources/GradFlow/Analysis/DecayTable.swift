import Foundation

/// A Lyapunov decay table: for each run, at chosen times, V(t)/V(ref), the bound the theorem
/// gives for that ratio, the margin in decades (log10(bound/ratio), positive when the bound
/// holds), L(t) and L̂(t).
public struct DecayTable: Sendable {
    public struct Row: Sendable {
        public var run: String
        public var time: Double
        public var iteration: Int?
        public var energyRatio: Double
        public var bound: Double?
        public var loss: Double
        public var pseudoLoss: Double

        public var marginDecades: Double? {
            guard let bound, bound > 0, energyRatio > 0 else { return nil }
            return log10(bound / energyRatio)
        }
    }

    public var rows: [Row] = []

    public init() {}

    /// The reference energy of a run: V(0), or, when V(0) = 0 (Nesterov's V(t; α, γ) with
    /// α > 2 vanishes at t = 0), V at the first sample with t > 0.
    public static func referenceEnergy(_ trajectory: Solution, column: Observable = .energy) -> (value: Double, time: Double)? {
        guard let e = trajectory[column], let t = trajectory[.time] else { return nil }
        for (ti, ei) in zip(t, e) where ei.isFinite && ei > 0 { return (ei, ti) }
        return nil
    }

    /// Appends the rows of one run at the samples whose times are in `times` (exact matches),
    /// or, for discrete runs, whose iterations are in `iterations`. `energyColumn` names the
    /// decaying quantity and `energyBound` gives the bound on its ratio to the reference value,
    /// as a function of t (or of k when `boundInIterations`).
    public mutating func add(run: String, trajectory: Solution, times: [Double], iterations: [Int]? = nil,
                             energyColumn: Observable = .energy, boundInIterations: Bool = false,
                             energyBound: ((Double) -> Double)?) {
        guard let t = trajectory[.time], let e = trajectory[energyColumn],
              let loss = trajectory[.loss], let pseudo = trajectory[.pseudoLoss] else { return }
        let k = trajectory[.iteration]
        let reference = DecayTable.referenceEnergy(trajectory, column: energyColumn)?.value ?? .nan
        let wantedTimes = Set(times), wantedIterations = Set(iterations ?? [])
        for i in t.indices {
            let iteration = k.map { Int($0[i]) }
            let selected = iterations != nil ? wantedIterations.contains(iteration ?? -1) : wantedTimes.contains(t[i])
            guard selected else { continue }
            let argument = boundInIterations ? Double(iteration ?? 0) : t[i]
            rows.append(Row(run: run, time: t[i], iteration: iteration, energyRatio: e[i] / reference,
                            bound: energyBound?(argument), loss: loss[i], pseudoLoss: pseudo[i]))
        }
    }

    /// The table as text cells, with fixed formatting so that equal inputs give equal text.
    public var textTable: Table {
        let showK = rows.contains { $0.iteration != nil }
        var header = ["run", "t"]
        if showK { header.append("k") }
        header += ["V(t)/V(0)", "bound", "margin (decades)", "L(t)", "Lhat(t)"]
        var table = Table(header: header)
        for r in rows {
            var cells = [r.run, NumberFormat.short(r.time, digits: 6)]
            if showK { cells.append(r.iteration.map { "\($0)" } ?? "-") }
            cells += [NumberFormat.short(r.energyRatio, digits: 4), r.bound.map { NumberFormat.short($0, digits: 4) } ?? "-",
                      r.marginDecades.map { NumberFormat.short($0, digits: 3) } ?? "-",
                      NumberFormat.short(r.loss, digits: 4), NumberFormat.short(r.pseudoLoss, digits: 4)]
            table.rows.append(cells)
        }
        return table
    }
}
