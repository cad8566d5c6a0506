import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics

/// The issue-9 changes to the exact-pieces solver against independent computations: the
/// weight route of the scans against the Gram route (the existing algorithm), and LAPACK's
/// dsyevd against GSL's full decomposition.
final class ExactPiecesRouteTests: XCTestCase {
    private func randomNetwork(samples n: Int, dimension d: Int, width m: Int, seed: UInt64,
                               labels: Dataset.LabelKind = .gaussian) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: labels, random: random)
        return try ReLUNetwork.gaussian(data: data, width: m, random: random)
    }

    /// Runs exact pieces from W(0) (zero higher derivatives) to `end` with the given route.
    private func solve(_ net: ReLUNetwork, _ flow: any ContinuousFlow, route: ExactPiecesSolver.ResponseRoute,
                       end: Double) throws -> (weights: [Double], statistics: SwitchingStatistics) {
        let kernel = ReLUSwitchingKernel(network: net)
        let nb = kernel.weightCount
        var state = net.initialWeights.elements + [Double](repeating: 0, count: (flow.order - 1) * nb)
        state = Array(state.prefix(flow.order * nb))
        var z = [Double](repeating: 0, count: kernel.pairCount)
        state.withView { w in z.withMutableView { kernel.preactivations(w.slice(0, nb), into: $0) } }
        let band = 1e-12 * (1 + (z.map(abs).max() ?? 0))
        let pattern = SwitchingPattern(preactivations: z, samples: kernel.n, width: kernel.m, releaseBand: band)
        let solver = try ExactPiecesSolver(kernel: kernel, pattern: pattern, flow: flow, eventTolerance: 1e-12,
                                           initialState: state, responseRoute: route)
        XCTAssertEqual(solver.responseRoute, route)
        try solver.advance(to: end)
        return (solver.currentPositionAndVelocity().0, solver.statistics)
    }

    /// Both routes compute T = X J_Pᵀφ exactly in exact arithmetic; in floating point each z
    /// differs by a few ulps of the products (~1e-15 relative), which moves each located switch
    /// by far less than the event tolerance 1e-12 times the pair's speed. Over dozens of
    /// switches the weights at T then agree to ~1e-12; 1e-9 (the bound) leaves room.
    /// The switch counts (crossings, sliding entries and exits) must be equal.
    func testWeightRouteAgreesWithGramRoute() throws {
        let cases: [(ReLUNetwork, any ContinuousFlow, Double)] = [
            (try randomNetwork(samples: 6, dimension: 4, width: 100, seed: 5, labels: .signs), HeavyBallFlow(friction: 0.6), 15),
            (try randomNetwork(samples: 4, dimension: 3, width: 6, seed: 34), GradientFlow(), 4),
            (try randomNetwork(samples: 5, dimension: 3, width: 40, seed: 2, labels: .signs),
             HigherOrderMomentumFlow(coefficients: [3, 3]), 4),
            (try randomNetwork(samples: 12, dimension: 3, width: 200, seed: 1, labels: .signs), GradientFlow(), 5),
        ]
        for (net, flow, end) in cases {
            let gram = try solve(net, flow, route: .gram, end: end)
            let weights = try solve(net, flow, route: .weights, end: end)
            XCTAssertGreaterThan(gram.statistics.events, 0, flow.name)
            XCTAssertEqual(gram.statistics.crossings, weights.statistics.crossings, flow.name)
            XCTAssertEqual(gram.statistics.slidingEntries, weights.statistics.slidingEntries, flow.name)
            XCTAssertEqual(gram.statistics.slidingExits, weights.statistics.slidingExits, flow.name)
            XCTAssertLessThan(relativeDifference(weights.weights, gram.weights), 1e-9, flow.name)
        }
    }

    /// dsyevd against GSL's symmv on a random symmetric matrix and on an NTK-like PSD one with
    /// a repeated eigenvalue: equal eigenvalues to 1e-12 relative to ‖A‖ (both are backward
    /// stable, so each is within a few ulps·n of the truth), orthonormal vectors and
    /// ‖A Q − Q Λ‖ ≤ 1e-12 ‖A‖.
    func testLAPACKEigenAgreesWithGSL() throws {
        let random = RandomSource(seed: 3)
        let n = 37
        var b = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) { b[k] = random.gaussian() }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = b[i * n + j] + b[j * n + i] } }
        // A PSD matrix with a double zero eigenvalue: rank n − 2.
        var psd = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<(n - 2) { psd[i * n + j] += b[i * n + k] * b[j * n + k] } } }
        for matrix in [a, psd] {
            let workspace = LAPACKSymmetricEigen(size: n)
            let (values, vectors) = try workspace.decompose(symmetrizing: matrix)
            let reference = try SymmetricEigensystem(DenseMatrix(rows: n, columns: n, elements: matrix))
            let scale = matrix.map(abs).max()! * Double(n)
            for k in 0..<n { XCTAssertEqual(values[k], reference.values[k], accuracy: 1e-12 * scale) }
            for p in 0..<n {
                for q in 0..<n {
                    var dot = 0.0
                    for i in 0..<n { dot += vectors[i * n + p] * vectors[i * n + q] }
                    XCTAssertEqual(dot, p == q ? 1 : 0, accuracy: 1e-12)
                }
                for i in 0..<n {
                    var s = 0.0
                    for j in 0..<n { s += matrix[i * n + j] * vectors[j * n + p] }
                    XCTAssertEqual(s, values[p] * vectors[i * n + p], accuracy: 1e-12 * scale)
                }
            }
        }
    }
}
