/// RPO256 — Rescue Prime Optimized over Goldilocks with Miden's parameters
/// (state width 12, rate 8, capacity 4, 7 rounds, α = 7), in Miden's current sponge layout:
/// rate = state[0..<8], capacity = state[8..<12], digest = state[0..<4].
///
/// One round r (of 7) is
///
///     state = MDS·state;  state += ARK1[r];  state = state^7
///     state = MDS·state;  state += ARK2[r];  state = state^(1/7)
///
/// where MDS is the 12×12 circulant matrix with first row `mdsFirstRow` and 1/7 is the exponent
/// `invAlpha` = 7⁻¹ mod (p − 1).
///
/// Implementation notes (all lanes are plain `UInt64`):
/// * Inside the permutation a lane may be non-canonical (any value < 2^64 congruent to the
///   field element); every public entry point leaves lanes canonical (< p).
/// * The matrix product splits every lane into 32-bit halves and computes the product of each
///   half exactly in 64-bit integers (entries ≤ 26, row sum 160, so every sum is < 2^40), with a
///   CRT factorisation of the circulant in which all constants are ±2^k (see `mdsExact`); it then
///   folds in the round constant and reduces the 96-bit value hi·2^32 + lo once per lane.
/// * Both S-boxes work lane-parallel: every step is applied to all 12 independent lanes before
///   the next, so the CPU overlaps the multiplications; x^(1/7) uses a 71-multiplication
///   addition chain (62 squarings, 9 products).
public enum RPO256 {
    /// The state type of the permutation: 12 lanes.
    public typealias State = RPO256State

    /// Number of lanes in the state.
    public static let stateWidth = 12
    /// Number of rate lanes (state[0..<8]).
    public static let rateWidth = 8
    /// Index of the first capacity lane (state[8..<12]).
    public static let capacityStart = 8
    /// Number of rounds of the permutation.
    public static let numRounds = 7
    /// The S-box exponent α.
    public static let alpha: UInt64 = 7
    /// The inverse S-box exponent 1/α = 7⁻¹ mod (p − 1).
    public static let invAlpha: UInt64 = 10540996611094048183

    // MARK: - Field helpers on raw lanes

    /// 2^32 − 1 ≡ 2^64 (mod p).
    @inlinable @inline(__always)
    static var eps: UInt64 { 0xFFFF_FFFF }

    /// a·b mod p for any a, b < 2^64; the result is < 2^64 but not necessarily < p.
    @inlinable @inline(__always)
    static func mulNC(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        // hi·2^64 = (hh·2^32 + hl)·2^64 ≡ hl·(2^32 − 1) − hh   (2^64 ≡ 2^32 − 1, 2^96 ≡ −1)
        let hh = hi >> 32
        let hl = hi & eps
        var (t0, borrow) = lo.subtractingReportingOverflow(hh)
        if _slowPath(borrow) { t0 &-= eps }  // a borrowed 2^64 is worth 2^32 − 1 (probability ~2^−32)
        let (s, carry) = t0.addingReportingOverflow((hl << 32) &- hl)
        return s &+ (carry ? eps : 0)  // a carried 2^64 is worth 2^32 − 1; cannot overflow again
    }

    /// The canonical representative (< p) of any 64-bit lane.
    @inlinable @inline(__always)
    static func canonical(_ x: UInt64) -> UInt64 {
        let (r, borrow) = x.subtractingReportingOverflow(0xFFFF_FFFF_0000_0001)  // p
        return borrow ? x : r
    }

    /// hi·2^32 + lo mod p for hi, lo < 2^42; the result is < 2^64 but not necessarily < p.
    @inlinable @inline(__always)
    static func reduce96(hi: UInt64, lo: UInt64) -> UInt64 {
        // hi = hh·2^32 + hl with hh < 2^10:  hi·2^32 + lo = lo + hh·2^64 + hl·2^32
        //    ≡ (lo + hh·(2^32 − 1)) + hl·2^32, where the first sum is < 2^43 (no overflow).
        let t = lo &+ (hi >> 32) &* eps
        let (s, carry) = t.addingReportingOverflow(hi << 32)
        return s &+ (carry ? eps : 0)  // a carried 2^64 is worth 2^32 − 1; s < 2^43 then
    }

    // MARK: - Lane-parallel kernels (raw pointers to 12 lanes)

    /// m0·x0 + m1·x1 + m2·x2 (wrapping).
    @inlinable @inline(__always)
    static func dot3(_ m0: Int64, _ x0: Int64, _ m1: Int64, _ x1: Int64, _ m2: Int64, _ x2: Int64) -> Int64 {
        m0 &* x0 &+ m1 &* x1 &+ m2 &* x2
    }

    /// m0·x0 + … + m5·x5 (wrapping).
    @inlinable @inline(__always)
    static func dot6(
        _ m0: Int64, _ x0: Int64, _ m1: Int64, _ x1: Int64, _ m2: Int64, _ x2: Int64,
        _ m3: Int64, _ x3: Int64, _ m4: Int64, _ x4: Int64, _ m5: Int64, _ x5: Int64
    ) -> Int64 {
        (m0 &* x0 &+ m1 &* x1 &+ m2 &* x2) &+ (m3 &* x3 &+ m4 &* x4 &+ m5 &* x5)
    }

    /// y = MDS·x exactly over the integers, for 12 inputs x[j] < 2^32 (so every y[i] < 160·2^32).
    ///
    /// With x′_j = x[−j mod 12] and y′_i = y[−i mod 12], the product is the cyclic convolution
    /// y′ = r ⊛ x′ (r = mdsFirstRow), i.e. Y′ = R·X′ in Z[t]/(t^12 − 1). It is computed by the
    /// Chinese remainder theorem over t^12 − 1 = (t^3 − 1)(t^3 + 1)(t^6 + 1):
    ///   a = X′ mod (t^6 − 1), b = X′ mod (t^6 + 1), u = a mod (t^3 − 1), v = a mod (t^3 + 1);
    ///   p = R·u mod (t^3 − 1), q = R·v mod (t^3 + 1), w = R·b mod (t^6 + 1);
    ///   Y′[i] = p_i/4 + q_i/4 + w_i/2,  Y′[i + 3] = p_i/4 − q_i/4 + w_(i+3)/2,
    ///   Y′[i + 6] = p_i/4 + q_i/4 − w_i/2,  Y′[i + 9] = p_i/4 − q_i/4 − w_(i+3)/2   (i < 3).
    /// The RPO MDS row is chosen so that R mod (t^3 ∓ 1) has coefficients divisible by 4 and
    /// R mod (t^6 + 1) by 2, so the divisions fold into the constants below, which are all
    /// ±2^k (shifts): 24 shifts and about 120 additions instead of 144 products.
    /// Intermediates stay below 2^40 in absolute value. Generated and checked by a script that
    /// compares against the plain matrix product.
    @inlinable @inline(__always)
    static func mdsExact(_ x: UnsafePointer<UInt64>, _ y: UnsafeMutablePointer<UInt64>) {
        // x'_j = x[−j mod 12]; a = x'[0..<6] + x'[6..<12], b = x'[0..<6] − x'[6..<12].
        let a0 = Int64(bitPattern: x[0] &+ x[6])
        let a1 = Int64(bitPattern: x[11] &+ x[5])
        let a2 = Int64(bitPattern: x[10] &+ x[4])
        let a3 = Int64(bitPattern: x[9] &+ x[3])
        let a4 = Int64(bitPattern: x[8] &+ x[2])
        let a5 = Int64(bitPattern: x[7] &+ x[1])
        let b0 = Int64(bitPattern: x[0]) &- Int64(bitPattern: x[6])
        let b1 = Int64(bitPattern: x[11]) &- Int64(bitPattern: x[5])
        let b2 = Int64(bitPattern: x[10]) &- Int64(bitPattern: x[4])
        let b3 = Int64(bitPattern: x[9]) &- Int64(bitPattern: x[3])
        let b4 = Int64(bitPattern: x[8]) &- Int64(bitPattern: x[2])
        let b5 = Int64(bitPattern: x[7]) &- Int64(bitPattern: x[1])
        // a mod (t^3 − 1) and a mod (t^3 + 1).
        let u0 = a0 &+ a3
        let u1 = a1 &+ a4
        let u2 = a2 &+ a5
        let v0 = a0 &- a3
        let v1 = a1 &- a4
        let v2 = a2 &- a5
        // Products in Z[t]/(t^3 − 1), Z[t]/(t^3 + 1) and Z[t]/(t^6 + 1).
        let p0 = dot3(16, u0, 8, u1, 16, u2)
        let p1 = dot3(16, u0, 16, u1, 8, u2)
        let p2 = dot3(8, u0, 16, u1, 16, u2)
        let q0 = dot3(-8, v0, 1, v1, 1, v2)
        let q1 = dot3(-1, v0, -8, v1, 1, v2)
        let q2 = dot3(-1, v0, -1, v1, -8, v2)
        let w0 = dot6(-1, b0, -1, b1, 4, b2, -2, b3, -1, b4, -8, b5)
        let w1 = dot6(8, b0, -1, b1, -1, b2, 4, b3, -2, b4, -1, b5)
        let w2 = dot6(1, b0, 8, b1, -1, b2, -1, b3, 4, b4, -2, b5)
        let w3 = dot6(2, b0, 1, b1, 8, b2, -1, b3, -1, b4, 4, b5)
        let w4 = dot6(-4, b0, 2, b1, 1, b2, 8, b3, -1, b4, -1, b5)
        let w5 = dot6(1, b0, -4, b1, 2, b2, 1, b3, 8, b4, -1, b5)
        y[0] = UInt64(bitPattern: ((p0 &+ q0) &+ w0))
        y[1] = UInt64(bitPattern: ((p2 &- q2) &- w5))
        y[2] = UInt64(bitPattern: ((p1 &- q1) &- w4))
        y[3] = UInt64(bitPattern: ((p0 &- q0) &- w3))
        y[4] = UInt64(bitPattern: ((p2 &+ q2) &- w2))
        y[5] = UInt64(bitPattern: ((p1 &+ q1) &- w1))
        y[6] = UInt64(bitPattern: ((p0 &+ q0) &- w0))
        y[7] = UInt64(bitPattern: ((p2 &- q2) &+ w5))
        y[8] = UInt64(bitPattern: ((p1 &- q1) &+ w4))
        y[9] = UInt64(bitPattern: ((p0 &- q0) &+ w3))
        y[10] = UInt64(bitPattern: ((p2 &+ q2) &+ w2))
        y[11] = UInt64(bitPattern: ((p1 &+ q1) &+ w1))
    }

    /// s ← MDS·s + c (lane-wise constant c), non-canonical output. `s` and `c` hold 12 lanes.
    ///
    /// Each lane is split into 32-bit halves; `mdsExact` gives the exact products of the low and
    /// the high halves (< 2^40 each), the halves of c are added, and hi·2^32 + lo is reduced once.
    @inlinable @inline(__always)
    static func mdsAddConstants(_ s: UnsafeMutablePointer<UInt64>, _ c: UnsafePointer<UInt64>) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 48) { buf in
            let lo = buf.baseAddress!, hi = lo + 12, ylo = lo + 24, yhi = lo + 36
            for j in 0..<12 {
                lo[j] = s[j] & eps
                hi[j] = s[j] >> 32
            }
            mdsExact(lo, ylo)
            mdsExact(hi, yhi)
            for i in 0..<12 {
                s[i] = reduce96(hi: yhi[i] &+ (c[i] >> 32), lo: ylo[i] &+ (c[i] & eps))
            }
        }
    }

    /// y ← MDS·x + c over the field, canonical: a round's linear layer for AIR evaluators (the
    /// shift-and-add MDS instead of 144 general products). `x`, `c`, `y` hold 12 lanes; `y` may alias `x`.
    @inlinable @inline(__always)
    public static func mdsAffine(_ x: UnsafePointer<Felt>, plus c: UnsafePointer<Felt>, into y: UnsafeMutablePointer<Felt>) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 24) { buf in
            let lanes = buf.baseAddress!, constants = lanes + 12
            for j in 0..<12 {
                lanes[j] = x[j].value
                constants[j] = c[j].value
            }
            mdsAddConstants(lanes, constants)
            for j in 0..<12 { y[j] = Felt(unchecked: canonical(lanes[j])) }
        }
    }

    /// d[i] ← a[i]·b[i] for the 12 lanes (non-canonical); `d` may alias `a` or `b`.
    @inlinable @inline(__always)
    static func mul12(_ d: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>) {
        var i = 0
        while i < 12 {
            d[i + 0] = mulNC(a[i + 0], b[i + 0])
            d[i + 1] = mulNC(a[i + 1], b[i + 1])
            d[i + 2] = mulNC(a[i + 2], b[i + 2])
            d[i + 3] = mulNC(a[i + 3], b[i + 3])
            i += 4
        }
    }

    /// d[i] ← d[i]^(2^n) for the 12 lanes (n squarings, non-canonical).
    @inlinable @inline(__always)
    static func square12(_ d: UnsafeMutablePointer<UInt64>, times n: Int) {
        for _ in 0..<n {
            var i = 0
            while i < 12 {
                d[i + 0] = mulNC(d[i + 0], d[i + 0])
                d[i + 1] = mulNC(d[i + 1], d[i + 1])
                d[i + 2] = mulNC(d[i + 2], d[i + 2])
                d[i + 3] = mulNC(d[i + 3], d[i + 3])
                i += 4
            }
        }
    }

    /// s[i] ← s[i]^7 for the 12 lanes (non-canonical): x², x³, x⁴, x⁷.
    @inlinable @inline(__always)
    static func sbox12(_ s: UnsafeMutablePointer<UInt64>) {
        for i in 0..<12 {
            let x = s[i]
            let x2 = mulNC(x, x)
            let x3 = mulNC(x2, x)
            let x4 = mulNC(x2, x2)
            s[i] = mulNC(x3, x4)
        }
    }

    /// s[i] ← s[i]^(1/7) for the 12 lanes (non-canonical), with `t` scratch space for 72 lanes.
    ///
    /// With R_k = 1 + 8 + … + 8^(k−1) (the bit pattern 001 repeated), the exponent is
    /// invAlpha = R_10·(2^36 + 48) + 7. The chain: x^2, x^3, x^6, x^7, x^9 = x^R_2,
    /// x^R_4 = (x^R_2)^(8^2)·x^R_2, x^R_8 = (x^R_4)^(8^4)·x^R_4, z = x^R_10 = (x^R_8)^(8^2)·x^R_2,
    /// then z^(2^36 + 48) = (z^(2^32)·z^3)^16, and finally times x^7.
    /// Cost: 62 squarings and 9 products per lane.
    @inlinable @inline(__always)
    static func invSbox12(_ s: UnsafeMutablePointer<UInt64>, scratch t: UnsafeMutablePointer<UInt64>) {
        let x2 = t, x7 = t + 12, x9 = t + 24, r = t + 36, z = t + 48, z3 = t + 60
        mul12(x2, s, s)  // x^2
        mul12(x7, x2, s)  // x^3
        mul12(x7, x7, x7)  // x^6
        mul12(x7, x7, s)  // x^7
        mul12(x9, x7, x2)  // x^9 = x^R_2
        r.update(from: x9, count: 12)
        square12(r, times: 6)
        mul12(r, r, x9)  // x^R_4
        z.update(from: r, count: 12)
        square12(z, times: 12)
        mul12(z, z, r)  // x^R_8
        square12(z, times: 6)
        mul12(z, z, x9)  // z = x^R_10
        mul12(r, z, z)  // z^2
        mul12(z3, r, z)  // z^3
        square12(r, times: 31)  // z^(2^32)
        mul12(r, r, z3)  // z^(2^32 + 3)
        square12(r, times: 4)  // z^(2^36 + 48)
        mul12(s, r, x7)  // x^invAlpha
    }

    /// One full round on raw lanes (non-canonical in and out); `c1`, `c2` point at ARK1[r], ARK2[r].
    @inlinable @inline(__always)
    static func round12(
        _ s: UnsafeMutablePointer<UInt64>, _ c1: UnsafePointer<UInt64>, _ c2: UnsafePointer<UInt64>,
        scratch: UnsafeMutablePointer<UInt64>
    ) {
        mdsAddConstants(s, c1)
        sbox12(s)
        mdsAddConstants(s, c2)
        invSbox12(s, scratch: scratch)
    }

    /// Reduces the 12 lanes to canonical form.
    @inlinable @inline(__always)
    static func canonicalize12(_ s: UnsafeMutablePointer<UInt64>) {
        for i in 0..<12 { s[i] = canonical(s[i]) }
    }

    /// 12 zero lanes, the "no constants" argument of `mdsAddConstants`.
    @usableFromInline static let zeroLanes: [UInt64] = Array(repeating: 0, count: 12)

    // MARK: - Permutation

    /// Applies the full RPO permutation (7 rounds) to `state`.
    @inlinable
    public static func permute(_ state: inout State) {
        ark1.withUnsafeBufferPointer { a1 in
            ark2.withUnsafeBufferPointer { a2 in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 72) { scratch in
                    state.withLanes { s in
                        for r in 0..<7 {
                            round12(s, a1.baseAddress! + 12 * r, a2.baseAddress! + 12 * r, scratch: scratch.baseAddress!)
                        }
                        canonicalize12(s)
                    }
                }
            }
        }
    }

    /// Applies round `round` (0..<7) of the permutation to `state`: MDS, ARK1, x^7, MDS, ARK2, x^(1/7).
    @inlinable
    public static func applyRound(_ state: inout State, round: Int) {
        precondition(round >= 0 && round < numRounds, "RPO256 has rounds 0..<7")
        ark1.withUnsafeBufferPointer { a1 in
            ark2.withUnsafeBufferPointer { a2 in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 72) { scratch in
                    state.withLanes { s in
                        round12(s, a1.baseAddress! + 12 * round, a2.baseAddress! + 12 * round, scratch: scratch.baseAddress!)
                        canonicalize12(s)
                    }
                }
            }
        }
    }

    /// Multiplies `state` by the MDS matrix (no round constants).
    @inlinable
    public static func applyMDS(_ state: inout State) {
        zeroLanes.withUnsafeBufferPointer { zero in
            state.withLanes { s in
                mdsAddConstants(s, zero.baseAddress!)
                canonicalize12(s)
            }
        }
    }

    /// Adds the 12 lanes of `constants` (e.g. a row of ARK1 or ARK2) to `state`.
    @inlinable
    public static func addConstants(_ state: inout State, _ constants: [UInt64]) {
        precondition(constants.count == 12, "RPO256 round constants have 12 lanes")
        for i in 0..<12 { state[i] = state[i] + Felt(constants[i]) }
    }

    /// Raises every lane of `state` to the 7th power (the forward S-box).
    @inlinable
    public static func applySbox(_ state: inout State) {
        state.withLanes { s in
            sbox12(s)
            canonicalize12(s)
        }
    }

    /// Raises every lane of `state` to the power 10540996611094048183 = 1/7 (the inverse S-box),
    /// by a 71-multiplication addition chain, all 12 lanes in step.
    @inlinable
    public static func applyInverseSbox(_ state: inout State) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 72) { scratch in
            state.withLanes { s in
                invSbox12(s, scratch: scratch.baseAddress!)
                canonicalize12(s)
            }
        }
    }

    // MARK: - Sponge

    /// Miden's `Rpo256::hash_elements` (padding rule v2, current layout).
    ///
    /// The capacity lane 8 starts at n mod 8 (n = element count); elements are written over the
    /// rate lanes 0..<8 (overwrite mode), permuting after every 8th; a final partial block is
    /// zero-filled and permuted. The digest is state[0..<4]. The empty input hashes to the zero
    /// word without any permutation.
    @inlinable
    public static func hashElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest {
        hashElements(elements, domain: 0)
    }

    /// `hashElements` for an array.
    @inlinable
    public static func hashElements(_ elements: [Felt]) -> Digest {
        elements.withUnsafeBufferPointer { hashElements($0, domain: 0) }
    }

    /// Miden's `hash_elements_in_domain`: as `hashElements`, with capacity lane 9 set to `domain`.
    /// (The empty input still hashes to the zero word.)
    @inlinable
    public static func hashElements(_ elements: UnsafeBufferPointer<Felt>, domain: Felt) -> Digest {
        let n = elements.count
        if n == 0 { return .zero }
        var state = State()
        state.lanes.8 = UInt64(n % 8)
        state.lanes.9 = domain.value
        absorb(elements, into: &state)
        return state.digest
    }

    /// Overwrites the rate with successive 8-element blocks of `elements`, permuting after each;
    /// a partial last block is zero-filled. Assumes a non-empty input.
    @inlinable
    static func absorb(_ elements: UnsafeBufferPointer<Felt>, into state: inout State) {
        let n = elements.count
        var i = 0
        while i < n {
            let k = min(8, n - i)
            state.withLanes { s in
                for j in 0..<k { s[j] = elements[i + j].value }
                for j in k..<8 { s[j] = 0 }
            }
            permute(&state)
            i += k
        }
    }

    /// Miden's `Rpo256::merge`: the rate is left ‖ right, the capacity is zero, one permutation.
    /// (Equal to `hashElements` of the 8 words.) Non-canonical words are taken mod p.
    @inlinable
    public static func merge(_ a: Digest, _ b: Digest) -> Digest {
        var state = State(lanes: (a.w0, a.w1, a.w2, a.w3, b.w0, b.w1, b.w2, b.w3, 0, 0, 0, 0))
        permute(&state)
        return state.digest
    }

    /// Miden's `Rpo256::merge_in_domain`: as `merge`, with capacity lane 9 set to `domain`
    /// (domain 0 gives `merge`).
    @inlinable
    public static func mergeInDomain(_ a: Digest, _ b: Digest, domain: Felt) -> Digest {
        var state = State(lanes: (a.w0, a.w1, a.w2, a.w3, b.w0, b.w1, b.w2, b.w3, 0, domain.value, 0, 0))
        permute(&state)
        return state.digest
    }

    /// Miden's `Rpo256::hash` over bytes (padding rule v2).
    ///
    /// The bytes are cut into m = ⌈len/7⌉ chunks of 7; each chunk but the last becomes the
    /// little-endian value of chunk ‖ 0x00, the last (1 to 7 bytes) the little-endian value of
    /// chunk ‖ 0x01 ‖ 0x00…. Capacity lane 8 starts at 8 + (m mod 8); the m elements are then
    /// absorbed as in `hashElements`. The empty input hashes to the zero word.
    public static func hashBytes(_ bytes: [UInt8]) -> Digest {
        if bytes.isEmpty { return .zero }
        let m = (bytes.count + 6) / 7
        var elements = [Felt]()
        elements.reserveCapacity(m)
        for k in 0..<m {
            let start = 7 * k
            let end = min(start + 7, bytes.count)
            var v: UInt64 = 0
            for b in start..<end { v |= UInt64(bytes[b]) << (8 * UInt64(b - start)) }
            if k == m - 1 { v |= 1 << (8 * UInt64(end - start)) }
            elements.append(Felt(unchecked: v))  // < 2^57 < p
        }
        var state = State()
        state.lanes.8 = UInt64(8 + m % 8)
        elements.withUnsafeBufferPointer { absorb($0, into: &state) }
        return state.digest
    }
}

/// The 12-lane state of the RPO256 permutation, stored inline (no heap allocation).
///
/// Lanes hold canonical field elements between public operations. Lanes 0..<8 are the rate,
/// 8..<12 the capacity, 0..<4 the digest.
@frozen
public struct RPO256State: Sendable, Equatable, CustomStringConvertible {
    /// The raw lanes as 64-bit words.
    public var lanes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The all-zero state.
    @inlinable
    public init() { lanes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }

    /// A state from 12 raw lanes (each taken mod p by the permutation; keep them canonical).
    @inlinable
    public init(lanes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        self.lanes = lanes
    }

    /// A state from exactly 12 field elements.
    @inlinable
    public init(_ elements: [Felt]) {
        precondition(elements.count == 12, "an RPO256 state has 12 lanes")
        self.init()
        for i in 0..<12 { self[i] = elements[i] }
    }

    /// Lane `i` (0..<12) as a field element.
    @inlinable
    public subscript(i: Int) -> Felt {
        get {
            precondition(i >= 0 && i < 12, "RPO256 state lane out of range")
            return Felt(withUnsafeBytes(of: lanes) { $0.load(fromByteOffset: 8 * i, as: UInt64.self) })
        }
        set {
            precondition(i >= 0 && i < 12, "RPO256 state lane out of range")
            withLanes { $0[i] = newValue.value }
        }
    }

    /// The 12 lanes as field elements.
    @inlinable
    public var elements: [Felt] { (0..<12).map { self[$0] } }

    /// The digest: lanes 0..<4 as the words w0..w3.
    @inlinable
    public var digest: Digest { Digest(lanes.0, lanes.1, lanes.2, lanes.3) }

    /// Calls `body` with a pointer to the 12 contiguous lanes.
    @inlinable @inline(__always)
    public mutating func withLanes<R>(_ body: (UnsafeMutablePointer<UInt64>) throws -> R) rethrows -> R {
        try withUnsafeMutablePointer(to: &lanes) { tuple in
            try tuple.withMemoryRebound(to: UInt64.self, capacity: 12) { try body($0) }
        }
    }

    /// Lane-wise equality of the field elements.
    @inlinable
    public static func == (a: RPO256State, b: RPO256State) -> Bool { a.elements == b.elements }

    /// The lanes in decimal.
    public var description: String { "[" + elements.map(\.description).joined(separator: ", ") + "]" }
}
