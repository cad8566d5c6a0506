/// A row-major matrix held in a read-only vector view (a workspace, a slice of an
/// integrator's state): entry (i, j) is `elements[i * columns + j]`. `transposed` marks the
/// operand as used transposed in a product; the storage is not touched.
public struct MatrixView {
    public let elements: VectorView
    public let rows: Int
    public let columns: Int
    /// True when the product uses the transpose of the stored matrix.
    public let isTransposed: Bool

    /// The rows×columns matrix stored in `elements` (exactly rows·columns values).
    public init(_ elements: VectorView, rows: Int, columns: Int) {
        self.init(elements, rows: rows, columns: columns, isTransposed: false)
    }

    private init(_ elements: VectorView, rows: Int, columns: Int, isTransposed: Bool) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns,
                     "MatrixView: \(elements.count) values do not fill \(rows)x\(columns)")
        self.elements = elements
        self.rows = rows
        self.columns = columns
        self.isTransposed = isTransposed
    }

    /// The same storage used transposed.
    public var transposed: MatrixView { MatrixView(elements, rows: rows, columns: columns, isTransposed: !isTransposed) }

    /// The shape of the operand as the product sees it.
    var operandRows: Int { isTransposed ? columns : rows }
    var operandColumns: Int { isTransposed ? rows : columns }
}

/// A row-major matrix held in a writable vector view.
public struct MutableMatrixView {
    public let elements: MutableVectorView
    public let rows: Int
    public let columns: Int

    public init(_ elements: MutableVectorView, rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns,
                     "MutableMatrixView: \(elements.count) values do not fill \(rows)x\(columns)")
        self.elements = elements
        self.rows = rows
        self.columns = columns
    }

    public var readOnly: MatrixView { MatrixView(elements.readOnly, rows: rows, columns: columns) }
}

extension BLAS {
    /// C ← α op(A) op(B) + β C (BLAS dgemm, row-major), for matrices held in views; the
    /// shapes must agree (checked). With β = 0, C's old contents are never read.
    @inline(__always)
    public static func multiply(_ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView,
                                alpha: Double = 1, beta: Double = 0) {
        precondition(a.operandColumns == b.operandRows && c.rows == a.operandRows && c.columns == b.operandColumns,
                     "BLAS.multiply: \(a.operandRows)x\(a.operandColumns) * \(b.operandRows)x\(b.operandColumns) into \(c.rows)x\(c.columns)")
        let k = a.operandColumns
        guard c.rows > 0, c.columns > 0 else { return }
        guard k > 0 else {
            // An empty inner dimension: the product is zero.
            for i in 0..<c.elements.count { c.elements[i] = beta == 0 ? 0 : beta * c.elements[i] }
            return
        }
        gemm(transposeA: a.isTransposed, transposeB: b.isTransposed, m: c.rows, n: c.columns, k: k,
             alpha: alpha, a: a.elements.base, lda: max(a.columns, 1),
             b: b.elements.base, ldb: max(b.columns, 1),
             beta: beta, c: c.elements.base, ldc: max(c.columns, 1))
    }
}
