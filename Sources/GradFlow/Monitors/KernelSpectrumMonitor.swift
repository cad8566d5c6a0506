/// `lambda_min`: λ_min(H(t)) of the run's kernel, through GSL's symmetric eigensolver
/// (002 Lemma 3.2 asks for λ_min(H(t)) ≥ λ0/2). Costs an n×n eigen-decomposition and,
/// for weight runs, O(n²m) for H(W) at each sample.
public struct KernelSpectrumMonitor: Monitor {
    public init() {}

    public var columns: [Observable] { [.lambdaMin] }

    public func measure(_ s: StateSnapshot) -> [Double] {
        let h = s.field.kernel(at: s.position)
        return [(try? SymmetricEigensystem(h).minimum) ?? .nan]
    }
}
