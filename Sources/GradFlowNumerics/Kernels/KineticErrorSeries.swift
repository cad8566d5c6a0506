/// The Taylor series, over one step, of the augmented error system of heavy ball with
/// friction on a fixed activation pattern (the kinetic solver; DESIGN §7):
///
///     y = (Δ, Δ̇, p, R) ∈ R^{4n},   Δ̈ + bΔ̇ + HΔ = 0,   p' = Δ − b p,   R' = p,
///
/// H = K ∘ C / m the pattern's kernel (002 eq. 3.3 with the pattern frozen), p and R the
/// running integrals from which every neuron's motion follows (`KineticPairKernel`). For
/// gradient flow (002 eq. 4.3 on W, pattern frozen) the system is y = (Δ, R), Δ' = −HΔ, R' = Δ.
///
/// The series is exact up to truncation: the coefficients c_k = h^k y^{(k)}(t_b)/k! obey
/// c_{k+1} = (h/(k+1)) A c_k, one H-product (BLAS dgemv, n² flops) per term; terms are added
/// until two in a row fall below 1e-18 of the largest increment (the step is chosen with
/// ρh ≤ 1, ρ ≥ ‖A‖, so the remainder is below that too). y(t_b + sh) is summed by Horner's
/// rule. H itself changes at each activation switch by one row and column, in O(n).
///
/// Nesterov's ODE (002 eq. 4.3 on W, damping γ/t) gives y = (Δ, Δ̇, p, R) with
/// Δ̈ + (γ/t)Δ̇ + HΔ = 0, p' = Δ − (γ/t)p, R' = p. Multiplied by t these have coefficients
/// linear in t, so with t = t_b + u, σ = h/t_b and the scaled coefficients c_k as above,
///
///     Δ_{k+1} = h Δ̇_k/(k+1),                  Δ̇_{k+1} = −[(γ+k)σ Δ̇_k + h H(Δ_k + σΔ_{k−1})]/(k+1),
///     p_{k+1} = [h(Δ_k + σΔ_{k−1}) − (γ+k)σ p_k]/(k+1),   R_{k+1} = h p_k/(k+1),
///
/// still one H-product per term. The series converges for σ < 1 (the singularity at t = 0);
/// steps keep σ ≤ min(1/4, 1/γ) (`KineticDamping.maximumStep`).
public final class KineticErrorSeries {
    public let n: Int
    /// 2 (HBF) or 1 (gradient flow): the number of error blocks before p, R.
    public let order: Int
    public let friction: Double
    /// The damping of Δ̇ and p: `.constant(friction)` or Nesterov's γ/t.
    public let damping: KineticDamping
    /// The number of n-blocks of y: 4 (Δ, Δ̇, p, R) or 2 (Δ, R).
    public let blocks: Int
    /// H, n×n row-major, kept symmetric.
    public let kernel: DoubleBuffer
    public let maxTerms = 40
    /// Coefficients of the current step, term k at k·(blocks·n).
    let coefficients: DoubleBuffer
    /// The previous step's coefficients (evaluations slightly before the current step).
    let previous: DoubleBuffer
    private let product: DoubleBuffer
    /// Δ_k + σΔ_{k−1} (Nesterov).
    private let combined: DoubleBuffer
    public private(set) var terms = 0
    public private(set) var previousTerms = 0
    public private(set) var base = 0.0
    public private(set) var length = 0.0
    public private(set) var previousBase = 0.0
    public private(set) var previousLength = 0.0
    /// Total H-products (series terms) computed.
    public private(set) var products = 0
    /// Steps started.
    public private(set) var steps = 0

    public convenience init(samples n: Int, order: Int, friction: Double, kernel h: [Double]) {
        self.init(samples: n, order: order, damping: .constant(friction), kernel: h)
    }

    public init(samples n: Int, order: Int, damping: KineticDamping, kernel h: [Double]) {
        precondition(order == 1 || order == 2)
        precondition(h.count == n * n)
        self.n = n
        self.order = order
        self.damping = damping
        if case .constant(let b) = damping { friction = b } else { friction = 0 }
        combined = DoubleBuffer(count: n)
        blocks = order == 2 ? 4 : 2
        kernel = DoubleBuffer(h)
        coefficients = DoubleBuffer(count: maxTerms * blocks * n)
        previous = DoubleBuffer(count: maxTerms * blocks * n)
        product = DoubleBuffer(count: n)
    }

    public var dimension: Int { blocks * n }
    public var end: Double { base + length }

    /// H_ij += delta for the (i, j) and (j, i) entries (once for i = j).
    @inline(__always) public func addToKernel(_ i: Int, _ j: Int, _ delta: Double) {
        kernel.base[i * n + j] += delta
        if i != j { kernel.base[j * n + i] += delta }
    }

    /// Starts a step at time t from the state y (blocks·n values) with length h.
    public func start(at t: Double, state y: VectorView, length h: Double, keepPrevious: Bool) {
        precondition(y.count == dimension)
        if keepPrevious && terms > 0 {
            previous.base.update(from: coefficients.base, count: terms * dimension)
            previousTerms = terms
            previousBase = base
            previousLength = length
        } else {
            previousTerms = 0
        }
        base = t
        length = h
        steps += 1
        let dim = dimension
        coefficients.base.update(from: y.base, count: dim)
        var biggest = 0.0
        var small = 0
        terms = 1
        let b = friction
        while terms < maxTerms {
            let k = terms - 1
            let c = coefficients.base + k * dim, next = coefficients.base + terms * dim
            let f = h / Double(terms)
            var big = 0.0
            if order == 2, case .inverseTime(let gamma) = damping {
                // Nesterov: H(Δ_k + σΔ_{k−1}), then the recurrence of the type comment.
                let sigma = h / t, u = combined.base
                if k == 0 {
                    for i in 0..<n { u[i] = c[i] }
                } else {
                    let cp = c - dim
                    for i in 0..<n { u[i] = c[i] + sigma * cp[i] }
                }
                BLAS.gemv(m: n, n: n, a: UnsafePointer(kernel.base), x: UnsafePointer(u), y: product.base)
                products += 1
                let g = (gamma + Double(k)) * sigma, inverse = 1 / Double(terms)
                for i in 0..<n {
                    let dd = c[n + i], p = c[2 * n + i]
                    let v0 = f * dd, v1 = -(g * dd + h * product.base[i]) * inverse
                    let v2 = (h * u[i] - g * p) * inverse, v3 = f * p
                    next[i] = v0
                    next[n + i] = v1
                    next[2 * n + i] = v2
                    next[3 * n + i] = v3
                    big = max(big, abs(v0), abs(v1), abs(v2), abs(v3))
                }
                terms += 1
                biggest = max(biggest, big)
                if big <= 1e-18 * biggest { small += 1 } else { small = 0 }
                if small >= 2 || biggest == 0 { break }
                continue
            }
            // H Δ_k.
            BLAS.gemv(m: n, n: n, a: UnsafePointer(kernel.base), x: UnsafePointer(c), y: product.base)
            products += 1
            if order == 2 {
                for i in 0..<n {
                    let d = c[i], dd = c[n + i], p = c[2 * n + i], r = c[3 * n + i]
                    _ = r
                    let v0 = f * dd, v1 = f * (-b * dd - product.base[i]), v2 = f * (d - b * p), v3 = f * p
                    next[i] = v0
                    next[n + i] = v1
                    next[2 * n + i] = v2
                    next[3 * n + i] = v3
                    big = max(big, abs(v0), abs(v1), abs(v2), abs(v3))
                }
            } else {
                for i in 0..<n {
                    let v0 = -f * product.base[i], v1 = f * c[i]
                    next[i] = v0
                    next[n + i] = v1
                    big = max(big, abs(v0), abs(v1))
                }
            }
            terms += 1
            biggest = max(biggest, big)
            if big <= 1e-18 * biggest { small += 1 } else { small = 0 }
            if small >= 2 || biggest == 0 { break }
        }
    }

    /// y(t) of the block range [first, first + count) (in n-blocks) by Horner's rule, from the
    /// current step or, for t before it, the previous one.
    public func evaluate(at t: Double, firstBlock: Int, blockCount: Int, into out: MutableVectorView) {
        let usePrevious = t < base && previousTerms > 0
        let c = usePrevious ? previous : coefficients
        let count = usePrevious ? previousTerms : terms
        let s = ((t - (usePrevious ? previousBase : base)) / (usePrevious ? previousLength : length))
        let dim = dimension, offset = firstBlock * n, width = blockCount * n
        precondition(out.count >= width)
        let o = out.base
        let last = c.base + (count - 1) * dim + offset
        for i in 0..<width { o[i] = last[i] }
        var k = count - 2
        while k >= 0 {
            let ck = c.base + k * dim + offset
            for i in 0..<width { o[i] = o[i] * s + ck[i] }
            k -= 1
        }
    }

    /// The infinity norm of H (an upper bound of its spectral norm, for the step length).
    public var kernelInfinityNorm: Double {
        var worst = 0.0
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { s += abs(kernel.base[i * n + j]) }
            worst = max(worst, s)
        }
        return worst
    }
}
