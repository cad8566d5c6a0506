/// The pairs' safe times (the kinetic solver's priority queue), in two levels: every neuron
/// keeps the keys of its n pairs in a tournament tree (a complete binary tree over P ≥ n
/// leaves, each inner node holding the winning sample), and an indexed 4-ary min-heap orders
/// the m neurons by their winners. `first` is the pair with the smallest key; `update` of one
/// pair replays its leaf-to-root path (log₂ P comparisons) and moves its neuron in the heap
/// (O(log m)); `updateNeuron` re-keys all n pairs of one neuron (O(P)) with one heap move (a
/// switch re-bounds a whole neuron).
///
/// Pairs are numbered i·m + r (sample i, neuron r). Ties go to the smaller pair index, in the
/// trees (smaller i first) and in the heap, so the order of pairs is that of one flat heap
/// over all n·m pairs, and the same in every run.
struct SafeTimeQueue {
    private struct Entry {
        var key: Double
        /// The pair i·m + r holding the neuron's minimum.
        var pair: Int32
        var neuron: Int32
    }

    let samples: Int, neurons: Int
    /// Leaves per tree: the smallest power of two ≥ n.
    private let leaves: Int
    /// Keys by neuron: entry r·P + i (+∞ for the padding leaves i ≥ n).
    private var keys: [Double]
    /// Tournament trees: entry r·P + j (1 ≤ j < P) is the winning sample below node j.
    private var winners: [Int32]
    private var heap: [Entry]
    private var position: [Int32]

    /// `keys` by pair (i·m + r).
    init(keys pairKeys: [Double], samples n: Int, neurons m: Int) {
        precondition(pairKeys.count == n * m)
        samples = n
        neurons = m
        var p = 1
        while p < n { p *= 2 }
        leaves = p
        keys = [Double](repeating: .infinity, count: p * m)
        winners = [Int32](repeating: 0, count: p * m)
        for i in 0..<n { for r in 0..<m { keys[r * p + i] = pairKeys[i * m + r] } }
        heap = []
        heap.reserveCapacity(m)
        position = (0..<m).map { Int32($0) }
        for r in 0..<m {
            rebuild(row: r)
            let i = rowWinner(r)
            heap.append(Entry(key: keys[r * p + i], pair: Int32(i * m + r), neuron: Int32(r)))
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
    func key(of pair: Int) -> Double { keys[(pair % neurons) * leaves + pair / neurons] }

    /// The winning sample of node j of row r (a leaf when j ≥ P).
    @inline(__always) private func winner(row base: Int, node j: Int) -> Int {
        j >= leaves ? j - leaves : Int(winners[base + j])
    }

    /// The winner of two samples a < b: the smaller key, a on ties.
    @inline(__always) private func play(row base: Int, _ a: Int, _ b: Int) -> Int {
        keys[base + b] < keys[base + a] ? b : a
    }

    @inline(__always) private func rowWinner(_ r: Int) -> Int {
        leaves == 1 ? 0 : Int(winners[r * leaves + 1])
    }

    private mutating func rebuild(row r: Int) {
        let base = r * leaves
        var j = leaves - 1
        while j >= 1 {
            winners[base + j] = Int32(play(row: base, winner(row: base, node: 2 * j), winner(row: base, node: 2 * j + 1)))
            j -= 1
        }
    }

    @inline(__always) private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.key < b.key || (a.key == b.key && a.pair < b.pair)
    }

    mutating func update(_ pair: Int, key: Double) {
        let m = neurons, p = leaves
        let r = pair % m, i = pair / m
        let base = r * p
        keys[base + i] = key
        var j = (p + i) >> 1
        while j >= 1 {
            winners[base + j] = Int32(play(row: base, winner(row: base, node: 2 * j), winner(row: base, node: 2 * j + 1)))
            j >>= 1
        }
        moveNeuron(r)
    }

    /// Gives every pair of neuron r a new key: `rowKeys[i]` for sample i.
    mutating func updateNeuron(_ r: Int, keys rowKeys: [Double]) {
        let base = r * leaves
        for i in 0..<samples { keys[base + i] = rowKeys[i] }
        rebuild(row: r)
        moveNeuron(r)
    }

    /// Puts neuron r's new winner in the heap.
    private mutating func moveNeuron(_ r: Int) {
        let i = rowWinner(r)
        let k = Int(position[r])
        let old = heap[k]
        let entry = Entry(key: keys[r * leaves + i], pair: Int32(i * neurons + r), neuron: Int32(r))
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
