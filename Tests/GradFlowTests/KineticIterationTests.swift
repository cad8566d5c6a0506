import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics

/// The kinetic GD / heavy-ball iterator (`KineticMomentumIterator`, issue 9 item 5) against
/// the dense recurrence (`MomentumRecurrenceIterator`, two GEMMs per iteration) on small
/// problems.
final class KineticIterationTests: XCTestCase {
    private func randomNetwork(samples n: Int, dimension d: Int, width m: Int, seed: UInt64) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: .signs, random: random)
        return try ReLUNetwork.gaussian(data: data, width: m, random: random)
    }

    /// The peers' parameters: η = 1/λmax(H(0)), β = (1 − 1/(2√κ))², κ of H(0).
    private func peerParameters(_ net: ReLUNetwork) throws -> (eta: Double, beta: Double) {
        let h0 = try KernelSpectrum(NeuralTangentKernel.empirical(inputs: net.data.inputs, weights: net.initialWeights))
        let kappa = h0.lambdaMax / h0.lambdaMin
        return (1 / h0.lambdaMax, pow(1 - 1 / (2 * kappa.squareRoot()), 2))
    }

    private func relativeDifference(_ a: VectorView, _ b: VectorView) -> Double {
        var num = 0.0, den = 0.0
        for i in 0..<a.count {
            num += (a[i] - b[i]) * (a[i] - b[i])
            den += b[i] * b[i]
        }
        return (num / den).squareRoot()
    }

    func testProbe() throws {
        for seed: UInt64 in [1, 2, 3] {
            let net = try randomNetwork(samples: 12, dimension: 5, width: 64, seed: seed)
            let field = ReLUWeightField(network: net)
            let (eta, beta) = try peerParameters(net)
            for (b, scale) in [(0.0, 1.0), (beta, 1.0), (0.0, 4.0), (beta, 4.0)] {
                let w0 = net.initialWeights.elements
                let kinetic = KineticMomentumIterator(kernel: ReLUSwitchingKernel(network: net), initialPosition: w0,
                                                      stepSize: eta * scale, momentum: b, timePerStep: 1)
                let dense = MomentumRecurrenceIterator(field: field, initialPosition: w0, stepSize: eta * scale,
                                                       momenta: b == 0 ? [] : [b], timePerStep: 1)
                var worst = 0.0
                for k in 1...300 {
                    kinetic.step()
                    dense.step()
                    if k % 30 == 0 {
                        worst = max(worst, relativeDifference(kinetic.position, dense.position))
                    }
                }
                print("seed \(seed) beta \(b) scale \(scale): worst rel \(worst) flips \(kinetic.activationFlips ?? -1) checks \(kinetic.pairChecks) raises \(kinetic.boundRaises)")
            }
        }
    }
}

extension KineticIterationTests {
    func testProbeMedium() throws {
        guard ProcessInfo.processInfo.environment["KINETIC_PROBE"] != nil else { return }
        let net = try randomNetwork(samples: 256, dimension: 64, width: 4096, seed: 0)
        let (eta, beta) = try peerParameters(net)
        for b in [0.0, beta] {
            let clock = ContinuousClock()
            let t0 = clock.now
            let kinetic = KineticMomentumIterator(kernel: ReLUSwitchingKernel(network: net), initialPosition: net.initialWeights.elements,
                                                  stepSize: eta, momentum: b, timePerStep: 1)
            let t1 = clock.now
            var last = (0, 0, 0)
            for k in 1...100 {
                kinetic.step()
                if k % 20 == 0 {
                    print("k \(k) lowerings \(kinetic.kernelLowerings) loss \(kinetic.lastKnownLoss!.loss) flips +\(kinetic.activationFlips! - last.0) checks +\(kinetic.pairChecks - last.1) raises +\(kinetic.boundRaises - last.2)")
                    last = (kinetic.activationFlips!, kinetic.pairChecks, kinetic.boundRaises)
                }
            }
            let t2 = clock.now
            print("beta \(b) eta \(eta): init \(t1 - t0), 100 steps \(t2 - t1)")
        }
    }
}
