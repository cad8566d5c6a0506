/// A dense real matrix stored row-major, with value semantics.
public struct DenseMatrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    /// Row-major elements: entry (i, j) is `elements[i * columns + j]`.
    public var elements: [Double]

    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns,
                     "DenseMatrix: \(elements.count) elements do not fill \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, elements: Array(repeating: value, count: rows * columns))
    }

    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public static func diagonal(_ values: [Double]) -> DenseMatrix {
        var m = DenseMatrix(rows: values.count, columns: values.count)
        for (i, v) in values.enumerated() { m[i, i] = v }
        return m
    }

    public subscript(i: Int, j: Int) -> Double {
        get { elements[i * columns + j] }
        set { elements[i * columns + j] = newValue }
    }

    public func row(_ i: Int) -> [Double] {
        Array(elements[(i * columns)..<((i + 1) * columns)])
    }

    public var transposed: DenseMatrix {
        var t = DenseMatrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    public var isSquare: Bool { rows == columns }

    /// Largest |A_ij − A_ji|, relative to the largest |A_ij|.
    public var asymmetry: Double {
        precondition(isSquare)
        var worst = 0.0, scale = 0.0
        for i in 0..<rows {
            for j in 0..<columns {
                worst = max(worst, abs(self[i, j] - self[j, i]))
                scale = max(scale, abs(self[i, j]))
            }
        }
        return scale > 0 ? worst / scale : 0
    }

    /// Frobenius norm.
    public var frobeniusNorm: Double { elements.withUnsafeBufferPointer { BLAS.norm2($0) } }

    /// Matrix product through BLAS dgemm.
    public static func * (lhs: DenseMatrix, rhs: DenseMatrix) -> DenseMatrix {
        precondition(lhs.columns == rhs.rows, "DenseMatrix product: \(lhs.rows)x\(lhs.columns) * \(rhs.rows)x\(rhs.columns)")
        var out = DenseMatrix(rows: lhs.rows, columns: rhs.columns)
        lhs.elements.withUnsafeBufferPointer { a in
            rhs.elements.withUnsafeBufferPointer { b in
                out.elements.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeA: false, transposeB: false,
                              m: lhs.rows, n: rhs.columns, k: lhs.columns,
                              alpha: 1, a: a.baseAddress!, lda: lhs.columns,
                              b: b.baseAddress!, ldb: rhs.columns,
                              beta: 0, c: c.baseAddress!, ldc: rhs.columns)
                }
            }
        }
        return out
    }

    /// Matrix-vector product.
    public static func * (lhs: DenseMatrix, rhs: [Double]) -> [Double] {
        precondition(lhs.columns == rhs.count)
        var out = [Double](repeating: 0, count: lhs.rows)
        for i in 0..<lhs.rows {
            var s = 0.0
            let base = i * lhs.columns
            for j in 0..<lhs.columns { s += lhs.elements[base + j] * rhs[j] }
            out[i] = s
        }
        return out
    }
}
