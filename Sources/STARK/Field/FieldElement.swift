/// The arithmetic shared by the base field and its extension, so that constraint evaluators
/// can be written once and run over `Felt` (prover, on the trace LDE) and `QuadFelt`
/// (verifier, at the out-of-domain point).
///
/// Generic code over this protocol is fast only when specialised: call it from concrete
/// entry points inside one module (see `AIR`).
public protocol FieldElement: Hashable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    /// Embeds a base-field element.
    init(_ base: Felt)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    /// Multiplies by a base-field element (cheaper than a full product in an extension).
    func scaled(by base: Felt) -> Self
    func inverse() -> Self
}

extension Felt: FieldElement {
    @inlinable @inline(__always)
    public init(_ base: Felt) { self = base }
    @inlinable @inline(__always)
    public func scaled(by base: Felt) -> Felt { self * base }
}

extension FieldElement {
    @inlinable @inline(__always)
    public func square() -> Self { self * self }

    /// self^exponent by square-and-multiply.
    @inlinable
    public func power(_ exponent: UInt64) -> Self {
        var result = Self.one
        var base = self
        var e = exponent
        while e != 0 {
            if e & 1 == 1 { result = result * base }
            base = base * base
            e >>= 1
        }
        return result
    }

    @inlinable @inline(__always)
    public static func += (a: inout Self, b: Self) { a = a + b }
    @inlinable @inline(__always)
    public static func -= (a: inout Self, b: Self) { a = a - b }
    @inlinable @inline(__always)
    public static func *= (a: inout Self, b: Self) { a = a * b }
}
