import Foundation

/// A minimal complex number for modal solutions (roots of characteristic polynomials).
public struct Complex: Equatable, Sendable, CustomStringConvertible {
    public var re: Double
    public var im: Double

    public init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }

    public static let zero = Complex(0, 0)
    public static let one = Complex(1, 0)

    public var magnitude: Double { hypot(re, im) }
    public var conjugate: Complex { Complex(re, -im) }

    public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    public static func * (a: Double, b: Complex) -> Complex { Complex(a * b.re, a * b.im) }
    public static func / (a: Complex, b: Complex) -> Complex {
        // Smith's algorithm avoids overflow in |b|².
        if abs(b.re) >= abs(b.im) {
            let r = b.im / b.re, den = b.re + b.im * r
            return Complex((a.re + a.im * r) / den, (a.im - a.re * r) / den)
        } else {
            let r = b.re / b.im, den = b.re * r + b.im
            return Complex((a.re * r + a.im) / den, (a.im * r - a.re) / den)
        }
    }

    /// e^z.
    public static func exp(_ z: Complex) -> Complex {
        let m = Foundation.exp(z.re)
        return Complex(m * cos(z.im), m * sin(z.im))
    }

    public var description: String { im >= 0 ? "\(re)+\(im)i" : "\(re)\(im)i" }
}
