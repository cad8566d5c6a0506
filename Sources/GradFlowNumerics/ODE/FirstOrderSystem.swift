/// A first-order system y' = F(t, y) as GSL integrates it.
public protocol FirstOrderSystem: AnyObject {
    /// The length of y.
    var dimension: Int { get }
    /// Writes F(t, y) into `derivative`.
    func evaluate(t: Double, state: VectorView, derivative: MutableVectorView)
    /// Writes ∂F/∂y (row-major dimension×dimension) and ∂F/∂t; returns false when the
    /// Jacobian is not available.
    func jacobian(t: Double, state: VectorView, dfdy: MutableVectorView, dfdt: MutableVectorView) -> Bool
    /// True when `jacobian` is available.
    var hasJacobian: Bool { get }
}
