/// The explicit finite-difference discretization, with step h, of any continuous flow of
/// order p (002 §2–5, in the common form of `ContinuousFlow`)
///
///     x^{(p)} + Σ_{j=1}^{p−1} c_j(t) x^{(j)} + ∇Φ(x) = 0,
///
/// at t_k = t_0 + k h: x^{(p)}(t_k) ≈ ∇^p x_{k+1} / h^p (backward difference of order p at
/// k + 1), x^{(j)}(t_k) ≈ ∇^j x_k / h^j (backward differences at k), ∇Φ at x_k. Writing
/// d_q = x_{k+1−q} − x_{k−q}, ∇^p x_{k+1} = Σ_{i=0}^{p−1} (−1)^i C(p−1, i) d_i and
/// ∇^j x_k = Σ_{i=0}^{j−1} (−1)^i C(j−1, i) d_{i+1}, so solving for d_0 gives the
/// multi-momentum method of 002 §5.1 with J = p − 1,
///
///     x_{k+1} = x_k − h^p ∇Φ(x_k) + Σ_{q=1}^{J} β_q (x_{k+1−q} − x_{k−q}),
///     β_q = (−1)^{q+1} [ C(J, q) − Σ_{j=q}^{J} c_j(t_k) h^{J+1−j} C(j−1, q−1) ],
///
/// started from x_{−1} = … = x_{−J} = x_0 (the flows' zero initial derivatives). Cases:
/// - gradient flow (p = 1): x_{k+1} = x_k − h∇Φ(x_k), exactly GD with η = h;
/// - heavy ball with friction (p = 2, c_1 = b): β_1 = 1 − bh, η = h², exactly Polyak's HB
///   (difference form) — the "one time axis" map of DESIGN.md §3, t_k = k√η;
/// - p = 3: β_1 = 2 − c_2 h − c_1 h², β_2 = c_2 h − 1, η = h³;
/// - Nesterov's ODE (c_1 = γ/t): singular at t = 0, so the discretization starts at
///   t_0 = h by default (x_0 stands for x(h) = x(0) + O(h²), within the O(h) error of the
///   scheme), giving β_k = 1 − γ/(k + 1) — to first order in 1/k the NAG momentum
///   k/(k + γ) = 1 − γ/(k + γ) of 002 eq. 4.1.
/// Every approximation is first-order accurate, so the global error at fixed T is O(h).
///
/// The iterates are computed by the same recurrence code as `GradientDescent`,
/// `PolyakHeavyBall(form: .difference)` and `MultiMomentum`, in the same floating-point
/// order, so with η = h^p and β computed as above they agree bit for bit.
public struct ExplicitFlowDiscretization: DiscreteMethod {
    public let flow: any ContinuousFlow
    /// h > 0.
    public let step: Double
    /// t_0, the time of x_0: 0 for autonomous flows, h for the others (Nesterov) unless given.
    public let startTime: Double

    public init(flow: any ContinuousFlow, step: Double, startTime: Double? = nil) {
        self.flow = flow
        self.step = step
        self.startTime = startTime ?? (flow.isAutonomous ? 0 : step)
    }

    public var name: String { "discretized-\(flow.name)" }
    public var parameters: [(String, Double)] { [("h", step), ("t0", startTime)] + flow.parameters }
    /// t_k = t_0 + k h.
    public func time(ofIteration k: Int) -> Double { startTime + Double(k) * step }
    public var matchingFlow: (any ContinuousFlow)? { flow }

    public func validate() throws {
        try DiscreteMethodInput.checkStepSize(step, "step h")
        guard startTime.isFinite, startTime >= 0 else {
            throw InputError("start time t0", value: "\(startTime)", allowed: "must be finite and ≥ 0")
        }
        guard flow.order >= 1 else {
            throw InputError("flow order", value: "\(flow.order)", allowed: "must be ≥ 1")
        }
        for j in stride(from: 1, to: flow.order, by: 1) where !flow.damping(j, at: startTime).isFinite {
            throw InputError("\(flow.name) damping c\(j)(t0)", value: "\(flow.damping(j, at: startTime))",
                             allowed: "must be finite at the start time t0 = \(startTime) (start later for a singular flow)")
        }
    }

    public func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator {
        try validate()
        try DiscreteMethodInput.checkPosition(initialPosition, field: field)
        return MomentumRecurrenceIterator(field: field, initialPosition: initialPosition, flow: flow,
                                          step: step, startTime: startTime)
    }

    // MARK: - The β_q ↔ c_j map

    /// β_1 … β_J of the discretization with step h of constant damping c_1 … c_J (flow order
    /// J + 1); η = h^{J+1}.
    public static func momentumCoefficients(damping c: [Double], step h: Double) -> [Double] {
        let depth = c.count
        let p = powers(of: h, upTo: depth + 1)
        return (0..<depth).map { q in momentum(q + 1, depth: depth, powers: p) { c[$0 - 1] } }
    }

    /// The inverse map: the damping c_1 … c_J whose discretization with step h has momenta
    /// β_1 … β_J. Solved from q = J down to 1 (the system is triangular):
    /// c_q h^{J+1−q} = C(J, q) − (−1)^{q+1}β_q − Σ_{j>q} c_j h^{J+1−j} C(j−1, q−1).
    public static func damping(momentumCoefficients beta: [Double], step h: Double) -> [Double] {
        let depth = beta.count
        let p = powers(of: h, upTo: depth + 1)
        var c = [Double](repeating: 0, count: depth)
        for q in stride(from: depth, through: 1, by: -1) {
            let sign: Double = q % 2 == 1 ? 1 : -1
            var rest = binomial(depth, q) - sign * beta[q - 1]
            for j in stride(from: q + 1, through: depth, by: 1) {
                rest -= c[j - 1] * p[depth + 1 - j] * binomial(j - 1, q - 1)
            }
            c[q - 1] = rest / p[depth + 1 - q]
        }
        return c
    }

    /// h^0 … h^p by repeated multiplication (h^1 = h and h^2 = h·h exactly as a caller
    /// would write them).
    static func powers(of h: Double, upTo p: Int) -> [Double] {
        var out = [Double](repeating: 1, count: p + 1)
        if p >= 1 { for e in 1...p { out[e] = out[e - 1] * h } }
        return out
    }

    /// Writes β_q(t) for the flow's damping at t into `momenta` (count J); allocates nothing.
    static func fillMomenta(flow: any ContinuousFlow, at t: Double, powers: [Double], into momenta: inout [Double]) {
        let depth = momenta.count
        for q in 1...depth {
            momenta[q - 1] = momentum(q, depth: depth, powers: powers) { flow.damping($0, at: t) }
        }
    }

    /// β_q = (−1)^{q+1} [C(J, q) − Σ_{j=q}^{J} c_j h^{J+1−j} C(j−1, q−1)], summed in j order.
    @inline(__always)
    static func momentum(_ q: Int, depth: Int, powers: [Double], damping c: (Int) -> Double) -> Double {
        var sum = 0.0
        for j in q...depth { sum += c(j) * powers[depth + 1 - j] * binomial(j - 1, q - 1) }
        let sign: Double = q % 2 == 1 ? 1 : -1
        return sign * (binomial(depth, q) - sum)
    }

    /// C(n, k) as a Double (exact for the small n used here).
    static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var r = 1.0
        for i in 0..<k { r = r * Double(n - i) / Double(i + 1) }
        return r
    }
}
