/// An indexed binary min-heap of the pairs' safe times (the kinetic solver's priority queue):
/// every pair 0..<count has one key; `first` is the pair with the smallest key, `update`
/// moves a pair to its new key in O(log count). Ties go to the smaller pair index, so the
/// order of events is the same in every run.
struct SafeTimeQueue {
    private(set) var keys: [Double]
    private var heap: [Int32]
    private var position: [Int32]

    init(keys: [Double]) {
        self.keys = keys
        let count = keys.count
        heap = (0..<count).map { Int32($0) }
        position = heap
        if count > 1 {
            for k in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(k) }
        }
    }

    var isEmpty: Bool { heap.isEmpty }

    /// The pair with the smallest key and its key.
    var first: (pair: Int, key: Double)? {
        guard let top = heap.first else { return nil }
        return (Int(top), keys[Int(top)])
    }

    @inline(__always) private func less(_ a: Int32, _ b: Int32) -> Bool {
        let ka = keys[Int(a)], kb = keys[Int(b)]
        return ka < kb || (ka == kb && a < b)
    }

    mutating func update(_ pair: Int, key: Double) {
        let old = keys[pair]
        keys[pair] = key
        let k = Int(position[pair])
        if key < old { siftUp(k) } else { siftDown(k) }
    }

    private mutating func siftUp(_ start: Int) {
        var k = start
        let item = heap[k]
        while k > 0 {
            let parent = (k - 1) >> 1
            let p = heap[parent]
            if !less(item, p) { break }
            heap[k] = p
            position[Int(p)] = Int32(k)
            k = parent
        }
        heap[k] = item
        position[Int(item)] = Int32(k)
    }

    private mutating func siftDown(_ start: Int) {
        var k = start
        let count = heap.count
        let item = heap[k]
        while true {
            let left = 2 * k + 1
            if left >= count { break }
            var child = left
            if left + 1 < count && less(heap[left + 1], heap[left]) { child = left + 1 }
            if !less(heap[child], item) { break }
            heap[k] = heap[child]
            position[Int(heap[k])] = Int32(k)
            k = child
        }
        heap[k] = item
        position[Int(item)] = Int32(k)
    }
}
