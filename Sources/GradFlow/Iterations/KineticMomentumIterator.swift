/// GD and Polyak's heavy ball in difference form (002 eq. 3.1, w_{−1} = w_0; GD 002 §4) on
/// the two-layer ReLU network, run kinetically (`KineticIterationKernel`): at a fixed
/// activation mask the network output is linear in W, so the errors follow
/// E_{k+1} = βE_k − ηH_SΔ_k, Δ_{k+1} = Δ_k + E_{k+1} (O(n²) per iteration), every neuron follows
/// in closed form from running sums of the errors, and only the pairs whose safe iteration
/// count has run out are evaluated (O(n) each); a flip corrects Δ and H_S in O(n + d).
///
/// The first iterations, while many pairs lie near their kinks, run densely (two GEMMs each)
/// and hand over to the kinetic ones (`KineticIterationKernel+DensePhase`).
///
/// The iterates are the dense recurrence's (`MomentumRecurrenceIterator`) up to rounding: W_k
/// is formed (one GEMM) only when `position` is read, and W_k − W_{k−1} when `velocity` is.
/// The loss of every iterate is ½‖Δ_k‖², known at each step (`lastKnownLoss`).
/// `gradientEvaluations` counts iterations (one gradient's worth of information each).
final class KineticMomentumIterator: DiscreteIterator {
    private let kernel: KineticIterationKernel
    private let positionBuffer: DoubleBuffer
    private let velocityBuffer: DoubleBuffer
    private let timePerStep: Double
    private var positionIteration = -1
    private var velocityIteration = -1

    init(kernel products: ReLUSwitchingKernel, initialPosition: [Double], stepSize: Double, momentum: Double,
         timePerStep: Double, densePhase: KineticIterationKernel.DensePhase = .automatic) {
        positionBuffer = DoubleBuffer(initialPosition)
        velocityBuffer = DoubleBuffer(count: initialPosition.count)
        kernel = KineticIterationKernel(products: products, weights: positionBuffer.readOnly, stepSize: stepSize,
                                        momentum: momentum, densePhase: densePhase)
        positionIteration = 0
        velocityIteration = 0
        self.timePerStep = timePerStep
    }

    var iteration: Int { kernel.iteration }
    var gradientEvaluations: Int { kernel.iteration }
    var isFinite: Bool { kernel.isFinite }
    var activationFlips: Int? { kernel.flips }
    /// Pair evaluations and bound raises, for diagnostics and tests.
    var pairChecks: Int { kernel.pairChecks }
    var boundRaises: Int { kernel.boundRaises }
    var kernelLowerings: Int { kernel.boundLowerings }
    /// Iterations run densely before the kinetic phase (`KineticIterationKernel.DensePhase`).
    var denseIterations: Int { kernel.denseIterations }
    var isDense: Bool { kernel.isDense }

    var position: VectorView {
        if positionIteration != kernel.iteration {
            kernel.formWeights(into: positionBuffer.view)
            positionIteration = kernel.iteration
        }
        return positionBuffer.readOnly
    }

    /// (w_k − w_{k−1})/τ.
    var velocity: VectorView {
        if velocityIteration != kernel.iteration {
            let v = velocityBuffer.view
            kernel.formStep(into: v)
            let inverse = 1 / timePerStep
            for i in 0..<v.count { v[i] *= inverse }
            velocityIteration = kernel.iteration
        }
        return velocityBuffer.readOnly
    }

    var knowsEveryLoss: Bool { true }
    /// ½‖Δ_k‖² of the current iterate.
    var lastKnownLoss: (loss: Double, iteration: Int)? { (kernel.loss, kernel.iteration) }

    func step() { kernel.step() }
}
