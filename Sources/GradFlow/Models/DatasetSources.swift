/// Where data sets come from: the synthetic unit-sphere problem of 002 §2 / 000 / 003,
/// or a CSV file.
extension Dataset {
    /// How synthetic targets are drawn.
    public enum LabelKind: String, Sendable, CaseIterable {
        /// y_i uniform on {−1, +1} (`RandomSource.sign()`).
        case signs
        /// y_i ~ N(0, 1).
        case gaussian
    }

    /// n inputs uniform on the unit sphere S^{d−1} (x_i = g_i/‖g_i‖, g_i ~ N(0, I_d)) with
    /// labels of the given kind — the papers' setting of unit-norm inputs (002 §2).
    ///
    /// Draw order (fixed, so a seed determines the data bit for bit): first all inputs,
    /// sample by sample, each its d Gaussian coordinates in order; then the n labels in
    /// order (one `sign()` or one `gaussian()` each). A Gaussian vector that is exactly zero
    /// (probability zero) is replaced by e_1 without further draws.
    public static func synthetic(samples n: Int, dimension d: Int, labels: LabelKind,
                                 random: RandomSource) throws -> Dataset {
        guard n >= 1 else {
            throw InputError("samples", value: "\(n)", allowed: "the number of samples must be a positive integer")
        }
        guard d >= 1 else {
            throw InputError("dimension", value: "\(d)", allowed: "the input dimension must be a positive integer")
        }
        var x = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            var squares = 0.0
            for k in 0..<d {
                let g = random.gaussian()
                x[i * d + k] = g
                squares += g * g
            }
            let norm = squares.squareRoot()
            if norm > 0 {
                for k in 0..<d { x[i * d + k] /= norm }
            } else {
                x[i * d] = 1
            }
        }
        let y: [Double]
        switch labels {
        case .signs: y = (0..<n).map { _ in random.sign() }
        case .gaussian: y = (0..<n).map { _ in random.gaussian() }
        }
        return try Dataset(inputs: DenseMatrix(rows: n, columns: d, elements: x), targets: y)
    }

    /// Reads a data set from a CSV file with columns x1, …, xd, y (the last column is the
    /// target), an optional header row, and at least one row. Inputs are used as given
    /// (not normalized). Errors name the data input and the path.
    public static func load(csvPath: String) throws -> Dataset {
        let csv = try NumericCSV.read(path: csvPath, name: .data(csvPath))
        let columns = csv.columnCount
        guard columns >= 2 else {
            throw InputError(.data(csvPath), value: "\(columns) column",
                             allowed: "a data file needs input columns x1..xd followed by the target column y (at least 2 columns)")
        }
        let d = columns - 1
        var x = [Double]()
        x.reserveCapacity(csv.rows.count * d)
        var y = [Double]()
        y.reserveCapacity(csv.rows.count)
        for row in csv.rows {
            x.append(contentsOf: row[0..<d])
            y.append(row[d])
        }
        do {
            return try Dataset(inputs: DenseMatrix(rows: csv.rows.count, columns: d, elements: x), targets: y)
        } catch let error as InputError where error.parameter.key == "data" {
            // Name the file: "--data PATH, sample 3".
            throw InputError(Parameter("data", detail: [csvPath, error.parameter.detail].compactMap { $0 }.joined(separator: ", ")),
                             value: error.value, allowed: error.allowed)
        }
    }
}
