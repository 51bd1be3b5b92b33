import Testing
import STARK

// Tests of the Goldilocks field (Felt), its quadratic extension (QuadFelt) and batch inversion,
// checked against an independent reference built on Swift's UInt128 arithmetic.
// All randomness comes from a seeded SplitMix64, so every failure reproduces.

// MARK: - Reference arithmetic (UInt128, independent of the code under test)

private let P: UInt64 = 0xFFFF_FFFF_0000_0001  // 2^64 − 2^32 + 1
private let P128 = UInt128(P)

private enum Ref {
    static func add(_ a: UInt64, _ b: UInt64) -> UInt64 { UInt64((UInt128(a) + UInt128(b)) % P128) }
    static func sub(_ a: UInt64, _ b: UInt64) -> UInt64 { UInt64((UInt128(a) + P128 - UInt128(b)) % P128) }
    static func neg(_ a: UInt64) -> UInt64 { UInt64((P128 - UInt128(a)) % P128) }
    static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 { UInt64((UInt128(a) * UInt128(b)) % P128) }
    static func reduce(hi: UInt64, lo: UInt64) -> UInt64 { UInt64(((UInt128(hi) << 64) | UInt128(lo)) % P128) }

    static func pow(_ a: UInt64, _ e: UInt64) -> UInt64 {
        var result: UInt128 = 1
        var base = UInt128(a) % P128
        var e = e
        while e != 0 {
            if e & 1 == 1 { result = (result * base) % P128 }
            base = (base * base) % P128
            e >>= 1
        }
        return UInt64(result)
    }

    static func inv(_ a: UInt64) -> UInt64 { pow(a, P - 2) }

    /// (a0 + a1φ)(b0 + b1φ) as a degree-2 polynomial, then reduced with φ² = φ − 2.
    static func quadMul(_ a: (UInt64, UInt64), _ b: (UInt64, UInt64)) -> (UInt64, UInt64) {
        let d0 = (UInt128(a.0) * UInt128(b.0)) % P128
        let d1 = ((UInt128(a.0) * UInt128(b.1)) % P128 + (UInt128(a.1) * UInt128(b.0)) % P128) % P128
        let d2 = (UInt128(a.1) * UInt128(b.1)) % P128
        // d0 + d1φ + d2φ² = (d0 − 2·d2) + (d1 + d2)φ
        let c0 = (d0 + 2 * P128 - 2 * d2) % P128
        let c1 = (d1 + d2) % P128
        return (UInt64(c0), UInt64(c1))
    }

    static func quadPow(_ a: (UInt64, UInt64), _ e: UInt64) -> (UInt64, UInt64) {
        var result: (UInt64, UInt64) = (1, 0)
        var base = a
        var e = e
        while e != 0 {
            if e & 1 == 1 { result = quadMul(result, base) }
            base = quadMul(base, base)
            e >>= 1
        }
        return result
    }
}

// MARK: - Deterministic PRNG

extension SplitMix64 {

    /// A canonical value (< p). One draw in four is steered towards the awkward regions:
    /// next to 0, next to p, next to 2^32 and 2^63, or with an all-zero / all-one low or high half.
    mutating func canonical() -> UInt64 {
        let r = next()
        let small = r >> 56  // 0..<256
        switch r & 15 {
        case 0: return small                              // near 0
        case 1: return P - 1 - small                       // near p − 1
        case 2: return (1 << 32) &+ small &- 128            // near 2^32
        case 3: return (1 << 63) &+ small &- 128            // near 2^63
        case 4:
            let v = next() & 0xFFFF_FFFF_0000_0000       // low half zero
            return v < P ? v : v - P
        case 5:
            let v = next() | 0x0000_0000_FFFF_FFFF       // low half all ones
            return v < P ? v : v - P
        case 6:
            let v = 0xFFFF_FFFF_0000_0000 &- (next() & 0xFFFF_FFFF)  // high half all ones, < p
            return v
        default:
            // Rejection sampling for a uniform canonical value.
            while true {
                let v = next()
                if v < P { return v }
            }
        }
    }

    mutating func steeredFelt() -> Felt { Felt(unchecked: canonical()) }
    mutating func nonzeroFelt() -> Felt {
        while true {
            let v = canonical()
            if v != 0 { return Felt(unchecked: v) }
        }
    }
    mutating func steeredQuad() -> QuadFelt { QuadFelt(steeredFelt(), steeredFelt()) }
    mutating func nonzeroQuad() -> QuadFelt {
        while true {
            let q = steeredQuad()
            if !(q.c0.isZero && q.c1.isZero) { return q }
        }
    }
}

// MARK: - Edge values

/// Canonical edge values of the base field (2^64 − 2^32 is p − 1; listed as in the spec).
private let edgeValues: [UInt64] = [
    0, 1, 2, P - 1, P - 2,
    1 << 32, (1 << 32) - 1, (1 << 32) + 1,
    1 << 63, (1 << 63) - 1, (1 << 63) + 1,
    0xFFFF_FFFF_0000_0000,  // 2^64 − 2^32 = p − 1
    P - (1 << 32),          // 2^64 − 2^33 + 1
    0xFFFF_FFFE_FFFF_FFFF,  // 2^64 − 2^32 − 1 = p − 2
    0x0000_0001_FFFF_FFFF,  // 2^33 − 1
]

/// 64-bit words (not necessarily canonical) used as halves of 128-bit inputs to reduce128.
private let edgeWords: [UInt64] = [
    0, 1, 2,
    (1 << 32) - 1, 1 << 32, (1 << 32) + 1,
    1 << 63, (1 << 63) - 1,
    UInt64.max,      // 2^64 − 1: the largest word, non-canonical
    UInt64.max - 1,
    P - 1, P, P + 1, P - 2,
    0xFFFF_FFFF_0000_0000 - 1,  // 2^64 − 2^32 − 1
    0x0000_0000_FFFF_FFFF << 32 | 0x0000_0000_FFFF_FFFE,
    0x8000_0000_FFFF_FFFF,
    0x0000_0001_0000_0000 - 2,
]

private let randomCount = 2_000

// MARK: - Base field

@Suite struct FieldTests {
    @Test func modulusConstants() {
        #expect(Felt.modulus == P)
        #expect(UInt64.max - P + 1 == (1 << 32) - 1)  // 2^64 mod p = 2^32 − 1
        #expect(Felt.zero.value == 0)
        #expect(Felt.one.value == 1)
        #expect(Felt.twoAdicity == 32)
        #expect((P - 1) % (1 << 32) == 0 && ((P - 1) >> 32) & 1 == 1)
    }

    // MARK: Construction

    @Test func initReducesNonCanonicalValues() {
        #expect(Felt(P).value == 0)
        #expect(Felt(P + 1).value == 1)
        #expect(Felt(P + 2).value == 2)
        #expect(Felt(UInt64.max).value == UInt64.max - P)  // 2^64 − 1 ↦ 2^32 − 2
        #expect(Felt(UInt64.max).value == (1 << 32) - 2)
        #expect(Felt(P - 1).value == P - 1)
        #expect(Felt(0).value == 0)
        let lit: Felt = 0xFFFF_FFFF_FFFF_FFFF
        #expect(lit.value == (1 << 32) - 2)
        for w in edgeWords {
            #expect(Felt(w).value == w % P, "Felt(\(w))")
        }
        var rng = SplitMix64(seed: 1)
        for _ in 0..<randomCount {
            let w = rng.next()
            let f = Felt(w)
            #expect(f.value == w % P)
            #expect(f.value < P)
        }
        // The top of the 64-bit range, all of which is ≥ p.
        for k: UInt64 in 0..<(1 << 10) {
            let w = UInt64.max - k
            #expect(Felt(w).value == w % P)
        }
    }

    @Test func initCanonicalRefusesValuesAtOrAboveModulus() {
        #expect(Felt(canonical: P) == nil)
        #expect(Felt(canonical: P + 1) == nil)
        #expect(Felt(canonical: UInt64.max) == nil)
        #expect(Felt(canonical: UInt64.max - 1) == nil)
        #expect(Felt(canonical: P - 1)?.value == P - 1)
        #expect(Felt(canonical: 0)?.value == 0)
        #expect(Felt(canonical: 1)?.value == 1)
        for w in edgeWords {
            let f = Felt(canonical: w)
            if w < P {
                #expect(f?.value == w)
            } else {
                #expect(f == nil, "Felt(canonical: \(w)) should be nil")
            }
        }
        var rng = SplitMix64(seed: 2)
        for _ in 0..<randomCount {
            let w = rng.next()
            let f = Felt(canonical: w)
            #expect((f != nil) == (w < P))
            if let f { #expect(f.value == w) }
        }
    }

    // MARK: Arithmetic against the UInt128 reference

    private func checkBinary(_ a: UInt64, _ b: UInt64) {
        let x = Felt(unchecked: a), y = Felt(unchecked: b)
        let sum = x + y, diff = x - y, prod = x * y
        #expect(sum.value == Ref.add(a, b), "\(a) + \(b)")
        #expect(diff.value == Ref.sub(a, b), "\(a) − \(b)")
        #expect(prod.value == Ref.mul(a, b), "\(a) · \(b)")
        #expect(sum.value < P && diff.value < P && prod.value < P)
        var z = x
        z += y; #expect(z == sum)
        z = x
        z -= y; #expect(z == diff)
        z = x
        z *= y; #expect(z == prod)
    }

    private func checkUnary(_ a: UInt64) {
        let x = Felt(unchecked: a)
        #expect((-x).value == Ref.neg(a), "−\(a)")
        #expect(x.square().value == Ref.mul(a, a), "\(a)²")
        #expect(x.double().value == Ref.add(a, a), "2·\(a)")
        #expect(x.inverse().value == Ref.inv(a), "\(a)⁻¹")
        #expect((-x).value < P && x.square().value < P && x.double().value < P)
        #expect(x + (-x) == .zero)
        #expect(x.isZero == (a == 0))
    }

    @Test func edgeValuePairs() {
        for a in edgeValues {
            #expect(a < P)
            checkUnary(a)
            for b in edgeValues { checkBinary(a, b) }
        }
    }

    @Test func randomBinaryOperations() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<randomCount * 2 {
            checkBinary(rng.canonical(), rng.canonical())
        }
        // Random against edge, both ways round.
        for _ in 0..<randomCount / 4 {
            let r = rng.canonical()
            let e = edgeValues[Int(rng.next() % UInt64(edgeValues.count))]
            checkBinary(r, e)
            checkBinary(e, r)
        }
    }

    @Test func randomUnaryOperations() {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<randomCount {
            checkUnary(rng.canonical())
        }
    }

    @Test func power() {
        let exponents: [UInt64] = [0, 1, 2, 3, 4, 5, 7, 8, 255, 256, 1 << 32, (1 << 32) - 1, 1 << 63,
                                   P - 1, P - 2, P, P + 1, UInt64.max]
        for a in edgeValues {
            for e in exponents {
                #expect(Felt(unchecked: a).power(e).value == Ref.pow(a, e), "\(a)^\(e)")
            }
        }
        var rng = SplitMix64(seed: 5)
        for _ in 0..<500 {
            let a = rng.canonical()
            let e = rng.next()
            #expect(Felt(unchecked: a).power(e).value == Ref.pow(a, e), "\(a)^\(e)")
        }
        // Small exponents against repeated multiplication; x^0 = 1 (also for x = 0).
        for _ in 0..<50 {
            let x = rng.steeredFelt()
            var acc = Felt.one
            for e: UInt64 in 0..<20 {
                #expect(x.power(e) == acc)
                acc = acc * x
            }
        }
        #expect(Felt.zero.power(0) == .one)
        #expect(Felt.zero.power(5) == .zero)
        // Fermat: x^(p−1) = 1 for x ≠ 0.
        for _ in 0..<100 {
            #expect(rng.nonzeroFelt().power(P - 1) == .one)
        }
    }

    @Test func inverse() {
        #expect(Felt.zero.inverse() == .zero)  // documented: the inverse of zero is zero
        #expect(Felt.one.inverse() == .one)
        #expect(Felt(unchecked: P - 1).inverse() == Felt(unchecked: P - 1))  // (−1)⁻¹ = −1
        #expect(Felt(2).inverse().value == (P + 1) / 2)
        for a in edgeValues where a != 0 {
            let x = Felt(unchecked: a)
            #expect(x * x.inverse() == .one, "\(a)·\(a)⁻¹")
            #expect(x.inverse().inverse() == x)
        }
        var rng = SplitMix64(seed: 6)
        for _ in 0..<randomCount {
            let a = rng.nonzeroFelt()
            let inv = a.inverse()
            #expect(a * inv == .one, "\(a)·\(a)⁻¹")
            #expect(inv.value < P)
        }
    }

    @Test func fieldAxiomsOnRandomValues() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<randomCount / 2 {
            let a = rng.steeredFelt(), b = rng.steeredFelt(), c = rng.steeredFelt()
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect((a + b) + c == a + (b + c))
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect((a - b) + b == a)
            #expect(a - b == -(b - a))
            #expect(a * .one == a && a * .zero == .zero && a + .zero == a)
            #expect(a.scaled(by: b) == a * b)
            #expect(Felt(a) == a)  // FieldElement embedding
        }
    }

    // MARK: reduce128

    private func checkReduce(hi: UInt64, lo: UInt64) {
        let r = Felt.reduce128(hi: hi, lo: lo)
        #expect(r == Ref.reduce(hi: hi, lo: lo), "reduce128(hi: \(hi), lo: \(lo))")
        #expect(r < P, "reduce128(hi: \(hi), lo: \(lo)) = \(r) is not canonical")
    }

    @Test func reduce128EdgeWords() {
        // Every (hi, lo) pair of edge words, including 2^64 − 1 in either half (and both: 2^128 − 1).
        for hi in edgeWords {
            for lo in edgeWords {
                checkReduce(hi: hi, lo: lo)
            }
        }
        #expect(Felt.reduce128(hi: UInt64.max, lo: UInt64.max) == Ref.reduce(hi: .max, lo: .max))
        #expect(Felt.reduce128(hi: 0, lo: UInt64.max) == (1 << 32) - 2)  // 2^64 − 1 ≡ 2^32 − 2
        #expect(Felt.reduce128(hi: 0, lo: P) == 0)
        #expect(Felt.reduce128(hi: 1, lo: 0) == (1 << 32) - 1)           // 2^64 ≡ 2^32 − 1
        #expect(Felt.reduce128(hi: 1 << 32, lo: 0) == P - 1)            // 2^96 ≡ −1
    }

    @Test func reduce128Random() {
        var rng = SplitMix64(seed: 8)
        // Uniform 128-bit values.
        for _ in 0..<randomCount * 2 {
            checkReduce(hi: rng.next(), lo: rng.next())
        }
        // Shapes aimed at each correction step: lo < hi>>32 (borrow), hi's low half near 2^32 − 1
        // (large hl·(2^32 − 1), carry), and intermediate sums just at or above p.
        for _ in 0..<randomCount {
            let hh = rng.next() >> 32
            let lo = hh == 0 ? 0 : rng.next() % hh
            checkReduce(hi: hh << 32 | (rng.next() & 0xFFFF_FFFF), lo: lo)
            checkReduce(hi: rng.next() | 0xFFFF_FFFF, lo: rng.next())
            checkReduce(hi: rng.next() & 0xFFFF_FFFF, lo: UInt64.max - (rng.next() >> 40))
            checkReduce(hi: (rng.next() >> 32), lo: P &+ (rng.next() >> 48) &- (1 << 15))
            // Results that land in [p, 2^64) before the final subtraction.
            checkReduce(hi: 0, lo: P &+ rng.next() % (UInt64.max - P + 1))
            let hh2 = rng.next() & 0xFFFF_FFFF_0000_0000
            checkReduce(hi: hh2, lo: (hh2 >> 32) &+ P &+ (rng.next() >> 33))
        }
        // Full products of canonical values (what multiplication feeds it).
        for _ in 0..<randomCount {
            let (hi, lo) = rng.canonical().multipliedFullWidth(by: rng.canonical())
            checkReduce(hi: hi, lo: lo)
        }
    }

    // MARK: Roots of unity

    @Test func rootsOfUnityHaveExactOrder() {
        for logSize in 0...32 {
            let r = Felt.rootOfUnity(logSize: logSize)
            #expect(r.power(UInt64(1) << logSize) == .one, "ω_\(logSize)^(2^\(logSize)) ≠ 1")
            if logSize > 0 {
                #expect(r.power(UInt64(1) << (logSize - 1)) == Felt(unchecked: P - 1),
                        "ω_\(logSize)^(2^\(logSize - 1)) ≠ −1")
                // ω_k² = ω_{k−1}: the roots form a consistent tower.
                #expect(r.square() == Felt.rootOfUnity(logSize: logSize - 1))
            }
        }
        #expect(Felt.rootOfUnity(logSize: 0) == .one)
        #expect(Felt.rootOfUnity(logSize: 1) == Felt(unchecked: P - 1))
        #expect(Felt.rootOfUnity(logSize: 32) == Felt.twoAdicRoot)
    }

    @Test func multiplicativeGeneratorGeneratesTheGroup() {
        // p − 1 = 2^32 · 3 · 5 · 17 · 257 · 65537; g generates iff g^((p−1)/q) ≠ 1 for each prime q.
        let primes: [UInt64] = [2, 3, 5, 17, 257, 65537]
        #expect(primes.reduce(UInt64(1) << 31) { $0 * $1 } == P - 1)
        let g = Felt.multiplicativeGenerator
        for q in primes {
            #expect(g.power((P - 1) / q) != .one, "g^((p−1)/\(q)) = 1")
            #expect(Ref.pow(g.value, (P - 1) / q) != 1)
        }
    }

    // MARK: Batch inversion

    @Test func batchInversionFelt() {
        #expect(BatchInversion.invert([Felt]()).isEmpty)
        #expect(BatchInversion.invert([Felt.zero]) == [.zero])
        #expect(BatchInversion.invert([Felt](repeating: .zero, count: 5)) == [Felt](repeating: .zero, count: 5))
        #expect(BatchInversion.invert([Felt(3)]) == [Felt(3).inverse()])
        let edges = edgeValues.map { Felt(unchecked: $0) }
        #expect(BatchInversion.invert(edges) == edges.map { $0.inverse() })

        var rng = SplitMix64(seed: 9)
        for len in [1, 2, 3, 7, 64, 257, 1000] {
            var values = (0..<len).map { _ in rng.steeredFelt() }
            // Sprinkle zeros, including at both ends.
            for i in 0..<len where rng.next() % 5 == 0 { values[i] = .zero }
            if len > 2 { values[0] = .zero; values[len - 1] = .zero }
            let inv = BatchInversion.invert(values)
            #expect(inv.count == len)
            for i in 0..<len {
                if values[i].isZero {
                    #expect(inv[i] == .zero, "zero at \(i) must map to zero")
                } else {
                    #expect(inv[i] == values[i].inverse(), "len \(len), index \(i)")
                    #expect(inv[i].value == Ref.inv(values[i].value))
                    #expect(inv[i] * values[i] == .one)
                }
            }
        }
    }

    @Test func batchInversionBufferVariant() {
        let empty: [Felt] = []
        empty.withUnsafeBufferPointer { src in
            var out: [Felt] = []
            out.withUnsafeMutableBufferPointer { dst in BatchInversion.invert(src, into: dst) }
            #expect(out.isEmpty)
        }
        var rng = SplitMix64(seed: 10)
        var values = (0..<100).map { _ in rng.steeredFelt() }
        values[17] = .zero
        var out = [Felt](repeating: Felt(12345), count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in BatchInversion.invert(src, into: dst) }
        }
        #expect(out == values.map { $0.inverse() })
    }
}

// MARK: - Quadratic extension

private func pair(_ q: QuadFelt) -> (UInt64, UInt64) { (q.c0.value, q.c1.value) }

@Suite struct QuadFeltTests {
    @Test func extensionPolynomialIsIrreducible() {
        // φ² − φ + 2 has discriminant 1 − 8 = −7; it is irreducible iff −7 is a non-residue mod p.
        #expect(Ref.pow(P - 7, (P - 1) / 2) == P - 1)
        // φ itself satisfies φ² = φ − 2.
        let phi = QuadFelt(.zero, .one)
        #expect(phi * phi == phi - QuadFelt(Felt(2)))
        #expect(phi * phi - phi + QuadFelt(Felt(2)) == .zero)
    }

    @Test func multiplicationMatchesPolynomialReference() {
        let edges = edgeValues.map { Felt(unchecked: $0) }
        for a0 in edges {
            for a1 in [Felt.zero, .one, Felt(unchecked: P - 1), Felt(1 << 32)] {
                for b0 in [Felt.zero, .one, Felt(unchecked: P - 1), Felt(1 << 63)] {
                    for b1 in edges {
                        let a = QuadFelt(a0, a1), b = QuadFelt(b0, b1)
                        let r = Ref.quadMul(pair(a), pair(b))
                        #expect(pair(a * b) == r, "\(a) · \(b)")
                    }
                }
            }
        }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<randomCount {
            let a = rng.steeredQuad(), b = rng.steeredQuad()
            let prod = a * b
            let r = Ref.quadMul(pair(a), pair(b))
            #expect(prod.c0.value == r.0 && prod.c1.value == r.1, "\(a) · \(b)")
            #expect(pair(a.square()) == Ref.quadMul(pair(a), pair(a)))
            var c = a
            c *= b
            #expect(c == prod)
        }
    }

    @Test func additionSubtractionNegation() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<randomCount / 2 {
            let a = rng.steeredQuad(), b = rng.steeredQuad()
            let s = a + b, d = a - b, n = -a
            #expect(s.c0.value == Ref.add(a.c0.value, b.c0.value) && s.c1.value == Ref.add(a.c1.value, b.c1.value))
            #expect(d.c0.value == Ref.sub(a.c0.value, b.c0.value) && d.c1.value == Ref.sub(a.c1.value, b.c1.value))
            #expect(n.c0.value == Ref.neg(a.c0.value) && n.c1.value == Ref.neg(a.c1.value))
            #expect(a + n == .zero)
        }
    }

    @Test func ringAxiomsOnRandomValues() {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<randomCount / 2 {
            let a = rng.steeredQuad(), b = rng.steeredQuad(), c = rng.steeredQuad()
            #expect((a * b) * c == a * (b * c), "associativity")
            #expect(a * (b + c) == a * b + a * c, "left distributivity")
            #expect((a + b) * c == a * c + b * c, "right distributivity")
            #expect(a * b == b * a, "commutativity")
            #expect(a * .one == a && a * .zero == .zero)
        }
    }

    @Test func baseFieldEmbeddingAndScaling() {
        var rng = SplitMix64(seed: 14)
        for _ in 0..<randomCount / 2 {
            let x = rng.steeredFelt(), y = rng.steeredFelt(), a = rng.steeredQuad()
            #expect(QuadFelt(x) * QuadFelt(y) == QuadFelt(x * y))
            #expect(QuadFelt(x) + QuadFelt(y) == QuadFelt(x + y))
            #expect(a.scaled(by: x) == a * QuadFelt(x))
            #expect(QuadFelt(x).c1 == .zero)
            if !x.isZero { #expect(QuadFelt(x).inverse() == QuadFelt(x.inverse())) }
        }
    }

    @Test func conjugateTimesSelfIsInBaseField() {
        let phi = QuadFelt(.zero, .one)
        #expect(phi.conjugate == QuadFelt(.one, Felt(unchecked: P - 1)))  // φ ↦ 1 − φ
        #expect(phi + phi.conjugate == .one)                               // sum of the roots
        #expect(phi * phi.conjugate == QuadFelt(Felt(2)))                  // product of the roots
        var rng = SplitMix64(seed: 15)
        for _ in 0..<randomCount {
            let x = rng.steeredQuad()
            let n = x * x.conjugate
            #expect(n.c1 == .zero, "\(x)·conj(\(x)) = \(n) is not in the base field")
            #expect(x.conjugate.conjugate == x)
            // The norm is also independently c0² + c0c1 + 2c1².
            let a = x.c0.value, b = x.c1.value
            let norm = Ref.add(Ref.add(Ref.mul(a, a), Ref.mul(a, b)), Ref.mul(2, Ref.mul(b, b)))
            #expect(n.c0.value == norm)
        }
    }

    @Test func frobeniusIsConjugation() {
        // x^p is the non-trivial automorphism of F_p², which is conjugation.
        var rng = SplitMix64(seed: 16)
        for _ in 0..<100 {
            let x = rng.steeredQuad()
            #expect(x.power(P) == x.conjugate, "\(x)^p ≠ conj(\(x))")
        }
    }

    @Test func inverse() {
        #expect(QuadFelt.zero.inverse() == .zero)  // zero maps to zero
        #expect(QuadFelt.one.inverse() == .one)
        var rng = SplitMix64(seed: 17)
        for _ in 0..<randomCount {
            let x = rng.nonzeroQuad()
            let inv = x.inverse()
            #expect(inv * x == .one, "\(x)⁻¹·\(x) ≠ 1")
            #expect(Ref.quadMul(pair(inv), pair(x)) == (1, 0))
        }
        // Pure-φ and pure-base elements.
        for v in edgeValues where v != 0 {
            let f = Felt(unchecked: v)
            #expect(QuadFelt(.zero, f).inverse() * QuadFelt(.zero, f) == .one)
            #expect(QuadFelt(f, f).inverse() * QuadFelt(f, f) == .one)
            #expect(QuadFelt(f, .zero).inverse() * QuadFelt(f, .zero) == .one)
        }
    }

    @Test func power() {
        var rng = SplitMix64(seed: 18)
        for _ in 0..<200 {
            let x = rng.steeredQuad()
            let e = rng.next()
            #expect(pair(x.power(e)) == Ref.quadPow(pair(x), e))
        }
        let x = rng.steeredQuad()
        var acc = QuadFelt.one
        for e: UInt64 in 0..<20 {
            #expect(x.power(e) == acc)
            acc = acc * x
        }
    }

    @Test func batchInversionQuad() {
        #expect(BatchInversion.invert([QuadFelt]()).isEmpty)
        #expect(BatchInversion.invert([QuadFelt.zero, .zero]) == [.zero, .zero])
        var rng = SplitMix64(seed: 19)
        for len in [1, 2, 5, 64, 500] {
            var values = (0..<len).map { _ in rng.steeredQuad() }
            for i in 0..<len where rng.next() % 4 == 0 { values[i] = .zero }
            if len > 2 { values[0] = .zero; values[len - 1] = .zero }
            // Elements with a zero coordinate are not zero and must be inverted.
            if len > 4 { values[1] = QuadFelt(.zero, rng.nonzeroFelt()); values[2] = QuadFelt(rng.nonzeroFelt()) }
            let inv = BatchInversion.invert(values)
            #expect(inv.count == len)
            for i in 0..<len {
                if values[i].isZero {
                    #expect(inv[i] == .zero)
                } else {
                    #expect(inv[i] == values[i].inverse(), "len \(len), index \(i)")
                    #expect(inv[i] * values[i] == .one)
                }
            }
        }
    }
}
