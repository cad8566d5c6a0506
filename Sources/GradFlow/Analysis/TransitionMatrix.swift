import Foundation

// The 2×2 per-eigenvalue blocks of the linear-regime transition matrix, with the closed forms
// (eigenvalues, spectral radius, singular values) the rest of `LinearRegime` is built on.

extension LinearRegime {
    /// The momentum method whose residual recursion the transition matrix describes.
    public enum Method: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Polyak's heavy ball: ξ_{k+1} = ((1+β)I − ηH)ξ_k − βξ_{k−1}, so
        /// M = [[(1+β)I − ηH, −βI], [I, 0]] (001 Thm 5's A, 000 eq. (16)). 003 eq. (23)
        /// prints the top-right block as −βH0; it is −βI.
        case heavyBall
        /// Nesterov's accelerated gradient with constant β:
        /// ξ_{k+1} = (1+β)(I − ηH)ξ_k − β(I − ηH)ξ_{k−1}, so
        /// M = [[(1+β)(I − ηH), −β(I − ηH)], [I, 0]] (003 eq. (22)).
        case nesterov

        public var description: String {
            switch self {
            case .heavyBall: return "heavy ball"
            case .nesterov: return "Nesterov (constant β)"
            }
        }
    }

    /// How the two roots of a block's characteristic polynomial z² − tr·z + det lie.
    public enum RootKind: String, Sendable {
        /// A conjugate pair z, z̄ with |z| = √det (discriminant < 0).
        case complexConjugate
        /// A double real root tr/2 (discriminant zero to rounding); the block may be a
        /// Jordan block, so ‖B^k‖/ρ^k can grow like k.
        case repeated
        /// Two distinct real roots.
        case distinctReal
    }

    /// A real 2×2 matrix [[a, b], [c, d]] with closed-form spectral quantities.
    ///
    /// In H's eigenbasis, after the permutation that pairs coordinate i of ξ_k with coordinate
    /// i of ξ_{k−1}, the 2n×2n transition matrix M is block diagonal with one such block per
    /// eigenvalue λ of H (001 Lemma 6, eqs. (46)–(47); 000 Appendix B, proof of Lemma 3).
    public struct Block: Equatable, Sendable, CustomStringConvertible {
        public var a: Double
        public var b: Double
        public var c: Double
        public var d: Double

        public init(_ a: Double, _ b: Double, _ c: Double, _ d: Double) {
            self.a = a; self.b = b; self.c = c; self.d = d
        }

        public static let identity = Block(1, 0, 0, 1)

        /// The block of `method` for one eigenvalue λ of H, with z = ηλ:
        /// heavy ball [[1 + β − z, −β], [1, 0]]; Nesterov [[(1+β)(1 − z), −β(1 − z)], [1, 0]].
        public static func transition(method: Method, scaledEigenvalue z: Double, momentum beta: Double) -> Block {
            switch method {
            case .heavyBall:
                return Block(1 + beta - z, -beta, 1, 0)
            case .nesterov:
                return Block((1 + beta) * (1 - z), -beta * (1 - z), 1, 0)
            }
        }

        public var trace: Double { a + d }
        public var determinant: Double { a * d - b * c }
        /// tr² − 4 det: negative for a complex-conjugate pair of eigenvalues.
        public var discriminant: Double { trace * trace - 4 * determinant }

        /// Root classification. The discriminant counts as zero when |disc| ≤ 64ε‖B‖_F²: rounding
        /// the entries alone (relative ε) moves a double root by about √ε‖B‖, so roots split by
        /// less than √|disc| ≈ 1.2e-7‖B‖_F are a double root to working precision (this also
        /// classifies a nearly nilpotent block, e.g. Nesterov at ηλ = 1 − 1e-16, as repeated).
        public var rootKind: RootKind {
            let disc = discriminant
            let scale = a * a + b * b + c * c + d * d
            if abs(disc) <= 64 * Double.ulpOfOne * scale { return .repeated }
            return disc < 0 ? .complexConjugate : .distinctReal
        }

        /// The two roots of z² − tr·z + det, larger modulus first. Real roots use the
        /// cancellation-free pair z1 = (tr + sign(tr)√disc)/2, z2 = det/z1.
        public var eigenvalues: (Complex, Complex) {
            let t = trace, det = determinant, disc = discriminant
            if disc < 0 {
                let im = 0.5 * (-disc).squareRoot()
                return (Complex(0.5 * t, im), Complex(0.5 * t, -im))
            }
            let z1 = 0.5 * (t + (t < 0 ? -1.0 : 1.0) * disc.squareRoot())
            let z2 = z1 != 0 ? det / z1 : 0
            return (Complex(z1, 0), Complex(z2, 0))
        }

        /// ρ(B) = max |z|. For a complex pair |z| = √det exactly (z z̄ = det), which is how
        /// 000 Lemma 5 and 001 Lemma 6 get |z| = √β for heavy ball.
        public var spectralRadius: Double {
            let disc = discriminant
            if disc < 0 { return max(determinant, 0).squareRoot() }
            return 0.5 * (abs(trace) + disc.squareRoot())
        }

        /// Singular values σ1 ≥ σ2 in closed form: with p = ½‖(a+d, c−b)‖ and
        /// q = ½‖(a−d, c+b)‖, σ1 = p + q and σ2 = |p − q| (B = rotation-like part + reflection-like part).
        public var singularValues: (largest: Double, smallest: Double) {
            let p = 0.5 * hypot(a + d, c - b)
            let q = 0.5 * hypot(a - d, c + b)
            return (p + q, abs(p - q))
        }

        /// ‖B‖₂, the largest singular value.
        public var spectralNorm: Double { singularValues.largest }

        public static func * (lhs: Block, rhs: Block) -> Block {
            Block(lhs.a * rhs.a + lhs.b * rhs.c, lhs.a * rhs.b + lhs.b * rhs.d,
                  lhs.c * rhs.a + lhs.d * rhs.c, lhs.c * rhs.b + lhs.d * rhs.d)
        }

        public static func * (s: Double, m: Block) -> Block {
            Block(s * m.a, s * m.b, s * m.c, s * m.d)
        }

        /// B (x, y)ᵀ.
        public func apply(_ v: (Double, Double)) -> (Double, Double) {
            (a * v.0 + b * v.1, c * v.0 + d * v.1)
        }

        /// B^k by repeated squaring (k ≥ 0). Overflows or underflows when ρ(B)^k does; scale
        /// B by 1/ρ first to get B^k/ρ^k (as `LinearRegime.scaledPowerNorm` does).
        public func power(_ k: Int) -> Block {
            precondition(k >= 0, "Block.power: negative exponent \(k)")
            var result = Block.identity, base = self, e = k
            while e > 0 {
                if e & 1 == 1 { result = result * base }
                e >>= 1
                if e > 0 { base = base * base }
            }
            return result
        }

        public var description: String { "[[\(a), \(b)], [\(c), \(d)]]" }
    }

    /// The full 2n×2n transition matrix of `method` for a symmetric kernel H (any basis):
    /// [ξ_{k+1}; ξ_k] = M [ξ_k; ξ_{k−1}], with
    /// heavy ball M = [[(1+β)I − ηH, −βI], [I, 0]] (001 Thm 5; 003 eq. (23) with its −βH0
    /// corrected to −βI) and Nesterov M = [[(1+β)(I − ηH), −β(I − ηH)], [I, 0]] (003 eq. (22)).
    /// Meant for tests and small n; `LinearRegime` works with the 2×2 blocks instead.
    public static func transitionMatrix(kernel h: DenseMatrix, stepSize eta: Double, momentum beta: Double,
                                        method: Method) -> DenseMatrix {
        precondition(h.isSquare, "transitionMatrix: kernel is \(h.rows)x\(h.columns)")
        let n = h.rows
        var m = DenseMatrix(rows: 2 * n, columns: 2 * n)
        for i in 0..<n {
            for j in 0..<n {
                let delta = i == j ? 1.0 : 0.0
                let g = delta - eta * h[i, j]           // (I − ηH)_ij
                switch method {
                case .heavyBall:
                    m[i, j] = beta * delta + g          // (1+β)I − ηH
                    m[i, n + j] = -beta * delta         // −βI
                case .nesterov:
                    m[i, j] = (1 + beta) * g            // (1+β)(I − ηH)
                    m[i, n + j] = -beta * g             // −β(I − ηH)
                }
            }
            m[n + i, i] = 1                             // [I, 0]
        }
        return m
    }
}
