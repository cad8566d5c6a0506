/// The activation state of every (sample i, neuron r) pair of the two-layer ReLU network
/// during a switching run: active (z_ri = w_rᵀx_i ≥ 0, the papers' convention 1[z ≥ 0]),
/// inactive (z_ri < 0), or sliding (held on the surface z_ri = 0 by Filippov's equivalent
/// control; gradient flow only).
///
/// Sliding pairs are grouped by neuron: neuron r's sliding set K_r and the inverse of
/// G_KK = (x_iᵀx_k)_{i,k∈K_r}, which the equivalent control and the projection onto the
/// surfaces need. The arrays `mask` and `orientation` (n×m, entry i·m + r) are what the
/// numerical kernels read; see `ReLUSwitchingKernel`.
///
/// A pair that has just left a sliding surface sits at z = 0 up to rounding; it is
/// "released": not checked for sign changes until |z| exceeds `releaseBand`, so that a
/// rounding-level sign is not mistaken for a crossing.
final class SwitchingPattern {
    enum Mode: UInt8 { case inactive = 0, active = 1, sliding = 2 }

    struct SlidingGroup {
        let neuron: Int
        /// The sliding samples of the neuron, ascending.
        var samples: [Int]
        /// (G_KK)⁻¹, k×k row-major.
        var inverseGram: [Double]
    }

    let n: Int, m: Int
    private(set) var modes: [Mode]
    /// 1 where active, 0 where inactive or sliding.
    let mask: DoubleBuffer
    /// +1 active, −1 inactive, 0 sliding or released within the band.
    let orientation: DoubleBuffer
    private(set) var groups: [SlidingGroup] = []
    private var groupOfNeuron: [Int: Int] = [:]
    /// Released pairs still inside the band.
    private(set) var released: Set<Int> = []
    /// |z| below which a released pair is not checked.
    let releaseBand: Double
    /// Pairs whose mask entry was set since the last `drainMaskLog` (with repeats).
    private var maskLog: [Int] = []

    /// The pattern 1[z ≥ 0] of the pre-activations z (n×m).
    init(preactivations z: [Double], samples n: Int, width m: Int, releaseBand: Double) {
        precondition(z.count == n * m)
        self.n = n
        self.m = m
        self.releaseBand = releaseBand
        modes = z.map { $0 >= 0 ? .active : .inactive }
        mask = DoubleBuffer(modes.map { $0 == .active ? 1 : 0 })
        orientation = DoubleBuffer(modes.map { $0 == .active ? 1 : -1 })
    }

    var slidingPairCount: Int { groups.reduce(0) { $0 + $1.samples.count } }
    var activeCount: Int { modes.reduce(0) { $0 + ($1 == .active ? 1 : 0) } }

    func mode(_ pair: Int) -> Mode { modes[pair] }

    /// Every mode change since logging was switched on (`eventLog` non-nil), at `clock`.
    var eventLog: [SwitchEvent]?
    /// The time of the changes being applied, for `eventLog`; the solvers set it.
    var clock = 0.0

    private func log(_ pair: Int, _ kind: SwitchEvent.Kind) {
        eventLog?.append(SwitchEvent(time: clock, sample: pair / m, neuron: pair % m, kind: kind))
    }

    /// Sets a non-sliding pair's mode (a transversal crossing).
    func setMode(_ pair: Int, _ mode: Mode) {
        precondition(mode != .sliding && modes[pair] != .sliding)
        if modes[pair] != mode { log(pair, .crossing) }
        modes[pair] = mode
        mask[pair] = mode == .active ? 1 : 0
        maskLog.append(pair)
        orientation[pair] = released.contains(pair) ? 0 : (mode == .active ? 1 : -1)
    }

    /// The pairs whose mask entry may have changed since the last call.
    func drainMaskLog() -> [Int] {
        defer { maskLog.removeAll(keepingCapacity: true) }
        return maskLog
    }

    /// The group of a neuron, if it has sliding pairs.
    func group(ofNeuron r: Int) -> SlidingGroup? {
        groupOfNeuron[r].map { groups[$0] }
    }

    /// The sliding set of neuron r extended by sample i, with the inverse Gram matrix, or
    /// nil when the surfaces are (numerically) dependent.
    func extendedGroup(neuron r: Int, sample i: Int, gram: (Int, Int) -> Double) -> SlidingGroup? {
        let samples = ((group(ofNeuron: r)?.samples ?? []) + [i]).sorted()
        guard let inverse = SlidingLinearAlgebra.inverse(gramMatrix(samples, gram), size: samples.count) else { return nil }
        return SlidingGroup(neuron: r, samples: samples, inverseGram: inverse)
    }

    private func gramMatrix(_ samples: [Int], _ gram: (Int, Int) -> Double) -> [Double] {
        var g = [Double]()
        g.reserveCapacity(samples.count * samples.count)
        for i in samples { for k in samples { g.append(gram(i, k)) } }
        return g
    }

    /// Makes `group` (from `extendedGroup`) the neuron's sliding set: its new pairs become sliding.
    func commit(_ group: SlidingGroup) {
        for i in group.samples {
            let pair = i * m + group.neuron
            if modes[pair] != .sliding { log(pair, .slidingEntry) }
            modes[pair] = .sliding
            mask[pair] = 0
            maskLog.append(pair)
            orientation[pair] = 0
            released.remove(pair)
        }
        if let g = groupOfNeuron[group.neuron] {
            groups[g] = group
        } else {
            groupOfNeuron[group.neuron] = groups.count
            groups.append(group)
        }
    }

    /// Takes sample i of neuron r off its surface into `mode` (active when s reached 1,
    /// inactive when s reached 0) and marks it released.
    func release(sample i: Int, neuron r: Int, to mode: Mode, gram: (Int, Int) -> Double) {
        precondition(mode != .sliding)
        let pair = i * m + r
        guard let g = groupOfNeuron[r] else { preconditionFailure("neuron \(r) has no sliding group") }
        var samples = groups[g].samples
        samples.removeAll { $0 == i }
        log(pair, .slidingExit)
        modes[pair] = mode
        mask[pair] = mode == .active ? 1 : 0
        maskLog.append(pair)
        orientation[pair] = 0
        released.insert(pair)
        if samples.isEmpty {
            removeGroup(at: g)
        } else {
            // A subset of independent surfaces stays independent.
            let inverse = SlidingLinearAlgebra.inverse(gramMatrix(samples, gram), size: samples.count)!
            groups[g] = SlidingGroup(neuron: r, samples: samples, inverseGram: inverse)
        }
    }

    private func removeGroup(at g: Int) {
        let last = groups.count - 1
        groupOfNeuron[groups[g].neuron] = nil
        if g != last {
            groups[g] = groups[last]
            groupOfNeuron[groups[g].neuron] = g
        }
        groups.removeLast()
    }

    /// Marks a non-sliding pair released: it sits within rounding of its surface on the
    /// wrong side (the exact pieces after a crossing) and is not checked until |z| > band.
    func markReleased(_ pair: Int) {
        precondition(modes[pair] != .sliding)
        released.insert(pair)
        orientation[pair] = 0
    }

    /// Checks the released pairs against the pre-activations z (n×m): a pair outside the
    /// band on the side of its mode is checked normally from now on; one outside the band on
    /// the other side has crossed back and is returned (its orientation is restored, so it
    /// shows as a violation).
    func updateReleased(preactivations z: VectorView) -> [Int] {
        if released.isEmpty { return [] }
        var crossedBack: [Int] = []
        for pair in released where abs(z[pair]) > releaseBand {
            released.remove(pair)
            let active = modes[pair] == .active
            orientation[pair] = active ? 1 : -1
            if (z[pair] >= 0) != active { crossedBack.append(pair) }
        }
        return crossedBack.sorted()
    }
}

/// Dense k×k helpers for the sliding groups (k is the number of surfaces a neuron slides on,
/// usually 1 or 2).
enum SlidingLinearAlgebra {
    /// The inverse of a k×k row-major matrix by Gauss–Jordan elimination with partial
    /// pivoting; nil when a pivot falls below 1e-10 of the largest entry (dependent surfaces).
    static func inverse(_ a: [Double], size k: Int) -> [Double]? {
        var a = a
        var inv = [Double](repeating: 0, count: k * k)
        for i in 0..<k { inv[i * k + i] = 1 }
        let scale = a.map(abs).max() ?? 0
        guard scale > 0 else { return nil }
        for col in 0..<k {
            var pivot = col
            for row in (col + 1)..<k where abs(a[row * k + col]) > abs(a[pivot * k + col]) { pivot = row }
            guard abs(a[pivot * k + col]) > 1e-10 * scale else { return nil }
            if pivot != col {
                for j in 0..<k {
                    a.swapAt(pivot * k + j, col * k + j)
                    inv.swapAt(pivot * k + j, col * k + j)
                }
            }
            let p = a[col * k + col]
            for j in 0..<k {
                a[col * k + j] /= p
                inv[col * k + j] /= p
            }
            for row in 0..<k where row != col {
                let f = a[row * k + col]
                if f == 0 { continue }
                for j in 0..<k {
                    a[row * k + j] -= f * a[col * k + j]
                    inv[row * k + j] -= f * inv[col * k + j]
                }
            }
        }
        return inv
    }
}
