/// The pairs' safe times (the kinetic solver's priority queue), in two levels: every neuron
/// keeps the keys of its n pairs in one contiguous row and their minimum, and an indexed
/// 4-ary min-heap orders the m neurons by that minimum. `first` is the pair with the smallest
/// key; `update` of one pair rescans its neuron's row (n comparisons) only when the row's
/// minimum may have moved, then moves the neuron in the heap (O(log m)); `updateNeuron`
/// re-keys all n pairs of one neuron with one heap move (a switch re-bounds a whole neuron).
///
/// Pairs are numbered i·m + r (sample i, neuron r). Ties go to the smaller pair index, in the
/// row (smaller i first) and in the heap, so the order of pairs is that of one flat heap over
/// all n·m pairs, and the same in every run.
struct SafeTimeQueue {
    private struct Entry {
        var key: Double
        /// The pair i·m + r holding the neuron's minimum.
        var pair: Int32
        var neuron: Int32
    }

    let samples: Int, neurons: Int
    /// Keys by neuron: entry r·n + i.
    private var keys: [Double]
    private var heap: [Entry]
    private var position: [Int32]

    /// `keys` by pair (i·m + r).
    init(keys pairKeys: [Double], samples n: Int, neurons m: Int) {
        precondition(pairKeys.count == n * m)
        samples = n
        neurons = m
        keys = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for r in 0..<m { keys[r * n + i] = pairKeys[i * m + r] } }
        heap = []
        heap.reserveCapacity(m)
        position = (0..<m).map { Int32($0) }
        for r in 0..<m {
            let (key, i) = Self.rowMinimum(keys, row: r, count: n)
            heap.append(Entry(key: key, pair: Int32(i * m + r), neuron: Int32(r)))
        }
        if m > 1 {
            for k in stride(from: (m - 2) / 4, through: 0, by: -1) { siftDown(k) }
        }
    }

    var isEmpty: Bool { heap.isEmpty || samples == 0 }

    /// The pair with the smallest key and its key.
    var first: (pair: Int, key: Double)? {
        guard samples > 0, let top = heap.first else { return nil }
        return (Int(top.pair), top.key)
    }

    /// The pair's current key.
    func key(of pair: Int) -> Double { keys[(pair % neurons) * samples + pair / neurons] }

    /// The smallest key of a row and its sample (the first one on ties).
    private static func rowMinimum(_ keys: [Double], row r: Int, count n: Int) -> (Double, Int) {
        var best = Double.infinity, at = 0
        keys.withUnsafeBufferPointer { k in
            let base = r * n
            for i in 0..<n where k[base + i] < best {
                best = k[base + i]
                at = i
            }
        }
        return (best, at)
    }

    @inline(__always) private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.key < b.key || (a.key == b.key && a.pair < b.pair)
    }

    mutating func update(_ pair: Int, key: Double) {
        let m = neurons, n = samples
        let r = pair % m, i = pair / m
        keys[r * n + i] = key
        let k = Int(position[r])
        let entry = heap[k]
        let candidate = Entry(key: key, pair: Int32(pair), neuron: Int32(r))
        if Self.less(candidate, entry) {
            heap[k] = candidate
            siftUp(k)
        } else if Int(entry.pair) == pair {
            let (best, at) = Self.rowMinimum(keys, row: r, count: n)
            heap[k] = Entry(key: best, pair: Int32(at * m + r), neuron: Int32(r))
            siftDown(k)
        }
    }

    /// Gives every pair of neuron r a new key: `rowKeys[i]` for sample i.
    mutating func updateNeuron(_ r: Int, keys rowKeys: [Double]) {
        let m = neurons, n = samples
        var best = Double.infinity, at = 0
        for i in 0..<n {
            let value = rowKeys[i]
            keys[r * n + i] = value
            if value < best {
                best = value
                at = i
            }
        }
        let k = Int(position[r])
        let old = heap[k]
        let entry = Entry(key: best, pair: Int32(at * m + r), neuron: Int32(r))
        heap[k] = entry
        if Self.less(entry, old) { siftUp(k) } else { siftDown(k) }
    }

    private mutating func siftUp(_ start: Int) {
        var k = start
        let item = heap[k]
        while k > 0 {
            let parent = (k - 1) >> 2
            let p = heap[parent]
            if !Self.less(item, p) { break }
            heap[k] = p
            position[Int(p.neuron)] = Int32(k)
            k = parent
        }
        heap[k] = item
        position[Int(item.neuron)] = Int32(k)
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
            position[Int(best.neuron)] = Int32(k)
            k = child
        }
        heap[k] = item
        position[Int(item.neuron)] = Int32(k)
    }
}
