import Foundation
import Testing
import STARK

/// The official BLAKE3 test vectors (Fixtures/blake3_test_vectors.json) and the hasher's encodings.
@Suite struct Blake3Tests {
    /// One case of the vector file: an input length and the extended outputs of the three modes.
    struct VectorCase: Sendable {
        let inputLength: Int
        let hash: [UInt8]
        let keyedHash: [UInt8]
        let deriveKey: [UInt8]
    }

    /// The parsed vector file.
    struct Vectors: Sendable {
        let key: [UInt8]
        let context: String
        let cases: [VectorCase]
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        precondition(chars.count % 2 == 0)
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: fatalError("bad hex digit")
            }
        }
        return stride(from: 0, to: chars.count, by: 2).map { nibble(chars[$0]) << 4 | nibble(chars[$0 + 1]) }
    }

    static func loadVectors() throws -> Vectors {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/blake3_test_vectors.json")
        let data = try Data(contentsOf: url)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let key = try #require(root["key"] as? String)
        let context = try #require(root["context_string"] as? String)
        let rawCases = try #require(root["cases"] as? [[String: Any]])
        var cases: [VectorCase] = []
        for c in rawCases {
            cases.append(VectorCase(
                inputLength: try #require(c["input_len"] as? Int),
                hash: hexBytes(try #require(c["hash"] as? String)),
                keyedHash: hexBytes(try #require(c["keyed_hash"] as? String)),
                deriveKey: hexBytes(try #require(c["derive_key"] as? String))))
        }
        return Vectors(key: Array(key.utf8), context: context, cases: cases)
    }

    /// The vector input: bytes 0, 1, …, 250 repeating.
    static func input(_ length: Int) -> [UInt8] {
        (0..<length).map { UInt8($0 % 251) }
    }

    @Test func allVectorCasesInAllModes() throws {
        let vectors = try Self.loadVectors()
        #expect(vectors.key.count == 32)
        #expect(vectors.cases.count == 35)
        for c in vectors.cases {
            let input = Self.input(c.inputLength)
            let n = c.hash.count

            // Hash mode: extended output, and the default digest is its 32-byte prefix.
            #expect(Blake3.hash(input, outputLength: n) == c.hash, "hash, len \(c.inputLength)")
            #expect(Blake3.hash(input).bytes == Array(c.hash.prefix(32)), "hash digest, len \(c.inputLength)")
            let viaRaw = input.withUnsafeBytes { Blake3.hash($0) }
            #expect(viaRaw.bytes == Array(c.hash.prefix(32)), "raw hash digest, len \(c.inputLength)")
            #expect(Blake3.hash(input, outputLength: 32) == Array(c.hash.prefix(32)))

            // Keyed-hash mode.
            #expect(Blake3.keyedHash(key: vectors.key, input, outputLength: n) == c.keyedHash,
                    "keyed_hash, len \(c.inputLength)")
            #expect(Blake3.keyedHash(key: vectors.key, input) == Array(c.keyedHash.prefix(32)),
                    "keyed_hash default, len \(c.inputLength)")

            // Derive-key mode.
            #expect(Blake3.deriveKey(context: vectors.context, material: input, outputLength: n) == c.deriveKey,
                    "derive_key, len \(c.inputLength)")
            #expect(Blake3.deriveKey(context: vectors.context, material: input) == Array(c.deriveKey.prefix(32)),
                    "derive_key default, len \(c.inputLength)")
        }
    }

    @Test func extendedOutputPrefixesAreConsistent() {
        let input = Self.input(1500)
        let long = Blake3.hash(input, outputLength: 300)
        for n in [0, 1, 31, 32, 33, 63, 64, 65, 128, 200] {
            #expect(Blake3.hash(input, outputLength: n) == Array(long.prefix(n)))
        }
    }

    @Test func mergeDigestsIsHashOfConcatenation() {
        var a = Blake3.hash([1, 2, 3])
        var b = Blake3.hash([4, 5, 6, 7])
        for _ in 0..<20 {
            let m = Blake3.mergeDigests(a, b)
            #expect(m == Blake3.hash(a.bytes + b.bytes))
            #expect(Blake3Hasher.merge(a, b) == m)
            (a, b) = (b, m)
        }
    }

    @Test func hash40IsHashOfSeedAndLittleEndianValue() {
        var seed = Blake3.hash(Self.input(100))
        for value: UInt64 in [0, 1, 0xFF, 0x0123_4567_89AB_CDEF, .max, 1 << 63] {
            let le = (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
            let expected = Blake3.hash(seed.bytes + le)
            #expect(Blake3.hash40(seed: seed, value: value) == expected)
            #expect(Blake3Hasher.merge(seed, value: value) == expected)
            seed = expected
        }
    }

    @Test func hashElementsIsHashOfLittleEndianEncodings() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        // Lengths around the block (8 elements) and chunk (128 elements) boundaries, and multi-chunk.
        for n in [0, 1, 2, 3, 7, 8, 9, 14, 15, 16, 17, 100, 127, 128, 129, 256, 257, 1000] {
            var elements: [Felt] = []
            for _ in 0..<n {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                elements.append(Felt(state))
            }
            var bytes: [UInt8] = []
            for e in elements {
                for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: e.value >> (8 * UInt64(k)))) }
            }
            #expect(Blake3Hasher.hashElements(elements) == Blake3.hash(bytes), "n = \(n)")
        }
    }

    @Test func hasherMetadata() {
        #expect(Blake3Hasher.hashFunction == .blake3)
        #expect(Blake3Hasher.collisionResistance == 128)
    }
}
