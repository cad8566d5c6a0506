import Foundation
import XCTest
@testable import GradFlow
@testable import GradFlowNumerics
@testable import GradFlowExport
@testable import gradflow

/// Data sources (synthetic, CSV), network initialization and export, and the NTK
/// (empirical 002 eq. (2.6), limit 002 Fact 2.2, spectrum).
final class DataAndKernelTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("DataAndKernelTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Runs `body`, requires an `InputError`, and returns its one-line message.
    private func inputErrorMessage(_ body: () throws -> Void, file: StaticString = #filePath,
                                   line: UInt = #line) -> String {
        do {
            try body()
            XCTFail("expected an InputError", file: file, line: line)
            return ""
        } catch let error as InputError {
            // Rendered as the command line reports it, with the flag the user typed.
            let message = InputNames.message(error)
            XCTAssertFalse(message.contains("\n"), "message must be one line: \(message)", file: file, line: line)
            return message
        } catch {
            XCTFail("expected an InputError, got \(error)", file: file, line: line)
            return ""
        }
    }

    // MARK: - Synthetic data

    func testSyntheticInputsHaveUnitNorm() throws {
        for d in [1, 4, 10, 100] {
            let data = try Dataset.synthetic(samples: 50, dimension: d, labels: .signs,
                                             random: RandomSource(seed: 7))
            XCTAssertEqual(data.sampleCount, 50)
            XCTAssertEqual(data.dimension, d)
            for i in 0..<data.sampleCount {
                let norm = data.inputs.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
                // Dividing d coordinates by their computed norm and re-summing the squares
                // leaves O(√d) rounding errors of ε/2 ≈ 1.1e-16 each (random-walk growth);
                // 1e-15·√d allows ~9√d of them.
                XCTAssertEqual(norm, 1, accuracy: 1e-15 * Double(d).squareRoot(), "d = \(d), i = \(i)")
            }
        }
    }

    func testSyntheticIsReproducibleAndSeedDependent() throws {
        let a = try Dataset.synthetic(samples: 20, dimension: 5, labels: .gaussian, random: RandomSource(seed: 42))
        let b = try Dataset.synthetic(samples: 20, dimension: 5, labels: .gaussian, random: RandomSource(seed: 42))
        let c = try Dataset.synthetic(samples: 20, dimension: 5, labels: .gaussian, random: RandomSource(seed: 43))
        // Same seed: bit-identical (exact comparison of bit patterns, no tolerance).
        XCTAssertEqual(a.inputs.elements.map(\.bitPattern), b.inputs.elements.map(\.bitPattern))
        XCTAssertEqual(a.targets.map(\.bitPattern), b.targets.map(\.bitPattern))
        // Different seed: different streams; a coincidence of even one value has
        // probability ~0, so every value is required to differ.
        for (u, v) in zip(a.inputs.elements, c.inputs.elements) { XCTAssertNotEqual(u, v) }
        for (u, v) in zip(a.targets, c.targets) { XCTAssertNotEqual(u, v) }
    }

    func testSyntheticDrawOrderAndLabelKinds() throws {
        let n = 200, d = 3
        for kind in Dataset.LabelKind.allCases {
            let data = try Dataset.synthetic(samples: n, dimension: d, labels: kind, random: RandomSource(seed: 11))
            // Independent replay of the documented order: n·d Gaussians (inputs, row by
            // row), then n labels. The same arithmetic, so equality is exact.
            let replay = RandomSource(seed: 11)
            for i in 0..<n {
                let g = (0..<d).map { _ in replay.gaussian() }
                let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for k in 0..<d { XCTAssertEqual(data.inputs[i, k], g[k] / norm) }
            }
            let labels = (0..<n).map { _ in kind == .signs ? replay.sign() : replay.gaussian() }
            XCTAssertEqual(data.targets, labels)
            switch kind {
            case .signs:
                XCTAssertTrue(data.targets.allSatisfy { $0 == 1 || $0 == -1 })
                // Both signs appear: P(all 200 equal) = 2^-199.
                XCTAssertTrue(data.targets.contains(1) && data.targets.contains(-1))
            case .gaussian:
                XCTAssertFalse(data.targets.contains { $0 == 1 || $0 == -1 })
                // Sample mean of 200 N(0,1) draws has std 1/√200 ≈ 0.071; 0.4 is > 5 std.
                XCTAssertEqual(data.targets.reduce(0, +) / Double(n), 0, accuracy: 0.4)
            }
        }
        XCTAssertEqual(Dataset.LabelKind(rawValue: "signs"), .signs)
        XCTAssertEqual(Dataset.LabelKind(rawValue: "gaussian"), .gaussian)
    }

    func testSyntheticRejectsNonPositiveSizes() {
        let m1 = inputErrorMessage { _ = try Dataset.synthetic(samples: 0, dimension: 3, labels: .signs, random: RandomSource(seed: 1)) }
        XCTAssertTrue(m1.hasPrefix("--samples: got 0;"), m1)
        let m2 = inputErrorMessage { _ = try Dataset.synthetic(samples: 3, dimension: -1, labels: .signs, random: RandomSource(seed: 1)) }
        XCTAssertTrue(m2.hasPrefix("--dimension: got -1;"), m2)
    }

    // MARK: - Network initialization and CSV

    func testGaussianNetworkDrawOrder() throws {
        let data = try Dataset.synthetic(samples: 4, dimension: 3, labels: .signs, random: RandomSource(seed: 2))
        let net = try ReLUNetwork.gaussian(data: data, width: 5, random: RandomSource(seed: 9))
        XCTAssertEqual(net.initialWeights.rows, 3)
        XCTAssertEqual(net.initialWeights.columns, 5)
        // Replay: all w_r first (r by r, d coordinates each), then all a_r. Exact.
        let replay = RandomSource(seed: 9)
        for r in 0..<5 { for k in 0..<3 { XCTAssertEqual(net.initialWeights[k, r], replay.gaussian()) } }
        for r in 0..<5 { XCTAssertEqual(net.outputWeights[r], replay.sign()) }
    }

    func testGaussianNetworkRejectsWidthZero() throws {
        let data = try Dataset.synthetic(samples: 2, dimension: 2, labels: .signs, random: RandomSource(seed: 1))
        let message = inputErrorMessage { _ = try ReLUNetwork.gaussian(data: data, width: 0, random: RandomSource(seed: 1)) }
        XCTAssertTrue(message.hasPrefix("--width: got 0;"), message)
    }

    func testWeightsRoundTripIsBitExact() throws {
        let data = try Dataset.synthetic(samples: 3, dimension: 4, labels: .signs, random: RandomSource(seed: 5))
        let net = try ReLUNetwork.gaussian(data: data, width: 37, random: RandomSource(seed: 6))
        // Also awkward values: −0, subnormal, extremes, non-±1 output weights.
        var w = net.initialWeights
        w[0, 0] = -0.0; w[1, 0] = .leastNonzeroMagnitude; w[2, 0] = .greatestFiniteMagnitude; w[3, 0] = 0.1
        var a = net.outputWeights
        a[0] = 0.3; a[1] = -1e-300
        let odd = try ReLUNetwork(data: data, outputWeights: a, initialWeights: w)
        for original in [net, odd] {
            let wText = original.exportWeightsCSV(), aText = original.exportOutputWeightsCSV()
            XCTAssertTrue(wText.hasPrefix("w1,w2,w3,w4\n"))
            XCTAssertTrue(aText.hasPrefix("a\n"))
            let loaded = try ReLUNetwork.load(data: data,
                                              weightsCSV: try write(wText, to: "w.csv"),
                                              outputWeightsCSV: try write(aText, to: "a.csv"))
            // %.17g recovers every double: compare bit patterns (distinguishes −0 from 0).
            XCTAssertEqual(loaded.initialWeights.rows, 4)
            XCTAssertEqual(loaded.initialWeights.columns, 37)
            XCTAssertEqual(loaded.initialWeights.elements.map(\.bitPattern),
                           original.initialWeights.elements.map(\.bitPattern))
            XCTAssertEqual(loaded.outputWeights.map(\.bitPattern), original.outputWeights.map(\.bitPattern))
        }
        // File row r is w_r (the transpose of the d×m storage), checked on a hand-written file.
        let hand = try ReLUNetwork.load(data: data,
                                        weightsCSV: try write("1,2,3,4\n5,6,7,8\n", to: "hw.csv"),
                                        outputWeightsCSV: try write("0.5\n-2\n", to: "ha.csv"))
        XCTAssertEqual(hand.initialWeights, DenseMatrix(rows: 4, columns: 2, elements: [1, 5, 2, 6, 3, 7, 4, 8]))
        XCTAssertEqual(hand.outputWeights, [0.5, -2])
    }

    func testDatasetLoadsCSVWithHeaderCommentsAndCRLF() throws {
        let path = try write("# comment\r\n x1 , x2, y\r\n\r\n1, 2, 3\r\n  # another\r\n-4.5,5e-1,-6\r\n", to: "d.csv")
        let data = try Dataset.load(csvPath: path)
        XCTAssertEqual(data.inputs, DenseMatrix(rows: 2, columns: 2, elements: [1, 2, -4.5, 0.5]))
        XCTAssertEqual(data.targets, [3, -6])
        let noHeader = try Dataset.load(csvPath: try write("1,2\n3,4\n", to: "n.csv"))
        XCTAssertEqual(noHeader.inputs, DenseMatrix(rows: 2, columns: 1, elements: [1, 3]))
        XCTAssertEqual(noHeader.targets, [2, 4])
        let csv = try NumericCSV.parse(text: "a,b\n1,2\n", name: "t")
        XCTAssertEqual(csv.header, ["a", "b"])
        XCTAssertEqual(csv.rows, [[1, 2]])
    }

    func testBadDataFilesAreRejectedNamingTheInput() throws {
        let missing = directory.appendingPathComponent("nope.csv").path
        var m = inputErrorMessage { _ = try Dataset.load(csvPath: missing) }
        XCTAssertTrue(m.hasPrefix("--data: got \"\(missing)\""), m)
        XCTAssertTrue(m.contains("no such file"), m)

        var path = try write("x1,x2,y\n1,2,3\n4,5\n", to: "ragged.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path), line 3: got 2 fields;"), m)
        XCTAssertTrue(m.contains("3 comma-separated fields"), m)

        path = try write("1,2,3\n4,nan,6\n", to: "nan.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path), line 2, column 2: got \"nan\";"), m)
        XCTAssertTrue(m.contains("finite"), m)

        for token in ["inf", "-Infinity", "1e999"] {
            path = try write("1,2\n\(token),3\n", to: "inf.csv")
            m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
            XCTAssertTrue(m.hasPrefix("--data \(path), line 2, column 1: got \"\(token)\";"), m)
        }

        path = try write("1,2,3\n4,5,six\n", to: "word.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path), line 2, column 3: got \"six\";"), m)

        path = try write("1,,3\n", to: "empty-field.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path), line 1, column 2: got an empty field;"), m)

        // A first row mixing numbers and words is neither header nor data.
        path = try write("1,x,3\n4,5,6\n", to: "mixed.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path), line 1, column 2: got \"x\";"), m)

        path = try write("# only a comment\n\n", to: "empty.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path): got no rows"), m)

        path = try write("1\n2\n", to: "one-column.csv")
        m = inputErrorMessage { _ = try Dataset.load(csvPath: path) }
        XCTAssertTrue(m.hasPrefix("--data \(path): got 1 column;"), m)

        m = inputErrorMessage { _ = try Dataset.load(csvPath: self.directory.path) }
        XCTAssertTrue(m.contains("directory"), m)
    }

    func testBadWeightFilesAreRejectedNamingTheFileAndShape() throws {
        let data = try Dataset.synthetic(samples: 3, dimension: 3, labels: .signs, random: RandomSource(seed: 1))
        let a2 = try write("a\n1\n-1\n", to: "a2.csv")

        // W0 with 4 columns for d = 3 data.
        let wide = try write("w1,w2,w3,w4\n1,2,3,4\n5,6,7,8\n", to: "wide.csv")
        var m = inputErrorMessage { _ = try ReLUNetwork.load(data: data, weightsCSV: wide, outputWeightsCSV: a2) }
        XCTAssertTrue(m.hasPrefix("initial weights \(wide): got 2 rows of 4 values;"), m)
        XCTAssertTrue(m.contains("d = 3"), m)

        // Width 0: a header and no rows.
        let empty = try write("w1,w2,w3\n", to: "w0.csv")
        m = inputErrorMessage { _ = try ReLUNetwork.load(data: data, weightsCSV: empty, outputWeightsCSV: a2) }
        XCTAssertTrue(m.hasPrefix("initial weights \(empty): got a header and no data rows;"), m)

        // Output weights: wrong count, then wrong column count, then NaN.
        let w2 = try write("1,2,3\n4,5,6\n", to: "w2.csv")
        let a3 = try write("1\n-1\n1\n", to: "a3.csv")
        m = inputErrorMessage { _ = try ReLUNetwork.load(data: data, weightsCSV: w2, outputWeightsCSV: a3) }
        XCTAssertTrue(m.hasPrefix("output weights \(a3): got 3 rows of 1 value;"), m)
        XCTAssertTrue(m.contains("m = 2"), m)
        let aWide = try write("1,1\n-1,1\n", to: "aw.csv")
        m = inputErrorMessage { _ = try ReLUNetwork.load(data: data, weightsCSV: w2, outputWeightsCSV: aWide) }
        XCTAssertTrue(m.hasPrefix("output weights \(aWide): got 2 rows of 2 values;"), m)
        let aNaN = try write("a\n1\nNaN\n", to: "anan.csv")
        m = inputErrorMessage { _ = try ReLUNetwork.load(data: data, weightsCSV: w2, outputWeightsCSV: aNaN) }
        XCTAssertTrue(m.hasPrefix("output weights \(aNaN), line 3, column 1: got \"NaN\";"), m)

        let missing = directory.appendingPathComponent("missing-w.csv").path
        m = inputErrorMessage { _ = try ReLUNetwork.load(data: data, weightsCSV: missing, outputWeightsCSV: a2) }
        XCTAssertTrue(m.hasPrefix("initial weights: got \"\(missing)\""), m)
    }

    // MARK: - H^∞ (002 Fact 2.2)

    /// Entries built from a few O(1) roundings (dot product, arccos/atan2, one division):
    /// each ≤ 1.1e-16, so 1e-15 is a safe absolute tolerance for unit-scale inputs.
    private let closedFormTolerance = 1e-15

    func testLimitKernelClosedForms() {
        let s3 = 3.0.squareRoot() / 2
        let x = DenseMatrix(rows: 5, columns: 2, elements: [
            1, 0,      // x0
            1, 0,      // x1 = x0 (identical)
            0, 1,      // x2 ⟂ x0
            -1, 0,     // x3 = −x0 (opposite)
            0.5, s3,   // x4 at 60° from x0
        ])
        let h = NeuralTangentKernel.limit(inputs: x)
        XCTAssertEqual(h[0, 0], 0.5, accuracy: closedFormTolerance)   // θ = 0: 1·π/(2π)
        XCTAssertEqual(h[0, 1], 0.5, accuracy: closedFormTolerance)
        XCTAssertEqual(h[0, 2], 0, accuracy: closedFormTolerance)     // x·x' = 0
        XCTAssertEqual(h[0, 3], 0, accuracy: closedFormTolerance)     // −1·(π − π)/(2π)
        XCTAssertEqual(h[0, 4], 1.0 / 6, accuracy: closedFormTolerance) // ½(π − π/3)/(2π)
        // x2 vs x4: cos = √3/2, θ = π/6: (√3/2)(5π/6)/(2π) = 5√3/24.
        XCTAssertEqual(h[2, 4], 5 * 3.0.squareRoot() / 24, accuracy: closedFormTolerance)

        // Non-unit inputs: the cosine goes inside arccos. (2,0)·(1,1) = 2, θ = π/4:
        // 2(π − π/4)/(2π) = 3/4; diagonals ‖x‖²/2 = 2 and 1. A zero input gives a zero row.
        let y = DenseMatrix(rows: 3, columns: 2, elements: [2, 0, 1, 1, 0, 0])
        let g = NeuralTangentKernel.limit(inputs: y)
        XCTAssertEqual(g[0, 1], 0.75, accuracy: closedFormTolerance)
        XCTAssertEqual(g[0, 0], 2, accuracy: closedFormTolerance)
        XCTAssertEqual(g[1, 1], 1, accuracy: closedFormTolerance)
        for j in 0..<3 { XCTAssertEqual(g[2, j], 0); XCTAssertEqual(g[j, 2], 0) }
    }

    func testLimitKernelIsSymmetricPSD() throws {
        let data = try Dataset.synthetic(samples: 30, dimension: 5, labels: .signs, random: RandomSource(seed: 3))
        let h = NeuralTangentKernel.limit(inputs: data.inputs)
        XCTAssertEqual(h.asymmetry, 0)  // filled symmetrically by construction: exact
        let spectrum = try KernelSpectrum(h)
        // H^∞ is a Gram matrix (an expectation of rank-one PSD matrices); eigen-solver
        // rounding on entries ≤ ½ is O(n ε) ≈ 1e-14, so λ_min ≥ −1e-12 is generous.
        XCTAssertGreaterThanOrEqual(spectrum.lambdaMin, -1e-12)
        // Distinct points on the sphere: H^∞ is strictly positive definite (Du et al.).
        XCTAssertGreaterThan(spectrum.lambdaMin, 0)
    }

    // MARK: - Empirical NTK (002 eq. (2.6))

    func testEmpiricalKernelMatchesTripleLoop() throws {
        let rng = RandomSource(seed: 17)
        let n = 5, d = 3, m = 7
        // Non-unit inputs to exercise the x_iᵀx_j factor.
        let x = DenseMatrix(rows: n, columns: d, elements: (0..<(n * d)).map { _ in 2 * rng.gaussian() })
        let w = DenseMatrix(rows: d, columns: m, elements: (0..<(d * m)).map { _ in rng.gaussian() })
        let h = NeuralTangentKernel.empirical(inputs: x, weights: w)
        for i in 0..<n {
            for j in 0..<n {
                var count = 0.0
                for r in 0..<m {
                    var zi = 0.0, zj = 0.0
                    for k in 0..<d { zi += w[k, r] * x[i, k]; zj += w[k, r] * x[j, k] }
                    if zi >= 0 && zj >= 0 { count += 1 }
                }
                var dot = 0.0
                for k in 0..<d { dot += x[i, k] * x[j, k] }
                let direct = dot * count / Double(m)
                // Only the d-term dot product's rounding differs (BLAS may use FMA and
                // another order): ≤ d·ε·‖x_i‖‖x_j‖ ≈ 3·1.1e-16·(~20) < 1e-14.
                XCTAssertEqual(h[i, j], direct, accuracy: 1e-14, "(\(i), \(j))")
            }
        }
        XCTAssertEqual(h.asymmetry, 0)
    }

    func testEmpiricalKernelConvergesToLimit() throws {
        let data = try Dataset.synthetic(samples: 6, dimension: 4, labels: .signs, random: RandomSource(seed: 2024))
        let limit = NeuralTangentKernel.limit(inputs: data.inputs)
        var deviations: [Int: Double] = [:]
        for m in [256, 4096, 65536] {
            let net = try ReLUNetwork.gaussian(data: data, width: m, random: RandomSource(seed: 99))
            let h = NeuralTangentKernel.empirical(inputs: data.inputs, weights: net.initialWeights)
            let deviation = zip(h.elements, limit.elements).map { abs($0 - $1) }.max()!
            deviations[m] = deviation
            // H_ij is x_iᵀx_j times the mean of m i.i.d. indicators (variance ≤ ¼) whose
            // expectation gives H^∞_ij, and |x_iᵀx_j| ≤ 1 for unit inputs, so each entry's
            // std is ≤ 1/(2√m). 6/√m is 12 std: with 21 distinct entries a failure has
            // probability far below 1e-20, yet the bound still shrinks like 1/√m.
            XCTAssertLessThanOrEqual(deviation, 6 / Double(m).squareRoot(), "m = \(m)")
        }
        XCTAssertLessThan(deviations[65536]!, deviations[256]!)
    }

    // MARK: - Spectrum

    func testKernelSpectrumMatchesTwoByTwoClosedForm() throws {
        // [[a, b], [b, c]]: λ = (a+c)/2 ± √(((a−c)/2)² + b²).
        let a = 2.0, b = 0.75, c = 0.5
        let mid = (a + c) / 2, radius = (((a - c) / 2) * ((a - c) / 2) + b * b).squareRoot()
        let s = try KernelSpectrum(DenseMatrix(rows: 2, columns: 2, elements: [a, b, b, c]))
        // A backward-stable symmetric eigensolver errs by O(ε‖H‖) ≈ 2·2.2e-16; 1e-14 is ample.
        XCTAssertEqual(s.lambdaMin, mid - radius, accuracy: 1e-14)
        XCTAssertEqual(s.lambdaMax, mid + radius, accuracy: 1e-14)
        // κ ≈ 12: relative errors ~5e-15 in λ_min (≈ 0.19) carry to ≈ 6e-14 in κ; 1e-12 is ample.
        XCTAssertEqual(s.conditionNumber, (mid + radius) / (mid - radius), accuracy: 1e-12)
        XCTAssertEqual(s.eigenvalues.count, 2)

        let singular = try KernelSpectrum(DenseMatrix(rows: 2, columns: 2, elements: [1, 1, 1, 1]))
        XCTAssertEqual(singular.lambdaMax, 2, accuracy: 1e-14)
        XCTAssertEqual(singular.lambdaMin, 0, accuracy: 1e-14)
        if singular.lambdaMin <= 0 { XCTAssertEqual(singular.conditionNumber, .infinity) }
        XCTAssertThrowsError(try KernelSpectrum(DenseMatrix(rows: 0, columns: 0)))
    }
}
