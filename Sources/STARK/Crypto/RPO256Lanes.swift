/// RPO256 on `RPO256Lanes.width` independent states at once: the same permutation as
/// `RPO256.permute`, bit for bit, with every state lane held in a SIMD vector whose element k
/// belongs to permutation k (structure of arrays: vector j holds lane j of every state).
///
/// Why: one scalar permutation is ~6,300 field multiplications (the x^(1/7) chain is 71 per lane),
/// and the scalar core is limited by its 64×64→128 multiplier. Here every product is split into
/// 32-bit halves (four 32×32→64 products, three for a square) so it maps onto `vpmuludq`,
/// which multiplies 4 (AVX2) or 8 (AVX-512) lane pairs per instruction. The reduction mod
/// p = 2^64 − 2^32 + 1 uses 2^64 ≡ 2^32 − 1 and lane masks for the rare carries and borrows.
///
/// Build note: the portable x86-64 baseline has only SSE2, where a `SIMD8<UInt64>` becomes four
/// 128-bit halves and unsigned 64-bit compares are emulated. Building with the host's vector
/// units (`-Xswiftc -target-cpu -Xswiftc native`, or a named CPU such as `znver4`) lets LLVM use
/// AVX2/AVX-512 for the same source. Results are identical either way; `RPO256Batch` decides
/// whether to use this kernel.
public enum RPO256Lanes {
    /// One state lane of `width` permutations.
    public typealias Vector = SIMD8<UInt64>
    /// `Vector`'s lanes read as signed integers (the exact MDS product has signed intermediates).
    public typealias SignedVector = SIMD8<Int64>

    /// Number of permutations computed together.
    public static let width = Vector.scalarCount

    @inlinable @inline(__always)
    static var low32: Vector { Vector(repeating: 0xFFFF_FFFF) }

    // MARK: - Field arithmetic on vectors (non-canonical lanes: any value < 2^64)

    /// hi·2^64 + lo mod p, lane-wise; the result is < 2^64 but not necessarily < p.
    @inlinable @inline(__always)
    static func reduce128(hi: Vector, lo: Vector) -> Vector {
        let eps = low32
        // hi·2^64 = (hh·2^32 + hl)·2^64 ≡ hl·(2^32 − 1) − hh.
        let hh = hi &>> 32
        var t0 = lo &- hh
        t0.replace(with: t0 &- eps, where: t0 .> lo)  // a borrowed 2^64 is worth 2^32 − 1
        let hl = hi & eps
        let t1 = (hl &<< 32) &- hl
        let s = t0 &+ t1
        return s.replacing(with: s &+ eps, where: s .< t1)  // a carried 2^64 is worth 2^32 − 1
    }

    /// a·b mod p, lane-wise (non-canonical), from four 32×32→64 products.
    @inlinable @inline(__always)
    static func mul(_ a: Vector, _ b: Vector) -> Vector {
        let m = low32
        let a0 = a & m, a1 = a &>> 32, b0 = b & m, b1 = b &>> 32
        let ll = a0 &* b0, lh = a0 &* b1, hl = a1 &* b0, hh = a1 &* b1
        // No sum below overflows: (2^32 − 1)² + 2·(2^32 − 1) < 2^64.
        let mid = hl &+ (ll &>> 32)
        let mid2 = lh &+ (mid & m)
        let lo = (mid2 &<< 32) | (ll & m)
        let hi = hh &+ (mid &>> 32) &+ (mid2 &>> 32)
        return reduce128(hi: hi, lo: lo)
    }

    /// a² mod p, lane-wise (non-canonical), from three 32×32→64 products.
    @inlinable @inline(__always)
    static func square(_ a: Vector) -> Vector {
        let m = low32
        let a0 = a & m, a1 = a &>> 32
        let ll = a0 &* a0, x = a0 &* a1, hh = a1 &* a1
        let mid = x &+ (ll &>> 32)
        let mid2 = x &+ (mid & m)
        let lo = (mid2 &<< 32) | (ll & m)
        let hi = hh &+ (mid &>> 32) &+ (mid2 &>> 32)
        return reduce128(hi: hi, lo: lo)
    }

    /// a^(2^n) mod p (n squarings).
    @inlinable @inline(__always)
    static func square(_ a: inout Vector, times n: Int) {
        for _ in 0..<n { a = square(a) }
    }

    /// x^(1/7) for four vectors in step (four independent chains keep the multipliers busy and
    /// fit in 32 vector registers). The chain is `RPO256.invSbox12`'s: 62 squarings, 9 products.
    @inlinable @inline(__always)
    static func invSbox4(_ a: inout Vector, _ b: inout Vector, _ c: inout Vector, _ d: inout Vector) {
        // x^2, x^7 = (x^2·x)^2·x and x^9 = x^R_2.
        let a2 = square(a), b2 = square(b), c2 = square(c), d2 = square(d)
        let a7 = mul(square(mul(a2, a)), a), b7 = mul(square(mul(b2, b)), b)
        let c7 = mul(square(mul(c2, c)), c), d7 = mul(square(mul(d2, d)), d)
        let a9 = mul(a7, a2), b9 = mul(b7, b2), c9 = mul(c7, c2), d9 = mul(d7, d2)
        // x^R_4 = (x^R_2)^(8^2)·x^R_2.
        var ar = a9, br = b9, cr = c9, dr = d9
        for _ in 0..<6 { ar = square(ar); br = square(br); cr = square(cr); dr = square(dr) }
        ar = mul(ar, a9); br = mul(br, b9); cr = mul(cr, c9); dr = mul(dr, d9)
        // x^R_8 = (x^R_4)^(8^4)·x^R_4.
        var az = ar, bz = br, cz = cr, dz = dr
        for _ in 0..<12 { az = square(az); bz = square(bz); cz = square(cz); dz = square(dz) }
        az = mul(az, ar); bz = mul(bz, br); cz = mul(cz, cr); dz = mul(dz, dr)
        // z = x^R_10 = (x^R_8)^(8^2)·x^R_2.
        for _ in 0..<6 { az = square(az); bz = square(bz); cz = square(cz); dz = square(dz) }
        az = mul(az, a9); bz = mul(bz, b9); cz = mul(cz, c9); dz = mul(dz, d9)
        // z^(2^36 + 48) = (z^(2^32)·z^3)^16.
        ar = square(az); br = square(bz); cr = square(cz); dr = square(dz)
        let a3 = mul(ar, az), b3 = mul(br, bz), c3 = mul(cr, cz), d3 = mul(dr, dz)
        for _ in 0..<31 { ar = square(ar); br = square(br); cr = square(cr); dr = square(dr) }
        ar = mul(ar, a3); br = mul(br, b3); cr = mul(cr, c3); dr = mul(dr, d3)
        for _ in 0..<4 { ar = square(ar); br = square(br); cr = square(cr); dr = square(dr) }
        a = mul(ar, a7); b = mul(br, b7); c = mul(cr, c7); d = mul(dr, d7)
    }

    /// The canonical representative (< p) of every lane.
    @inlinable @inline(__always)
    static func canonical(_ x: Vector) -> Vector {
        let p = Vector(repeating: Felt.modulus)
        return x.replacing(with: x &- p, where: x .>= p)
    }

    /// x^7 lane-wise: x², x³, x⁴, x⁷.
    @inlinable @inline(__always)
    static func sbox(_ x: Vector) -> Vector {
        let x2 = square(x)
        return mul(mul(x2, x), square(x2))
    }

    // MARK: - Linear layer

    /// y = MDS·x exactly over the integers for inputs < 2^32 (every output < 160·2^32): the
    /// same CRT factorisation as `RPO256.mdsExact`, lane-wise, with all constants ±2^k.
    @inlinable @inline(__always)
    static func mdsExact(_ x: UnsafePointer<Vector>, _ y: UnsafeMutablePointer<Vector>) {
        typealias S = SignedVector
        @inline(__always) func s(_ v: Vector) -> S { S(truncatingIfNeeded: v) }
        let a0 = s(x[0] &+ x[6]), a1 = s(x[11] &+ x[5]), a2 = s(x[10] &+ x[4])
        let a3 = s(x[9] &+ x[3]), a4 = s(x[8] &+ x[2]), a5 = s(x[7] &+ x[1])
        let b0 = s(x[0]) &- s(x[6]), b1 = s(x[11]) &- s(x[5]), b2 = s(x[10]) &- s(x[4])
        let b3 = s(x[9]) &- s(x[3]), b4 = s(x[8]) &- s(x[2]), b5 = s(x[7]) &- s(x[1])
        let u0 = a0 &+ a3, u1 = a1 &+ a4, u2 = a2 &+ a5
        let v0 = a0 &- a3, v1 = a1 &- a4, v2 = a2 &- a5
        // p = R·u mod (t^3 − 1): rows (16, 8, 16), (16, 16, 8), (8, 16, 16).
        let p0 = ((u0 &+ u2) &<< 4) &+ (u1 &<< 3)
        let p1 = ((u0 &+ u1) &<< 4) &+ (u2 &<< 3)
        let p2 = ((u1 &+ u2) &<< 4) &+ (u0 &<< 3)
        // q = R·v mod (t^3 + 1): rows (−8, 1, 1), (−1, −8, 1), (−1, −1, −8).
        let q0 = (v1 &+ v2) &- (v0 &<< 3)
        let q1 = (v2 &- v0) &- (v1 &<< 3)
        let q2 = S.zero &- v0 &- v1 &- (v2 &<< 3)
        // w = R·b mod (t^6 + 1).
        let w0 = (b2 &<< 2) &- b0 &- b1 &- (b3 &<< 1) &- b4 &- (b5 &<< 3)
        let w1 = (b0 &<< 3) &- b1 &- b2 &+ (b3 &<< 2) &- (b4 &<< 1) &- b5
        let w2 = b0 &+ (b1 &<< 3) &- b2 &- b3 &+ (b4 &<< 2) &- (b5 &<< 1)
        let w3 = (b0 &<< 1) &+ b1 &+ (b2 &<< 3) &- b3 &- b4 &+ (b5 &<< 2)
        let w4 = (b1 &<< 1) &- (b0 &<< 2) &+ b2 &+ (b3 &<< 3) &- b4 &- b5
        let w5 = b0 &- (b1 &<< 2) &+ (b2 &<< 1) &+ b3 &+ (b4 &<< 3) &- b5
        @inline(__always) func u(_ v: S) -> Vector { Vector(truncatingIfNeeded: v) }
        y[0] = u((p0 &+ q0) &+ w0)
        y[1] = u((p2 &- q2) &- w5)
        y[2] = u((p1 &- q1) &- w4)
        y[3] = u((p0 &- q0) &- w3)
        y[4] = u((p2 &+ q2) &- w2)
        y[5] = u((p1 &+ q1) &- w1)
        y[6] = u((p0 &+ q0) &- w0)
        y[7] = u((p2 &- q2) &+ w5)
        y[8] = u((p1 &- q1) &+ w4)
        y[9] = u((p0 &- q0) &+ w3)
        y[10] = u((p2 &+ q2) &+ w2)
        y[11] = u((p1 &+ q1) &+ w1)
    }

    /// s ← MDS·s + c with c[i] a constant for lane i (non-canonical output), as
    /// `RPO256.mdsAddConstants`: exact products of the 32-bit halves, one reduction per lane.
    @inlinable @inline(__always)
    static func mdsAddConstants(_ s: UnsafeMutablePointer<Vector>, _ c: UnsafePointer<UInt64>, scratch t: UnsafeMutablePointer<Vector>) {
        let lo = t, hi = t + 12, ylo = t + 24, yhi = t + 36
        let m = low32
        for j in 0..<12 {
            lo[j] = s[j] & m
            hi[j] = s[j] &>> 32
        }
        mdsExact(lo, ylo)
        mdsExact(hi, yhi)
        for i in 0..<12 {
            // hi·2^32 + lo with hi, lo < 2^42: ≡ (lo + (hi >> 32)·(2^32 − 1)) + (hi << 32).
            let h = yhi[i] &+ Vector(repeating: c[i] >> 32)
            let l = ylo[i] &+ Vector(repeating: c[i] & 0xFFFF_FFFF)
            let hh = h &>> 32
            let t = l &+ ((hh &<< 32) &- hh)
            let sh = h &<< 32
            let r = t &+ sh
            s[i] = r.replacing(with: r &+ m, where: r .< sh)
        }
    }

    // MARK: - Permutation

    /// Applies the RPO permutation to the `width` states held in `s` (12 vectors, vector j
    /// holding lane j of every state). Inputs may be any 64-bit values (taken mod p); outputs are
    /// canonical.
    @inlinable
    public static func permute(_ s: UnsafeMutablePointer<Vector>) {
        RPO256.ark1.withUnsafeBufferPointer { a1 in
            RPO256.ark2.withUnsafeBufferPointer { a2 in
                withUnsafeTemporaryAllocation(of: Vector.self, capacity: 48) { scratch in
                    let t = scratch.baseAddress!
                    for r in 0..<RPO256.numRounds {
                        mdsAddConstants(s, a1.baseAddress! + 12 * r, scratch: t)
                        for j in 0..<12 { s[j] = sbox(s[j]) }
                        mdsAddConstants(s, a2.baseAddress! + 12 * r, scratch: t)
                        var j = 0
                        while j < 12 {
                            invSbox4(&s[j], &s[j + 1], &s[j + 2], &s[j + 3])
                            j += 4
                        }
                    }
                    for j in 0..<12 { s[j] = canonical(s[j]) }
                }
            }
        }
    }
}
