/// BLAKE3 compressions of `width` independent inputs at once: lane k of every vector holds the
/// word of input k, so each step of the compression function is one vector operation.
///
/// Equal, lane by lane, to `Blake3.compress` (first eight output words). With the portable
/// x86-64 build the vectors are SSE2 pairs (~5× the scalar compression rate on this machine);
/// with `-Xswiftc -target-cpu -Xswiftc native` they are AVX2/AVX-512 registers (~12×).
public enum Blake3Lanes {
    /// Eight 32-bit lanes.
    public typealias Vector = SIMD8<UInt32>

    /// Inputs per compression call.
    public static var width: Int { Vector.scalarCount }

    /// Rotates every lane right by `n` bits (0 < n < 32).
    ///
    /// The two halves are added, not or-ed (their bits are disjoint, so the sum is the same):
    /// with `|` the optimiser turns each lane into a scalar rotate instruction, which the portable
    /// build then cannot vectorise (~5× slower); the sum stays a vector shift-shift-add (and
    /// becomes one rotate instruction where AVX-512 has it).
    @inlinable @inline(__always)
    static func rotr(_ x: Vector, _ n: UInt32) -> Vector {
        (x &>> Vector(repeating: n)) &+ (x &<< Vector(repeating: 32 &- n))
    }

    /// The quarter-round G on state vectors a, b, c, d with message vectors x, y.
    @inlinable @inline(__always)
    static func g(_ a: inout Vector, _ b: inout Vector, _ c: inout Vector, _ d: inout Vector, _ x: Vector, _ y: Vector) {
        a = a &+ b &+ x
        d = rotr(d ^ a, 16)
        c = c &+ d
        b = rotr(b ^ c, 12)
        a = a &+ b &+ y
        d = rotr(d ^ a, 8)
        c = c &+ d
        b = rotr(b ^ c, 7)
    }

    /// cv[0..<8] ← the first eight words of the compression of `block[0..<16]` under `cv[0..<8]`,
    /// lane by lane, with the same counter, block length and flags in every lane (the new
    /// chaining value; with the ROOT flag and counter 0, the digest's words).
    @usableFromInline
    static func compress(cv: UnsafeMutablePointer<Vector>, block m: UnsafePointer<Vector>, counter: UInt64,
                         blockLen: UInt32, flags: UInt32) {
        var v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3]
        var v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7]
        var v8 = Vector(repeating: 0x6A09_E667), v9 = Vector(repeating: 0xBB67_AE85)
        var v10 = Vector(repeating: 0x3C6E_F372), v11 = Vector(repeating: 0xA54F_F53A)
        var v12 = Vector(repeating: UInt32(truncatingIfNeeded: counter))
        var v13 = Vector(repeating: UInt32(truncatingIfNeeded: counter &>> 32))
        var v14 = Vector(repeating: blockLen), v15 = Vector(repeating: flags)
        var m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7]
        var m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11], m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15]

        @inline(__always) func round() {
            g(&v0, &v4, &v8, &v12, m0, m1)
            g(&v1, &v5, &v9, &v13, m2, m3)
            g(&v2, &v6, &v10, &v14, m4, m5)
            g(&v3, &v7, &v11, &v15, m6, m7)
            g(&v0, &v5, &v10, &v15, m8, m9)
            g(&v1, &v6, &v11, &v12, m10, m11)
            g(&v2, &v7, &v8, &v13, m12, m13)
            g(&v3, &v4, &v9, &v14, m14, m15)
        }
        @inline(__always) func permute() {
            // The message schedule of `Blake3.compress` (a renaming the optimiser resolves).
            (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15) =
                (m2, m6, m3, m10, m7, m0, m4, m13, m1, m11, m12, m5, m9, m14, m15, m8)
        }

        round(); permute()
        round(); permute()
        round(); permute()
        round(); permute()
        round(); permute()
        round(); permute()
        round()

        cv[0] = v0 ^ v8; cv[1] = v1 ^ v9; cv[2] = v2 ^ v10; cv[3] = v3 ^ v11
        cv[4] = v4 ^ v12; cv[5] = v5 ^ v13; cv[6] = v6 ^ v14; cv[7] = v7 ^ v15
    }
}
