/// An element of the Goldilocks field, p = 2^64 − 2^32 + 1, kept in canonical form (`value < p`).
///
/// Arithmetic is branch-free and uses the shape of p: 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p).
/// Construct from untrusted data with `init(canonical:)`, which refuses values ≥ p;
/// `init(_:)` reduces and is for values the program computed itself.
@frozen
public struct Felt: Hashable, Sendable, CustomStringConvertible {
    /// The field modulus p = 2^64 − 2^32 + 1.
    public static let modulus: UInt64 = 0xFFFF_FFFF_0000_0001
    /// 2^32 − 1, which is 2^64 mod p.
    @usableFromInline static let epsilon: UInt64 = 0xFFFF_FFFF

    /// The canonical representative, always < p.
    public var value: UInt64

    public static let zero = Felt(unchecked: 0)
    public static let one = Felt(unchecked: 1)

    /// Wraps a value the caller guarantees is already < p.
    @inlinable @inline(__always)
    public init(unchecked value: UInt64) { self.value = value }

    /// Reduces any 64-bit value into the field.
    @inlinable @inline(__always)
    public init(_ value: UInt64) {
        let (r, borrow) = value.subtractingReportingOverflow(Felt.modulus)
        self.value = borrow ? value : r
    }

    /// Accepts `value` only if it is canonical (< p); returns nil otherwise.
    @inlinable
    public init?(canonical value: UInt64) {
        guard value < Felt.modulus else { return nil }
        self.value = value
    }

    public var description: String { String(value) }

    // MARK: Arithmetic

    @inlinable @inline(__always)
    public static func + (a: Felt, b: Felt) -> Felt {
        // a + b < 2p < 2^65: on carry, add 2^32 − 1 (≡ 2^64); then subtract p once if needed.
        let (s, carry) = a.value.addingReportingOverflow(b.value)
        let s1 = s &+ (carry ? epsilon : 0)
        let (r, borrow) = s1.subtractingReportingOverflow(modulus)
        return Felt(unchecked: borrow ? s1 : r)
    }

    @inlinable @inline(__always)
    public static func - (a: Felt, b: Felt) -> Felt {
        let (d, borrow) = a.value.subtractingReportingOverflow(b.value)
        return Felt(unchecked: borrow ? d &+ modulus : d)
    }

    @inlinable @inline(__always)
    public static prefix func - (a: Felt) -> Felt { Felt.zero - a }

    @inlinable @inline(__always)
    public static func * (a: Felt, b: Felt) -> Felt {
        let (hi, lo) = a.value.multipliedFullWidth(by: b.value)
        return Felt(unchecked: reduce128(hi: hi, lo: lo))
    }

    @inlinable @inline(__always)
    public static func += (a: inout Felt, b: Felt) { a = a + b }
    @inlinable @inline(__always)
    public static func -= (a: inout Felt, b: Felt) { a = a - b }
    @inlinable @inline(__always)
    public static func *= (a: inout Felt, b: Felt) { a = a * b }

    /// Reduces the 128-bit value hi·2^64 + lo to its canonical residue, without branches.
    @inlinable @inline(__always)
    public static func reduce128(hi: UInt64, lo: UInt64) -> UInt64 {
        // hi = hh·2^32 + hl;  hi·2^64 ≡ hl·(2^32 − 1) − hh  (since 2^96 ≡ −1).
        let hh = hi >> 32
        let hl = hi & epsilon
        let (t0, borrow) = lo.subtractingReportingOverflow(hh)
        let t0c = t0 &- (borrow ? epsilon : 0)  // borrowed 2^64 ≡ 2^32 − 1: subtract it back
        let t1 = hl &* epsilon  // < 2^64
        let (s, carry) = t0c.addingReportingOverflow(t1)
        let s1 = s &+ (carry ? epsilon : 0)
        let (r, b2) = s1.subtractingReportingOverflow(modulus)
        return b2 ? s1 : r
    }

    @inlinable @inline(__always)
    public func square() -> Felt { self * self }

    @inlinable @inline(__always)
    public func double() -> Felt { self + self }

    /// self^exponent by square-and-multiply.
    @inlinable
    public func power(_ exponent: UInt64) -> Felt {
        var result = Felt.one
        var base = self
        var e = exponent
        while e != 0 {
            if e & 1 == 1 { result = result * base }
            base = base * base
            e >>= 1
        }
        return result
    }

    /// The multiplicative inverse; the inverse of zero is defined as zero.
    @inlinable
    public func inverse() -> Felt { power(Felt.modulus - 2) }

    @inlinable @inline(__always)
    public var isZero: Bool { value == 0 }

    // MARK: Roots of unity

    /// A generator of the whole multiplicative group (order p − 1).
    public static let multiplicativeGenerator = Felt(unchecked: 7)
    /// The largest power of two dividing p − 1.
    public static let twoAdicity = 32
    /// A primitive 2^32-th root of unity (7^((p−1)/2^32)).
    public static let twoAdicRoot: Felt = multiplicativeGenerator.power((modulus - 1) >> 32)

    /// A primitive 2^logSize-th root of unity, for logSize in 0...32.
    @inlinable
    public static func rootOfUnity(logSize: Int) -> Felt {
        precondition(logSize >= 0 && logSize <= twoAdicity, "no 2^\(logSize)-th root of unity in Goldilocks")
        var r = twoAdicRoot
        for _ in logSize..<twoAdicity { r = r * r }
        return r
    }
}

extension Felt: ExpressibleByIntegerLiteral {
    @inlinable
    public init(integerLiteral value: UInt64) { self.init(value) }
}
