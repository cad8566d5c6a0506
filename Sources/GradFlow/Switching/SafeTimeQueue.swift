/// An indexed 4-ary min-heap of the pairs' safe times (the kinetic solver's priority queue):
/// every pair 0..<count has one key; `first` is the pair with the smallest key, `update`
/// moves a pair to its new key in O(log count). The heap stores each key next to its pair
/// (one cache line holds a node's four children). Ties go to the smaller pair index, so the
/// order of events is the same in every run.
struct SafeTimeQueue {
    private struct Entry {
        var key: Double
        var pair: Int32
    }

    private var heap: [Entry]
    private var position: [Int32]

    init(keys: [Double]) {
        let count = keys.count
        heap = (0..<count).map { Entry(key: keys[$0], pair: Int32($0)) }
        position = (0..<count).map { Int32($0) }
        if count > 1 {
            for k in stride(from: (count - 2) / 4, through: 0, by: -1) { siftDown(k) }
        }
    }

    var isEmpty: Bool { heap.isEmpty }

    /// The pair with the smallest key and its key.
    var first: (pair: Int, key: Double)? {
        guard let top = heap.first else { return nil }
        return (Int(top.pair), top.key)
    }

    /// The pair's current key.
    func key(of pair: Int) -> Double { heap[Int(position[pair])].key }

    @inline(__always) private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.key < b.key || (a.key == b.key && a.pair < b.pair)
    }

    mutating func update(_ pair: Int, key: Double) {
        let k = Int(position[pair])
        let old = heap[k].key
        heap[k].key = key
        if key < old { siftUp(k) } else { siftDown(k) }
    }

    private mutating func siftUp(_ start: Int) {
        var k = start
        let item = heap[k]
        while k > 0 {
            let parent = (k - 1) >> 2
            let p = heap[parent]
            if !Self.less(item, p) { break }
            heap[k] = p
            position[Int(p.pair)] = Int32(k)
            k = parent
        }
        heap[k] = item
        position[Int(item.pair)] = Int32(k)
    }

    private mutating func siftDown(_ start: Int) {
        var k = start
        let count = heap.count
        let item = heap[k]
        while true {
            let first = 4 * k + 1
            if first >= count { break }
            var child = first
            var best = heap[first]
            let last = min(first + 4, count)
            var c = first + 1
            while c < last {
                let e = heap[c]
                if Self.less(e, best) {
                    best = e
                    child = c
                }
                c += 1
            }
            if !Self.less(best, item) { break }
            heap[k] = best
            position[Int(best.pair)] = Int32(k)
            k = child
        }
        heap[k] = item
        position[Int(item.pair)] = Int32(k)
    }
}
