import Foundation

/// Initial weights of the two-layer ReLU network: the random initialization of 002 §2
/// (also 000, 001, 003), or weights read from CSV files, and their export.
///
/// File formats (written by `exportWeightsCSV` / `exportOutputWeightsCSV`, read by `load`):
/// - first-layer weights: header `w1,…,wd`, then m rows of d numbers; row r is w_r(0);
/// - output weights: header `a`, then m rows of one number; row r is a_r.
/// Values are written with `%.17g`, so a write/read round trip is bit-exact.
extension ReLUNetwork {
    /// w_r(0) ~ N(0, I_d) i.i.d. and a_r uniform on {−1, +1}, r = 1 … m.
    ///
    /// Draw order (fixed, so a seed determines the network bit for bit): first all w_r,
    /// neuron by neuron (r = 1 … m), each its d coordinates in order (`gaussian()`); then
    /// a_1 … a_m (`sign()`).
    public static func gaussian(data: Dataset, width m: Int, random: RandomSource) throws -> ReLUNetwork {
        guard m >= 1 else {
            throw InputError("width", value: "\(m)", allowed: "the width m must be a positive integer")
        }
        let d = data.dimension
        // d×m storage: column r is w_r.
        var w = DenseMatrix(rows: d, columns: m)
        for r in 0..<m {
            for k in 0..<d { w[k, r] = random.gaussian() }
        }
        let a = (0..<m).map { _ in random.sign() }
        return try ReLUNetwork(data: data, outputWeights: a, initialWeights: w)
    }

    /// Reads W(0) (m rows of d values, row r = w_r) and a (m rows of one value) from CSV
    /// files in the formats above; headers are optional. The output weights need not be
    /// ±1 but must be finite.
    public static func load(data: Dataset, weightsCSV: String, outputWeightsCSV: String) throws -> ReLUNetwork {
        let d = data.dimension
        let weights = try NumericCSV.read(path: weightsCSV, name: "initial weights")
        let m = weights.rows.count
        guard weights.columnCount == d else {
            throw InputError("initial weights \(weightsCSV)",
                             value: Self.shape(rows: m, columns: weights.columnCount),
                             allowed: "expected m rows of d = \(d) values (the data's dimension), row r = w_r")
        }
        let output = try NumericCSV.read(path: outputWeightsCSV, name: "output weights")
        guard output.columnCount == 1, output.rows.count == m else {
            throw InputError("output weights \(outputWeightsCSV)",
                             value: Self.shape(rows: output.rows.count, columns: output.columnCount),
                             allowed: "expected m = \(m) rows (the width of \(weightsCSV)) of 1 value, row r = a_r")
        }
        var w = DenseMatrix(rows: d, columns: m)
        for r in 0..<m {
            for k in 0..<d { w[k, r] = weights.rows[r][k] }
        }
        return try ReLUNetwork(data: data, outputWeights: output.rows.map { $0[0] }, initialWeights: w)
    }

    /// W(0) as CSV: header `w1,…,wd`, then row r = w_r, each value `%.17g`.
    public func exportWeightsCSV() -> String {
        let d = dimension, m = width
        var lines = [String]()
        lines.reserveCapacity(m + 1)
        lines.append((1...d).map { "w\($0)" }.joined(separator: ","))
        for r in 0..<m {
            lines.append((0..<d).map { Self.exact(initialWeights[$0, r]) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// a as CSV: header `a`, then row r = a_r, each value `%.17g`.
    public func exportOutputWeightsCSV() -> String {
        (["a"] + outputWeights.map(Self.exact)).joined(separator: "\n") + "\n"
    }

    /// "3 rows of 1 value", for shape errors.
    private static func shape(rows: Int, columns: Int) -> String {
        "\(rows) row\(rows == 1 ? "" : "s") of \(columns) value\(columns == 1 ? "" : "s")"
    }

    /// 17 significant digits: enough to recover every double exactly.
    private static func exact(_ v: Double) -> String { String(format: "%.17g", v) }
}
