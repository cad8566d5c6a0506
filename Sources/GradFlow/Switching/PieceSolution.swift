/// The closed-form motion inside one piece of constant activation pattern, as
/// `ExactPiecesSolver` reads it: the errors Δ, the forced response φ and the free motion F
/// at local time τ (see `PieceModes` for their meaning), and a bound of the motion's rates
/// that sets the scan's grid step. `PieceModes` solves constant-coefficient flows,
/// `NesterovPieceModes` Nesterov's ODE.
protocol PieceSolution {
    /// The order p of the flow.
    var order: Int { get }
    /// Δ^{(j)}, φ^{(j)} and F at τ ≥ 0.
    func state(at tau: Double) throws -> PieceModes.State
    /// A bound of the piece's rates near τ (the scan's step is `stepFactor` over it).
    func rate(at tau: Double) -> Double
    /// At most how many grid steps of `stepFactor`/rate the scan takes from τ to `end`.
    func projectedSteps(from tau: Double, to end: Double, stepFactor: Double) -> Double
}

extension ContinuousFlow {
    /// True when `ExactPiecesSolver` solves the flow: its force is ∇L, and its coefficients
    /// are constant or Nesterov's γ/t with γ ≥ 1 (Bessel order (γ−1)/2 ≥ 0).
    var hasExactPieces: Bool {
        guard isDrivenByGradient else { return false }
        if case .bessel(let gamma) = modalForm { return gamma >= 1 }
        return isAutonomous
    }
}

extension ContinuousFlow {
    /// True when exact pieces were measured faster than GSL events for the flow (README,
    /// Solvers): every constant-coefficient flow, and Nesterov with 1 ≤ γ ≤ 10 (γ = 3: 1.7 s
    /// against 5.1 s at n = 20, d = 10, m = 2000, T = 50; γ = 7: 2.2 s against 3.6 s at
    /// m = 500). From γ ≈ 15 both solvers crawl through cascades of switches of pairs that
    /// bounce on their surface, and the Bessel functions' start values at t0 = 1e-6 overflow
    /// beyond γ ≈ 70. `auto` asks this only for the flows the kinetic solver does not follow
    /// (higher order): it takes the kinetic solver for gradient flow, HBF and Nesterov.
    var exactPiecesMeasuredFaster: Bool {
        guard hasExactPieces else { return false }
        if case .bessel(let gamma) = modalForm { return gamma <= 10 }
        return true
    }
}

extension PieceModes: PieceSolution {
    /// Constant coefficients: one bound for the whole piece.
    func rate(at tau: Double) -> Double { rate }

    func projectedSteps(from tau: Double, to end: Double, stepFactor: Double) -> Double {
        (end - tau) * rate / stepFactor
    }
}
