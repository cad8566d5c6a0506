extension Reproduction {
    /// What the entries whose model exists but whose reproduction is not scripted yet need.
    private static let script = "a reproduction script (the model exists; EXPERIMENTS.md gives the gradflow compare/sweep commands)"

    static let paper002Figure3 = Reproduction(
        id: "002-F3", title: "002 Fig. 3: NAG for several γ × widths, minimum MSE, averaged over 10 runs",
        source: "papers/002 l.392–397", availability: .notAvailable(needs: script + " and a γ list with a minimum-loss monitor"))
    static let paper003Table1 = Reproduction(
        id: "003-T1", title: "003 Table 1: η, β and rates of GD, HB and NAG from κ(H̄)",
        source: "papers/003 l.186–191, Lemma 3 l.244–247", availability: .notAvailable(needs: script + " (gradflow regime --kernel hinf gives the numbers)"))
}
