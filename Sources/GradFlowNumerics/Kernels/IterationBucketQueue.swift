/// The pairs' next check iterations for the kinetic iteration kernel: a calendar of W
/// buckets (W a power of two), bucket k mod W listing the pairs due at iteration k in a
/// contiguous array (so that a bucket's pairs are read in order and their memory fetched
/// ahead, which a linked list would serialize). Keys are integers ahead of the current
/// iteration by 1 … W − 1 (a later key is clamped to W − 1: checking early is always safe).
/// Removal is lazy: each pair keeps its due iteration, and a listed pair whose due iteration
/// differs is skipped. The arrays keep their capacity, so after the first iterations nothing
/// is allocated. The order inside a bucket is insertion order, the same in every run.
public struct IterationBucketQueue {
    public let pairs: Int
    /// W.
    public let window: Int
    private var buckets: [[Int32]]
    private var spare: [Int32] = []
    /// The iteration each pair is due at, −1 when it is in no bucket.
    private let due: UnsafeMutablePointer<Int>

    public init(pairs: Int, window: Int = 1024) {
        precondition(window > 1 && window & (window - 1) == 0, "window must be a power of two")
        self.pairs = pairs
        self.window = window
        buckets = Array(repeating: [], count: window)
        due = .allocate(capacity: max(pairs, 1))
        due.initialize(repeating: -1, count: max(pairs, 1))
    }

    /// Frees the storage (the owner's deinit calls it once).
    public func deallocate() {
        due.deallocate()
    }

    /// Empties every bucket.
    public mutating func removeAll() {
        for b in 0..<window { buckets[b].removeAll(keepingCapacity: true) }
        due.update(repeating: -1, count: max(pairs, 1))
    }

    /// Puts `pair` (in no bucket, or taken out by `remove`) into the bucket of iteration `key`.
    @inline(__always)
    public mutating func insert(_ pair: Int, at key: Int) {
        due[pair] = key
        buckets[key & (window - 1)].append(Int32(truncatingIfNeeded: pair))
    }

    /// Empties the queue and puts every pair p < `pairs` into the bucket of `keys[p]`, in pair
    /// order within each bucket (the order `insert` in a loop over p would give), with one
    /// counting pass so that each bucket grows once.
    public mutating func replaceAll(keys: UnsafePointer<Int>) {
        removeAll()
        var counts = [Int](repeating: 0, count: window)
        for p in 0..<pairs { counts[keys[p] & (window - 1)] += 1 }
        for b in 0..<window where counts[b] > 0 { buckets[b].reserveCapacity(counts[b]) }
        for p in 0..<pairs {
            let key = keys[p]
            due[p] = key
            buckets[key & (window - 1)].append(Int32(truncatingIfNeeded: p))
        }
    }

    /// Takes `pair` out of its bucket (lazily).
    @inline(__always)
    public func remove(_ pair: Int) {
        due[pair] = -1
    }

    /// Takes out the list of bucket k (pairs due at k, and stale entries): read it with
    /// `claim`, then hand it back with `recycle` (which keeps its capacity).
    @inline(__always)
    public mutating func takeBucket(at k: Int) -> [Int32] {
        var list = spare
        swap(&list, &buckets[k & (window - 1)])
        return list
    }

    /// True, taking the pair out of the queue, when a listed pair is due at k (not stale).
    @inline(__always)
    public func claim(_ pair: Int, at k: Int) -> Bool {
        guard due[pair] == k else { return false }
        due[pair] = -1
        return true
    }

    /// Returns a taken bucket's storage, emptied, for the next `takeBucket`.
    @inline(__always)
    public mutating func recycle(_ list: inout [Int32]) {
        list.removeAll(keepingCapacity: true)
        swap(&spare, &list)
    }
}
