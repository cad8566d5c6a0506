/// The pairs' next check iterations for the kinetic iteration kernel: a calendar of W
/// buckets (W a power of two), bucket k mod W holding, as a doubly linked list threaded
/// through two Int32 arrays, the pairs due at iteration k. Keys are integers ahead of the
/// current iteration by 1 … W − 1 (a later key is clamped to W − 1: checking early is always
/// safe), so insert, remove and popping one due pair are O(1), and nothing is allocated after
/// `init`. The order inside a bucket is last-in first-out, the same in every run.
public struct IterationBucketQueue {
    public let pairs: Int
    /// W.
    public let window: Int
    private let heads: UnsafeMutablePointer<Int32>
    private let next: UnsafeMutablePointer<Int32>
    private let previous: UnsafeMutablePointer<Int32>
    /// The bucket of each pair, −1 when it is in none.
    private let bucket: UnsafeMutablePointer<Int32>

    public init(pairs: Int, window: Int = 1024) {
        precondition(window > 1 && window & (window - 1) == 0, "window must be a power of two")
        self.pairs = pairs
        self.window = window
        heads = .allocate(capacity: window)
        heads.initialize(repeating: -1, count: window)
        next = .allocate(capacity: max(pairs, 1))
        next.initialize(repeating: -1, count: max(pairs, 1))
        previous = .allocate(capacity: max(pairs, 1))
        previous.initialize(repeating: -1, count: max(pairs, 1))
        bucket = .allocate(capacity: max(pairs, 1))
        bucket.initialize(repeating: -1, count: max(pairs, 1))
    }

    /// Frees the storage (the owner's deinit calls it once).
    public func deallocate() {
        heads.deallocate()
        next.deallocate()
        previous.deallocate()
        bucket.deallocate()
    }

    /// Puts `pair` (in no bucket) into the bucket of iteration `key`.
    @inline(__always)
    public func insert(_ pair: Int, at key: Int) {
        let b = key & (window - 1)
        let head = heads[b]
        next[pair] = head
        previous[pair] = -1
        if head >= 0 { previous[Int(head)] = Int32(pair) }
        heads[b] = Int32(pair)
        bucket[pair] = Int32(b)
    }

    /// Takes `pair` out of its bucket (no-op when it is in none).
    @inline(__always)
    public func remove(_ pair: Int) {
        let b = Int(bucket[pair])
        guard b >= 0 else { return }
        let n = next[pair], p = previous[pair]
        if p >= 0 { next[Int(p)] = n } else { heads[b] = n }
        if n >= 0 { previous[Int(n)] = p }
        bucket[pair] = -1
    }

    /// Removes and returns one pair due at iteration `k`, or nil when none is left.
    @inline(__always)
    public func popDue(at k: Int) -> Int? {
        let b = k & (window - 1)
        let head = heads[b]
        guard head >= 0 else { return nil }
        let pair = Int(head)
        let n = next[pair]
        heads[b] = n
        if n >= 0 { previous[Int(n)] = -1 }
        bucket[pair] = -1
        return pair
    }
}
