/// An element a + b·φ of the quadratic extension Goldilocks[φ]/(φ² − φ + 2), as in Winterfell and Miden.
///
/// Used for verifier challenges (composition coefficients, the out-of-domain point, DEEP and FRI
/// folding randomness), where 64 bits of field would give too little soundness.
@frozen
public struct QuadFelt: FieldElement, CustomStringConvertible {
    public var c0: Felt
    public var c1: Felt

    @inlinable @inline(__always)
    public init(_ c0: Felt, _ c1: Felt) { self.c0 = c0; self.c1 = c1 }
    @inlinable @inline(__always)
    public init(_ base: Felt) { self.c0 = base; self.c1 = .zero }

    public static let zero = QuadFelt(Felt.zero, Felt.zero)
    public static let one = QuadFelt(Felt.one, Felt.zero)

    public var description: String { "(\(c0), \(c1))" }

    @inlinable @inline(__always)
    public static func + (a: QuadFelt, b: QuadFelt) -> QuadFelt { QuadFelt(a.c0 + b.c0, a.c1 + b.c1) }
    @inlinable @inline(__always)
    public static func - (a: QuadFelt, b: QuadFelt) -> QuadFelt { QuadFelt(a.c0 - b.c0, a.c1 - b.c1) }
    @inlinable @inline(__always)
    public static prefix func - (a: QuadFelt) -> QuadFelt { QuadFelt(-a.c0, -a.c1) }

    /// (a0 + a1φ)(b0 + b1φ) = a0b0 − 2a1b1 + (a0b1 + a1b0 + a1b1)φ, using φ² = φ − 2.
    @inlinable @inline(__always)
    public static func * (a: QuadFelt, b: QuadFelt) -> QuadFelt {
        let a0b0 = a.c0 * b.c0
        let a1b1 = a.c1 * b.c1
        let cross = (a.c0 + a.c1) * (b.c0 + b.c1)  // a0b0 + a0b1 + a1b0 + a1b1
        return QuadFelt(a0b0 - a1b1.double(), cross - a0b0)
    }

    @inlinable @inline(__always)
    public func scaled(by base: Felt) -> QuadFelt { QuadFelt(c0 * base, c1 * base) }

    /// The conjugate under φ ↦ 1 − φ (the other root of φ² − φ + 2).
    @inlinable
    public var conjugate: QuadFelt { QuadFelt(c0 + c1, -c1) }

    /// The inverse via the norm: x⁻¹ = conj(x) / (x·conj(x)); zero maps to zero.
    @inlinable
    public func inverse() -> QuadFelt {
        let conj = conjugate
        let norm = (self * conj).c0
        return conj.scaled(by: norm.inverse())
    }

    @inlinable @inline(__always)
    public var isZero: Bool { c0.isZero && c1.isZero }
}
