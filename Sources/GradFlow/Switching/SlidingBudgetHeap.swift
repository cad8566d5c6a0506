/// The kinetic solver's sliding pairs whose exit safe time holds only while the switches'
/// accumulated kernel change Ψ stays below a threshold (`SafeTimeBound.exitTime`): a binary
/// min-heap of (threshold, pair). Entries are not removed when a pair is re-bounded; the
/// solver keeps each pair's current threshold and skips stale entries when they come out.
struct SlidingBudgetHeap {
    private var items: [(threshold: Double, pair: Int)] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var minimum: (threshold: Double, pair: Int)? { items.first }

    /// Drops the entries `keep` rejects (stale ones) and restores the heap order: O(count).
    mutating func compact(keeping keep: (Double, Int) -> Bool) {
        items.removeAll { !keep($0.threshold, $0.pair) }
        var k = items.count / 2 - 1
        while k >= 0 {
            siftDown(k)
            k -= 1
        }
    }

    mutating func push(_ threshold: Double, pair: Int) {
        items.append((threshold, pair))
        var k = items.count - 1
        while k > 0 {
            let parent = (k - 1) / 2
            if !Self.less(items[k], items[parent]) { break }
            items.swapAt(k, parent)
            k = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var k = start
        while true {
            let l = 2 * k + 1, r = l + 1
            var best = k
            if l < items.count && Self.less(items[l], items[best]) { best = l }
            if r < items.count && Self.less(items[r], items[best]) { best = r }
            if best == k { break }
            items.swapAt(k, best)
            k = best
        }
    }

    /// Ties by pair index, so the order is the same in every run.
    private static func less(_ a: (threshold: Double, pair: Int), _ b: (threshold: Double, pair: Int)) -> Bool {
        a.threshold < b.threshold || (a.threshold == b.threshold && a.pair < b.pair)
    }
}
