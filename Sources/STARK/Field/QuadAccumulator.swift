/// A sum Σ cₖ·vₖ of extension coefficients cₖ times base-field values vₖ, kept unreduced and
/// reduced once by `value`: a random linear combination of constraints on the prover's hot path.
///
/// Each 128-bit product's low and high words are summed apart, each into 128 bits (a zero-extended
/// addition: no carry to track, and no data-dependent branch for the compiler to make of one), so
/// a term costs one widening multiply and two 128-bit additions per coordinate. The result is the
/// same field element as the sum of field products.
@frozen
public struct QuadAccumulator {
    /// Σ low(c.c0·v), Σ high(c.c0·v), Σ low(c.c1·v), Σ high(c.c1·v) over the terms.
    @usableFromInline var low0: UInt128 = 0, high0: UInt128 = 0, low1: UInt128 = 0, high1: UInt128 = 0

    @inlinable @inline(__always)
    public init() {}

    /// Adds c·v.
    @inlinable @inline(__always)
    public mutating func add(_ c: QuadFelt, times v: Felt) { add(c, timesRepresentative: v.value) }

    /// Adds c·v for v given by any 64-bit integer congruent to it mod p (not necessarily < p): the
    /// products are summed as integers, so only the residue matters.
    @inlinable @inline(__always)
    public mutating func add(_ c: QuadFelt, timesRepresentative v: UInt64) {
        let p0 = c.c0.value.multipliedFullWidth(by: v)
        let p1 = c.c1.value.multipliedFullWidth(by: v)
        low0 &+= UInt128(p0.low)
        high0 &+= UInt128(p0.high)
        low1 &+= UInt128(p1.low)
        high1 &+= UInt128(p1.high)
    }

    /// low + high·2^64 mod p, with 2^64 ≡ 2^32 − 1.
    @inlinable @inline(__always)
    static func reduce(_ low: UInt128, _ high: UInt128) -> Felt {
        let l = Felt(unchecked: Felt.reduce128(hi: UInt64(truncatingIfNeeded: low >> 64), lo: UInt64(truncatingIfNeeded: low)))
        let h = Felt(unchecked: Felt.reduce128(hi: UInt64(truncatingIfNeeded: high >> 64), lo: UInt64(truncatingIfNeeded: high)))
        return l + h * Felt(unchecked: Felt.epsilon)
    }

    /// The sum, reduced.
    @inlinable @inline(__always)
    public var value: QuadFelt {
        QuadFelt(QuadAccumulator.reduce(low0, high0), QuadAccumulator.reduce(low1, high1))
    }
}
