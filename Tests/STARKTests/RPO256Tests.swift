import Foundation
import Testing
@testable import STARK

/// RPO256 against Miden's known-answer vectors, the JSON constants, and a slow reference.
@Suite struct RPO256Tests {
    // MARK: Fixtures

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func loadJSON(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A decimal-string u64 from the fixtures.
    static func u64(_ any: Any?) throws -> UInt64 {
        let s = try #require(any as? String)
        return try #require(UInt64(s))
    }

    static func u64s(_ any: Any?) throws -> [UInt64] {
        try #require(any as? [Any]).map { try u64($0) }
    }

    static func felts(_ any: Any?) throws -> [Felt] {
        try u64s(any).map { try #require(Felt(canonical: $0)) }
    }

    static func digest(_ any: Any?) throws -> Digest {
        let w = try u64s(any)
        try #require(w.count == 4)
        return Digest(w[0], w[1], w[2], w[3])
    }

    static func bytes(hex: String) throws -> [UInt8] {
        let chars = Array(hex.utf8)
        try #require(chars.count % 2 == 0)
        return try stride(from: 0, to: chars.count, by: 2).map {
            try #require(UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16))
        }
    }

    /// The JSON constants: full MDS matrix, ARK1 and ARK2 (7×12 each).
    struct Constants {
        var mdsFirstRow: [UInt64]
        var mds: [[UInt64]]
        var ark1: [[UInt64]]
        var ark2: [[UInt64]]
        var invAlpha: UInt64
    }

    static func constants() throws -> Constants {
        let json = try loadJSON("rpo256_constants.json")
        let rows = { (key: String) throws -> [[UInt64]] in
            try #require(json[key] as? [Any]).map { try u64s($0) }
        }
        return Constants(
            mdsFirstRow: try u64s(json["mds_first_row"]), mds: try rows("mds_full"),
            ark1: try rows("ark1"), ark2: try rows("ark2"), invAlpha: try u64(json["inv_alpha"]))
    }

    // MARK: Slow reference (full matrix, generic Felt arithmetic)

    static func referenceMDS(_ s: [Felt], _ c: Constants) -> [Felt] {
        (0..<12).map { i in (0..<12).reduce(Felt.zero) { $0 + Felt(c.mds[i][$1]) * s[$1] } }
    }

    static func referenceRound(_ state: [Felt], _ r: Int, _ c: Constants) -> [Felt] {
        var s = referenceMDS(state, c)
        s = (0..<12).map { (s[$0] + Felt(c.ark1[r][$0])).power(7) }
        s = referenceMDS(s, c)
        return (0..<12).map { (s[$0] + Felt(c.ark2[r][$0])).power(c.invAlpha) }
    }

    static func referencePermutation(_ state: [Felt], _ c: Constants) -> [Felt] {
        (0..<7).reduce(state) { referenceRound($0, $1, c) }
    }

    /// Random states plus edge cases (all zero, all p − 1, alternating).
    static func testStates() -> [[Felt]] {
        var rng = SplitMix64(seed: 0x5250_4F32_3536)
        let pm1 = Felt(unchecked: Felt.modulus - 1)
        var out: [[Felt]] = [
            Array(repeating: .zero, count: 12),
            Array(repeating: pm1, count: 12),
            (0..<12).map { $0 % 2 == 0 ? pm1 : Felt(unchecked: 0xFFFF_FFFF) },
        ]
        for _ in 0..<5 { out.append(rng.felts(12)) }
        return out
    }

    // MARK: Known-answer vectors

    @Test func allKnownAnswerVectors() throws {
        let json = try Self.loadJSON("rpo256_vectors.json")
        let vectors = try #require(json["vectors"] as? [[String: Any]])
        #expect(vectors.count == 139)
        #expect(try #require(json["count"] as? Int) == vectors.count)
        var checked: [String: Int] = [:]
        for v in vectors {
            let id = try #require(v["id"] as? String)
            let function = try #require(v["function"] as? String)
            let expected = try Self.digest(v["expected"])
            let got: Digest
            switch function {
            case "hash_elements":
                let input = try Self.felts(v["input"])
                got = RPO256.hashElements(input)
                #expect(input.withUnsafeBufferPointer { RPO256.hashElements($0) } == got, "\(id): pointer overload")
                #expect(RPO256Hasher.hashElements(input) == got, "\(id): hasher")
            case "merge":
                let pair = try #require(v["input"] as? [Any])
                try #require(pair.count == 2)
                let a = try Self.digest(pair[0]), b = try Self.digest(pair[1])
                got = RPO256.merge(a, b)
                #expect(RPO256Hasher.merge(a, b) == got, "\(id): hasher")
                #expect(RPO256.mergeInDomain(a, b, domain: .zero) == got, "\(id): domain 0")
            case "hash_bytes":
                got = RPO256.hashBytes(try Self.bytes(hex: try #require(v["input_bytes_hex"] as? String)))
            default:
                Issue.record("\(id): unknown function \(function)")
                continue
            }
            #expect(got == expected, "\(id)")
            checked[function, default: 0] += 1
        }
        #expect(checked == ["hash_elements": 10, "merge": 128, "hash_bytes": 1])
    }

    // MARK: Constants

    @Test func constantsMatchJSON() throws {
        let c = try Self.constants()
        #expect(RPO256.mdsFirstRow == c.mdsFirstRow)
        #expect(c.mds.count == 12)
        for i in 0..<12 {
            #expect(c.mds[i] == (0..<12).map { c.mdsFirstRow[($0 - i + 12) % 12] }, "circulant row \(i)")
        }
        #expect(c.ark1.count == 7 && c.ark2.count == 7)
        #expect(RPO256.ark1 == c.ark1.flatMap { $0 })
        #expect(RPO256.ark2 == c.ark2.flatMap { $0 })
        #expect(RPO256.ark1.count == 84 && RPO256.ark2.count == 84)
        #expect(RPO256.invAlpha == c.invAlpha)
        // 7 · invAlpha ≡ 1 (mod p − 1).
        let (hi, lo) = RPO256.alpha.multipliedFullWidth(by: RPO256.invAlpha)
        #expect((Felt.modulus - 1).dividingFullWidth((hi, lo)).remainder == 1)
    }

    // MARK: Permutation against the slow reference

    @Test func permutationMatchesReference() throws {
        let c = try Self.constants()
        for s in Self.testStates() {
            var state = RPO256.State(s)
            RPO256.permute(&state)
            #expect(state.elements == Self.referencePermutation(s, c))
        }
    }

    @Test func roundsMatchReference() throws {
        let c = try Self.constants()
        for s in Self.testStates().prefix(4) {
            var state = RPO256.State(s)
            var reference = s
            for r in 0..<7 {
                RPO256.applyRound(&state, round: r)
                reference = Self.referenceRound(reference, r, c)
                #expect(state.elements == reference, "round \(r)")
            }
            var whole = RPO256.State(s)
            RPO256.permute(&whole)
            #expect(whole == state)
        }
    }

    @Test func roundStepsMatchReference() throws {
        let c = try Self.constants()
        for s in Self.testStates() {
            var state = RPO256.State(s)
            RPO256.applyMDS(&state)
            #expect(state.elements == Self.referenceMDS(s, c))
            // A round assembled from the public steps equals applyRound.
            var steps = RPO256.State(s)
            RPO256.applyMDS(&steps)
            RPO256.addConstants(&steps, c.ark1[3])
            RPO256.applySbox(&steps)
            RPO256.applyMDS(&steps)
            RPO256.addConstants(&steps, c.ark2[3])
            RPO256.applyInverseSbox(&steps)
            var round = RPO256.State(s)
            RPO256.applyRound(&round, round: 3)
            #expect(steps == round)
        }
    }

    /// The evaluators' linear layer: MDS·x + c, canonical, equal to the full-matrix reference
    /// (edge states and the round constants as c, and x aliased with the output).
    @Test func mdsAffineMatchesReference() throws {
        let c = try Self.constants()
        var rng = SplitMix64(seed: 0x4D44_5341)
        for state in Self.testStates() {
            for constants in [Array(repeating: Felt.zero, count: 12), (0..<12).map { Felt(c.ark1[3][$0]) }, rng.felts(12)] {
                let expected = zip(Self.referenceMDS(state, c), constants).map { $0 + $1 }
                var out = [Felt](repeating: .zero, count: 12)
                state.withUnsafeBufferPointer { x in
                    constants.withUnsafeBufferPointer { k in
                        out.withUnsafeMutableBufferPointer { RPO256.mdsAffine(x.baseAddress!, plus: k.baseAddress!, into: $0.baseAddress!) }
                    }
                }
                #expect(out == expected)
                #expect(out.allSatisfy { $0.value < Felt.modulus })
                var aliased = state
                aliased.withUnsafeMutableBufferPointer { x in
                    constants.withUnsafeBufferPointer { RPO256.mdsAffine(x.baseAddress!, plus: $0.baseAddress!, into: x.baseAddress!) }
                }
                #expect(aliased == expected)
            }
        }
    }

    @Test func sboxesAreInverse() throws {
        var rng = SplitMix64(seed: 77)
        var states = Self.testStates()
        states.append([0, 1, 2, 3, Felt(Felt.modulus - 1), Felt(Felt.modulus - 2), 7, 8, 9, 10, 11, 12])
        for _ in 0..<4 { states.append(rng.felts(12)) }
        for s in states {
            var a = RPO256.State(s)
            RPO256.applySbox(&a)
            #expect(a.elements == s.map { $0.power(7) })
            RPO256.applyInverseSbox(&a)
            #expect(a.elements == s)

            var b = RPO256.State(s)
            RPO256.applyInverseSbox(&b)
            #expect(b.elements == s.map { $0.power(RPO256.invAlpha) })
            RPO256.applySbox(&b)
            #expect(b.elements == s)
        }
    }

    // MARK: Sponge consistency

    @Test func spongeConsistency() {
        var rng = SplitMix64(seed: 4242)
        let e = rng.felts(8)
        let a = Digest(e[0].value, e[1].value, e[2].value, e[3].value)
        let b = Digest(e[4].value, e[5].value, e[6].value, e[7].value)
        // merge equals hash_elements of the 8 words (8 mod 8 = 0).
        #expect(RPO256.merge(a, b) == RPO256.hashElements(e))
        // merge_in_domain puts the domain in capacity lane 9.
        let d = Felt(123)
        var state = RPO256.State(e + [0, d, 0, 0])
        RPO256.permute(&state)
        #expect(RPO256.mergeInDomain(a, b, domain: d) == state.digest)
        #expect(RPO256.mergeInDomain(a, b, domain: d) != RPO256.merge(a, b))
        // The hasher's merge with an integer is the 5-element hash.
        for value: UInt64 in [0, 1, 0xDEAD_BEEF, Felt.modulus - 1, Felt.modulus, UInt64.max] {
            #expect(RPO256Hasher.merge(a, value: value) == RPO256.hashElements(e.prefix(4) + [Felt(value)]))
        }
        #expect(RPO256Hasher.hashFunction == .rpo256)
        #expect(RPO256Hasher.collisionResistance == 128)
        #expect(RPO256.hashElements([Felt]()) == .zero)
    }

    /// The sponge written out plainly over the public state API.
    static func plainSponge(_ elements: [Felt], flag: UInt64) -> Digest {
        var state = RPO256.State()
        state[8] = Felt(flag)
        var i = 0
        while i < elements.count {
            for j in 0..<8 { state[j] = i + j < elements.count ? elements[i + j] : .zero }
            RPO256.permute(&state)
            i += 8
        }
        return state.digest
    }

    @Test func hashElementsPadding() {
        var rng = SplitMix64(seed: 99)
        for n in 1...25 {
            let e = rng.felts(n)
            #expect(RPO256.hashElements(e) == Self.plainSponge(e, flag: UInt64(n % 8)), "n = \(n)")
        }
    }

    @Test func hashBytesPadding() {
        var rng = SplitMix64(seed: 7)
        #expect(RPO256.hashBytes([]) == .zero)
        for len in [1, 2, 6, 7, 8, 13, 14, 15, 55, 56, 57, 63, 100] {
            let bytes = (0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let m = (len + 6) / 7
            var elements = [Felt]()
            for k in 0..<m {
                var chunk = Array(bytes[(7 * k)..<min(7 * k + 7, len)])
                chunk.append(k == m - 1 ? 1 : 0)
                while chunk.count < 8 { chunk.append(0) }
                elements.append(Felt(chunk.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }))
            }
            #expect(RPO256.hashBytes(bytes) == Self.plainSponge(elements, flag: UInt64(8 + m % 8)), "len = \(len)")
        }
        // A full last chunk still gets its 0x01 marker, so these differ.
        #expect(RPO256.hashBytes(Array(repeating: 0, count: 7)) != RPO256.hashBytes(Array(repeating: 0, count: 6)))
    }

    @Test func stateLaneAccess() {
        var state = RPO256.State()
        for i in 0..<12 { state[i] = Felt(UInt64(100 + i)) }
        #expect(state.elements == (0..<12).map { Felt(UInt64(100 + $0)) })
        #expect(state.digest == Digest(100, 101, 102, 103))
        #expect(RPO256.State(state.elements) == state)
    }
}
