extension Reproduction {
    /// What the entries whose model exists but whose reproduction is not scripted yet need.
    private static let script = "a reproduction script (the model exists; EXPERIMENTS.md gives the gradflow compare/sweep commands)"

    /// 001 Fig. 2 / App. H.2 (l.8660–8683): deep linear network, GD vs HB.
    static let paper001Figure2 = Reproduction(
        id: "001-F2", title: "001 Fig. 2 + App. H.2: deep linear network (L = 100, m = 50), GD vs HB",
        source: "papers/001 l.8660–8683", availability: .notAvailable(needs: script))
    /// 002 Fig. 2 (caption l.324): NAG (β_k = (k−1)/(k+γ−1)) vs GD on log-log axes.
    static let paper002Figure2 = Reproduction(
        id: "002-F2", title: "002 Fig. 2: NAG with β_k = (k−1)/(k+γ−1) vs GD, polynomial vs exponential decay",
        source: "papers/002 l.283–324", availability: .notAvailable(needs: script))
    /// 002 Fig. 3 (caption l.397): NAG loss for several γ and widths, 10 runs, minimum MSE.
    static let paper002Figure3 = Reproduction(
        id: "002-F3", title: "002 Fig. 3: NAG for several γ × widths, minimum MSE, averaged over 10 runs",
        source: "papers/002 l.392–397", availability: .notAvailable(needs: script + " and a γ list with a minimum-loss monitor"))
    /// 002 Fig. 4 (caption l.423): GD vs HB vs multi-momentum.
    static let paper002Figure4 = Reproduction(
        id: "002-F4", title: "002 Fig. 4: GD vs HB vs multi-momentum (J = 2)",
        source: "papers/002 l.405–423", availability: .notAvailable(needs: script))
    /// 003 Table 1 (l.186–191): hyper-parameters and rates of GD, HB and NAG.
    static let paper003Table1 = Reproduction(
        id: "003-T1", title: "003 Table 1: η, β and rates of GD, HB and NAG from κ(H̄)",
        source: "papers/003 l.186–191, Lemma 3 l.244–247", availability: .notAvailable(needs: script + " (gradflow regime --kernel hinf gives the numbers)"))
}
