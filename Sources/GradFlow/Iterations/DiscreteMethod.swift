/// A discrete optimizer (GD, Polyak heavy ball, Nesterov, multi-momentum, GD+M, Gauss–Newton,
/// or the explicit discretization of a continuous flow) placed on the continuous time axis of
/// its limiting ODE, so that iterates and flows can be compared at equal t (DESIGN.md §3,
/// "one time axis"; 002 §3–5 for the correspondences).
///
/// A method is a value: its parameters and time map. Running it needs an iterator, created
/// per run by `makeIterator(field:initialPosition:)`, which owns all workspaces.
public protocol DiscreteMethod: Sendable {
    /// Short name used in outputs ("gd", "hb", "nag", …).
    var name: String { get }
    /// The parameters as name/value pairs, for summaries.
    var parameters: [(String, Double)] { get }
    /// The continuous time t_k that iterate w_k stands for (e.g. k√η for heavy ball and
    /// Nesterov, kη for GD).
    func time(ofIteration k: Int) -> Double
    /// The continuous flow whose limit the method is and whose energy is evaluated along the
    /// iterates (HB ↔ HeavyBallFlow(friction: (1−β)/√η), …); nil when the library has no
    /// such flow (Gauss–Newton's Newton flow).
    var matchingFlow: (any ContinuousFlow)? { get }
    /// A fresh iterator at w_0 = `initialPosition` (k = 0, zero velocity). Throws `InputError`
    /// for invalid parameters, a position of the wrong length or with NaN/Inf, or a field
    /// the method does not apply to.
    func makeIterator(field: any Model, initialPosition: [Double]) throws -> any DiscreteIterator
    /// Checks the parameters alone (η > 0, β finite, γ ∈ [0, 1), …), so that a front end
    /// can refuse a method before any run starts; `makeIterator` checks them too.
    func validate() throws

    // MARK: Theory, stated in each method's file

    /// The law of the loss decay: exponential, or a power of k (increasing momentum).
    var lossLaw: RateFit.Law { get }
    /// The two-step linear iteration [ξ_{k+1}; ξ_k] = M [ξ_k; ξ_{k−1}] whose residual pairs
    /// the Lyapunov tables and `regime` report (heavy ball and NAG); nil otherwise.
    var residualPairIteration: LinearIteration? { get }
    /// The spectral radius of the iteration on a frozen kernel with these eigenvalues (003
    /// eqs. 22–23, 001 Thm 5); nil for methods with varying momentum.
    func spectralRadius(eigenvalues: [Double]) throws -> Double?
    /// Bounds on the loss along the iterations, in the linear regime (GD: L_k ≤ ρ^{2k} L_0).
    func lossBounds(eigenvalues: [Double], initialLoss: Double) throws -> [BoundCheck]
}

/// A constant-momentum method's parameters as the linear regime analyses them.
public struct LinearIteration: Sendable {
    public var stepSize: Double
    public var momentum: Double
    public var kind: LinearRegime.Method

    public init(stepSize: Double, momentum: Double, kind: LinearRegime.Method) {
        self.stepSize = stepSize
        self.momentum = momentum
        self.kind = kind
    }

    /// The analysis on a spectrum.
    public func regime(eigenvalues: [Double]) throws -> LinearRegime {
        try LinearRegime(eigenvalues: eigenvalues, stepSize: stepSize, momentum: momentum, method: kind)
    }
}

extension DiscreteMethod {
    public func validate() throws {}
    public var lossLaw: RateFit.Law { .exponential }
    public var residualPairIteration: LinearIteration? { nil }

    public func spectralRadius(eigenvalues: [Double]) throws -> Double? {
        try residualPairIteration.map { try $0.regime(eigenvalues: eigenvalues).spectralRadius }
    }

    public func lossBounds(eigenvalues: [Double], initialLoss: Double) throws -> [BoundCheck] { [] }
}

extension DiscreteMethod {
    /// τ = t_1 − t_0, the time one step stands for (every method here has a constant τ).
    public var timePerStep: Double { time(ofIteration: 1) - time(ofIteration: 0) }

    /// The number of steps K with t_K closest to T (at least 0). Needs a finite τ > 0 and a
    /// K that fits an `Int` (see `checkedIterations(toReach:)`).
    public func iterations(toReach t: Double) -> Int {
        max(0, Int(((t - time(ofIteration: 0)) / timePerStep).rounded()))
    }

    /// `iterations(toReach:)` for a run that samples every iteration, after checking the
    /// parameters (`validate`), that one step stands for a finite time τ > 0, and that the
    /// K + 1 samples fit in this machine's memory (`MemoryEstimate`). A step size of 0 or
    /// 1e-300 is refused here instead of trapping on the conversion of T/τ to an `Int`.
    public func checkedIterations(toReach t: Double) throws -> Int {
        try validate()
        let tau = timePerStep
        guard tau.isFinite, tau > 0 else {
            throw InputError("time per step τ", value: "\(tau)", allowed: "one iteration must stand for a finite time > 0 (check η and the momentum)")
        }
        let k = max(0, ((t - time(ofIteration: 0)) / tau).rounded())
        try MemoryEstimate.check(bytes: (k + 1) * MemoryEstimate.bytesPerSample, "iterations",
                                 value: "K = \(NumberFormat.short(k)) (τ = \(NumberFormat.short(tau)) per iteration, to reach t = \(NumberFormat.short(t)))",
                                 what: "sampling every iteration")
        return Int(k)
    }
}

/// The running state of one discrete method on one field. `step()` works in place on
/// buffers allocated by `makeIterator`: it allocates nothing, and evaluates the gradient
/// through `Model.gradient(at:into:)`.
public protocol DiscreteIterator: AnyObject {
    /// k: the number of steps taken.
    var iteration: Int { get }
    /// w_k, valid until the next `step()`.
    var position: VectorView { get }
    /// The finite-difference velocity (w_k − w_{k−1})/τ with τ the method's time per step;
    /// zero at k = 0. Valid until the next `step()`.
    var velocity: VectorView { get }
    /// Gradient evaluations so far.
    var gradientEvaluations: Int { get }
    /// w_k → w_{k+1}.
    func step()
    /// False once the iterate is known to be NaN or Inf. The default reads `position`
    /// (O(N)); an iterator that forms the position only on demand answers from its errors.
    var isFinite: Bool { get }
    /// The loss ½‖Δ_j‖² of the latest iterate j ≤ k whose loss the iterations formed anyway
    /// (nil when they do not): the kinetic iterator knows j = k, the dense ones j = k − 1
    /// from the gradient at w_{k−1} (when the model's gradient forms it,
    /// `Model.lossAtLastGradient`). Read after every step, it gives every iterate's loss for free.
    var lastKnownLoss: (loss: Double, iteration: Int)? { get }
    /// True when `lastKnownLoss` will report every iterate (read after every step), so that a
    /// run may sample fewer iterations and still know its exact minimum loss.
    var knowsEveryLoss: Bool { get }
    /// Activation flips so far, for iterators that track them.
    var activationFlips: Int? { get }
}

extension DiscreteIterator {
    public var isFinite: Bool { position.isFinite }
    public var lastKnownLoss: (loss: Double, iteration: Int)? { nil }
    public var knowsEveryLoss: Bool { false }
    public var activationFlips: Int? { nil }
}

/// Validation shared by the methods' `makeIterator`.
enum DiscreteMethodInput {
    static func checkPosition(_ x: [Double], field: any Model) throws {
        guard x.count == field.dimension else {
            throw InputError("initial position", value: "\(x.count) values", allowed: "expected \(field.dimension)")
        }
        if let bad = x.first(where: { !$0.isFinite }) {
            throw InputError("initial position", value: "\(bad)", allowed: "all entries must be finite")
        }
    }

    static func checkStepSize(_ eta: Double, _ name: Parameter = "step size η") throws {
        guard eta.isFinite, eta > 0 else {
            throw InputError(name, value: "\(eta)", allowed: "must be finite and > 0")
        }
    }

    static func checkFinite(_ value: Double, _ name: Parameter) throws {
        guard value.isFinite else {
            throw InputError(name, value: "\(value)", allowed: "must be finite")
        }
    }
}
