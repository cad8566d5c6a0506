import XCTest
import Foundation
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport

/// The weight right-hand side of the ReLU network against finite differences and against
/// the NTK identities H = JJᵀ, ∇L = JᵀΔ.
final class ReLUWeightFieldTests: XCTestCase {
    private func network(n: Int = 5, d: Int = 3, m: Int = 40, seed: UInt64 = 3) throws -> ReLUNetwork {
        let random = RandomSource(seed: seed)
        let data = try Dataset.synthetic(samples: n, dimension: d, labels: .gaussian, random: random)
        return try ReLUNetwork.gaussian(data: data, width: m, random: random)
    }

    private func loss(_ field: ReLUWeightField, _ w: [Double]) -> Double {
        w.withView { field.potential(at: $0) }
    }

    /// Smallest |w_rᵀx_i|: the distance to the nearest kink, in pre-activation units.
    private func kinkDistance(_ net: ReLUNetwork, _ w: [Double]) -> Double {
        let z = net.data.inputs * DenseMatrix(rows: net.dimension, columns: net.width, elements: w)
        return z.elements.map(abs).min()!
    }

    func testGradientMatchesCentralDifferences() throws {
        let net = try network()
        let field = ReLUWeightField(network: net)
        let w = net.initialWeights.elements
        // Central differences with h = 1e-6 stay on one side of every kink when the nearest
        // kink is ≫ h·‖x‖ = 1e-6; the loss is then quadratic in each direction, so the
        // difference quotient is exact up to rounding ≈ 1e-16·L/h ≈ 1e-9.
        XCTAssertGreaterThan(kinkDistance(net, w), 1e-4)
        var g = [Double](repeating: 0, count: w.count)
        w.withView { x in g.withMutableView { field.gradient(at: x, into: $0) } }
        let h = 1e-6
        var worst = 0.0
        for k in 0..<w.count {
            var plus = w, minus = w
            plus[k] += h
            minus[k] -= h
            let fd = (loss(field, plus) - loss(field, minus)) / (2 * h)
            worst = max(worst, abs(fd - g[k]))
        }
        XCTAssertLessThan(worst, 1e-7)
    }

    func testResidualRateMatchesDirectionalDifference() throws {
        let net = try network()
        let field = ReLUWeightField(network: net)
        let w = net.initialWeights.elements
        let random = RandomSource(seed: 99)
        let v = (0..<w.count).map { _ in random.gaussian() }
        let rate = w.withView { x in v.withView { field.residualRate(at: x, velocity: $0) } }
        // Δ is piecewise linear in W: away from kinks (distance > 1e-4, step 1e-7·‖v‖∞ ≪ that) the
        // central difference is exact up to rounding ≈ 1e-16/1e-7.
        let h = 1e-7
        let plus = zip(w, v).map { $0 + h * $1 }, minus = zip(w, v).map { $0 - h * $1 }
        let rp = plus.withView { field.residual(at: $0) }, rm = minus.withView { field.residual(at: $0) }
        for i in 0..<rate.count {
            XCTAssertEqual(rate[i], (rp[i] - rm[i]) / (2 * h), accuracy: 1e-7)
        }
    }

    func testPseudoLossEqualsHalfGradientNormSquared() throws {
        // L̂ = ½ΔᵀH(W)Δ with H from eq. (2.6) must equal ½‖∇L‖² (H = JJᵀ, ∇L = JᵀΔ).
        let net = try network()
        let field = ReLUWeightField(network: net)
        let w = net.initialWeights.elements
        let delta = w.withView { field.residual(at: $0) }
        let h = w.withView { field.kernel(at: $0) }
        let hd = h * delta
        let viaKernel = 0.5 * zip(delta, hd).reduce(0) { $0 + $1.0 * $1.1 }
        let viaGradient = w.withView { field.pseudoLoss(at: $0) }
        // Two summation orders of the same O(1) quantity: agreement to 1e-13 relative.
        XCTAssertEqual(viaGradient, viaKernel, accuracy: 1e-13 * viaKernel)
    }

    func testPredictionMatchesDirectFormula() throws {
        // f(x_i) = (1/√m) Σ_r a_r max(w_rᵀx_i, 0), evaluated directly.
        let net = try network()
        let field = ReLUWeightField(network: net)
        let w = net.initialWeights.elements
        let delta = w.withView { field.residual(at: $0) }
        for i in 0..<net.sampleCount {
            var f = 0.0
            for r in 0..<net.width {
                var z = 0.0
                for j in 0..<net.dimension { z += net.data.inputs[i, j] * net.initialWeights[j, r] }
                f += net.outputWeights[r] * max(z, 0)
            }
            f /= Double(net.width).squareRoot()
            XCTAssertEqual(delta[i], f - net.data.targets[i], accuracy: 1e-13)
        }
    }

    func testLazyTrainingMonitorsAtInitialization() throws {
        let net = try network()
        let field = ReLUWeightField(network: net)
        let w = net.initialWeights.elements
        XCTAssertEqual(w.withView { field.maxWeightDistance(at: $0) }, 0)
        XCTAssertEqual(w.withView { field.patternChangeRatio(at: $0) }, 0)
        // Moving one neuron by δ gives distance exactly |δ|·‖e_j‖ = |δ|; flipping its sign pattern
        // (w_r → −w_r) changes every pattern of that neuron where z ≠ 0: n of the n·m pairs.
        var moved = w
        for j in 0..<net.dimension { moved[j * net.width + 2] = -w[j * net.width + 2] }
        let expectedDistance = 2 * (0..<net.dimension).map { w[$0 * net.width + 2] * w[$0 * net.width + 2] }.reduce(0, +).squareRoot()
        XCTAssertEqual(moved.withView { field.maxWeightDistance(at: $0) }, expectedDistance, accuracy: 1e-14)
        XCTAssertEqual(moved.withView { field.patternChangeRatio(at: $0) }, 1 / Double(net.width), accuracy: 1e-15)
    }

    func testBLASConfigurationIsTheSameOnEveryThread() {
        // Parallel runs read the configuration for their records at the same time; OpenBLAS
        // builds the string in a static buffer, so unguarded concurrent reads came back
        // doubled ("CooperlakeCooperlake"). Every read must give one copy of each part.
        let reads = 64
        let slots = UnsafeMutableBufferPointer<String>.allocate(capacity: reads)
        slots.initialize(repeating: "")
        defer { slots.deinitialize(); slots.deallocate() }
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: reads) { k in shared[k] = BLASThreads.configuration }
        let seen = Array(slots)
        XCTAssertEqual(Set(seen).count, 1, "\(Set(seen))")
        XCTAssertEqual(seen[0].components(separatedBy: "MAX_THREADS").count, 2, seen[0])
    }

    func testPeakMemoryIsAtLeastWhatIsResidentNow() throws {
        // Touch 64 MiB; the peak (VmHWM of /proc/self/status) must then be at least 64 MiB and
        // at least the resident set read through another interface, /proc/self/statm
        // (resident pages × page size), a moment later (the peak can only have grown).
        let block = [Double](repeating: 1, count: 8 << 20)
        XCTAssertEqual(block[block.count - 1], 1)
        let peak = PeakMemory.bytes
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = try XCTUnwrap(Int(statm.split(separator: " ")[1]))
        let resident = pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        XCTAssertGreaterThanOrEqual(peak, 64 << 20)
        XCTAssertGreaterThanOrEqual(PeakMemory.bytes, resident, "peak \(peak) B, resident \(resident) B")
    }

    func testBLASResolvesToOpenBLAS() throws {
        // The cblas_dgemm that the process resolves (RTLD_DEFAULT lookup, in link order) must
        // live in OpenBLAS, not in GSL's reference libgslcblas.
        XCTAssertTrue(BLASThreads.configuration.contains("OpenBLAS"))
        let symbol = try XCTUnwrap(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_dgemm"))
        let address = UInt(bitPattern: symbol)
        let maps = String(decoding: try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/maps")).readDataToEndOfFile(),
                          as: UTF8.self)
        var library = "no mapping"
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let range = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if range.count == 2, range[0] <= address, address < range[1] {
                library = fields.count >= 6 ? String(fields[5]) : "anonymous"
            }
        }
        XCTAssertTrue(library.contains("openblas"), "cblas_dgemm comes from \(library)")
    }
}
