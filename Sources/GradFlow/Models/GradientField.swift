/// What a flow moves: a state x (the weights W or the errors Δ) with a potential Φ whose
/// gradient drives every flow and discrete method. Implementations own their workspaces,
/// so `gradient(at:into:)`, the hot path, allocates nothing.
public protocol GradientField: AnyObject {
    /// The length N of the state x.
    var dimension: Int { get }
    /// The number n of training samples (the length of Δ).
    var sampleCount: Int { get }
    /// Writes ∇Φ(x) into `gradient`.
    func gradient(at x: VectorView, into gradient: MutableVectorView)
    /// The Hessian of Φ when it is constant (the linear error model), else nil. Implicit
    /// GSL steppers need it for the Jacobian.
    var constantHessian: DenseMatrix? { get }
    /// The prediction error Δ = f − y at x.
    func residual(at x: VectorView) -> [Double]
    /// Δ̇ = (∂Δ/∂x) ẋ for a state velocity ẋ.
    func residualRate(at x: VectorView, velocity: VectorView) -> [Double]
    /// The kernel H at x: H(W) for weights (002 eq. 2.6), the frozen H for errors.
    func kernel(at x: VectorView) -> DenseMatrix
    /// Φ(x): the loss L for weights, the pseudo-loss L̂ = ½ΔᵀHΔ for errors.
    func potential(at x: VectorView) -> Double
    /// The pseudo-loss L̂ = ½ΔᵀH(x)Δ.
    func pseudoLoss(at x: VectorView) -> Double
}
