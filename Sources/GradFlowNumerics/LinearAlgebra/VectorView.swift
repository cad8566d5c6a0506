/// A read-only window onto contiguous doubles owned elsewhere (an integrator's state,
/// a workspace). Views are created only by the linear-algebra and integration layers;
/// the rest of the library reads them through `count` and subscripts.
public struct VectorView {
    @usableFromInline let base: UnsafePointer<Double>
    public let count: Int

    @inlinable public init(_ base: UnsafePointer<Double>, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable public subscript(i: Int) -> Double { base[i] }

    /// The elements [offset, offset + length).
    @inlinable public func slice(_ offset: Int, _ length: Int) -> VectorView {
        VectorView(base + offset, count: length)
    }

    public var array: [Double] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Euclidean norm (BLAS dnrm2).
    public var norm: Double { BLAS.norm2(UnsafeBufferPointer(start: base, count: count)) }

    /// True when every element is finite.
    public var isFinite: Bool {
        for i in 0..<count where !base[i].isFinite { return false }
        return true
    }
}

/// A writable window onto contiguous doubles owned elsewhere.
public struct MutableVectorView {
    @usableFromInline let base: UnsafeMutablePointer<Double>
    public let count: Int

    @inlinable public init(_ base: UnsafeMutablePointer<Double>, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable public subscript(i: Int) -> Double {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    @inlinable public func slice(_ offset: Int, _ length: Int) -> MutableVectorView {
        MutableVectorView(base + offset, count: length)
    }

    @inlinable public var readOnly: VectorView { VectorView(UnsafePointer(base), count: count) }

    public func assign(_ values: [Double]) {
        precondition(values.count == count)
        for i in 0..<count { base[i] = values[i] }
    }
}

/// Heap storage for doubles with a stable address, for integrator states and kernel
/// workspaces: allocated once, never reallocated, so no allocation happens per call.
public final class DoubleBuffer {
    @usableFromInline let base: UnsafeMutablePointer<Double>
    public let count: Int

    public init(count: Int, repeating value: Double = 0) {
        self.count = count
        base = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: max(count, 1))
    }

    public convenience init(_ values: [Double]) {
        self.init(count: values.count)
        for i in 0..<values.count { base[i] = values[i] }
    }

    deinit { base.deallocate() }

    /// One element of storage standing in for the views of empty arrays.
    nonisolated(unsafe) static let empty = DoubleBuffer(count: 0)

    @inlinable public var view: MutableVectorView { MutableVectorView(base, count: count) }
    @inlinable public var readOnly: VectorView { VectorView(UnsafePointer(base), count: count) }
    public var array: [Double] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inlinable public subscript(i: Int) -> Double {
        get { base[i] }
        set { base[i] = newValue }
    }
}

extension Array where Element == Double {
    /// Calls `body` with a read-only view of the array's storage.
    public func withView<R>(_ body: (VectorView) throws -> R) rethrows -> R {
        if isEmpty { return try body(VectorView(DoubleBuffer.empty.base, count: 0)) }
        return try withUnsafeBufferPointer { try body(VectorView($0.baseAddress!, count: $0.count)) }
    }

    /// Calls `body` with a writable view of the array's storage.
    public mutating func withMutableView<R>(_ body: (MutableVectorView) throws -> R) rethrows -> R {
        if isEmpty { return try body(MutableVectorView(DoubleBuffer.empty.base, count: 0)) }
        return try withUnsafeMutableBufferPointer { try body(MutableVectorView($0.baseAddress!, count: $0.count)) }
    }
}

extension MutableVectorView {
    /// self ← x (same length).
    @inlinable public func copy(from x: VectorView) {
        precondition(x.count == count)
        base.update(from: x.base, count: count)
    }

    /// self ← self + a·x (same length).
    @inlinable public func add(_ a: Double, times x: VectorView) {
        precondition(x.count == count)
        for i in 0..<count { base[i] += a * x.base[i] }
    }

    /// self ← −self.
    @inlinable public func negate() {
        for i in 0..<count { base[i] = -base[i] }
    }
}
