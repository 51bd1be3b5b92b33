import Testing
@testable import STARK

/// The multi-lane BLAKE3 kernel and the batched entries must equal the scalar BLAKE3 byte for
/// byte: on the official vectors, for both kernels, every tail size, partial blocks and rows
/// longer than one 1,024-byte chunk.
@Suite struct Blake3BatchTests {
    static let lanes = Blake3Lanes.width

    /// Row widths (elements) covering one partial block, whole blocks, chained blocks, one full
    /// chunk and multi-chunk trees with a partial last chunk and a non-power-of-two chunk count.
    static let widths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 127, 128, 129, 136, 255, 256, 257, 384, 385, 640, 1000]

    /// A row's reference hash: `Blake3.hash` of its elements' 8-byte little-endian encodings.
    static func referenceHash(_ row: ArraySlice<Felt>) -> Digest {
        var bytes: [UInt8] = []
        for x in row { for b in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: x.value >> (8 * UInt64(b)))) } }
        return Blake3.hash(bytes)
    }

    /// The digest whose 32-byte encoding is `bytes`.
    static func digest(littleEndian bytes: [UInt8]) -> Digest {
        func word(_ w: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[8 * w + $1]) << (8 * UInt64($1)) } }
        return Digest(word(0), word(1), word(2), word(3))
    }

    @Test func lanesCompressEqualsScalarCompressInEveryLane() {
        var rng = SplitMix64(seed: 31)
        func word() -> UInt32 { UInt32(truncatingIfNeeded: rng.next()) }
        let settings: [(counter: UInt64, blockLen: UInt32, flags: UInt32)] = [
            (0, 64, 11), (1, 40, 0), (0x1_0000_0005, 0, 2), (.max, 64, 127), (7, 17, 4 | 8),
        ]
        for s in settings {
            var cvs: [Blake3.Words8] = []
            var blocks: [Blake3.Words16] = []
            var cv = [Blake3Lanes.Vector](repeating: .zero, count: 8)
            var block = [Blake3Lanes.Vector](repeating: .zero, count: 16)
            for k in 0..<Self.lanes {
                let c = (0..<8).map { _ in word() }
                let m = (0..<16).map { _ in word() }
                cvs.append(Blake3.Words8(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]))
                blocks.append(Blake3.Words16(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7],
                                             m[8], m[9], m[10], m[11], m[12], m[13], m[14], m[15]))
                for w in 0..<8 { cv[w][k] = c[w] }
                for w in 0..<16 { block[w][k] = m[w] }
            }
            block.withUnsafeBufferPointer { b in
                cv.withUnsafeMutableBufferPointer { c in
                    Blake3Lanes.compress(cv: c.baseAddress!, block: b.baseAddress!, counter: s.counter, blockLen: s.blockLen, flags: s.flags)
                }
            }
            for k in 0..<Self.lanes {
                let e = Blake3.compress(cvs[k], blocks[k], counter: s.counter, blockLen: s.blockLen, flags: s.flags).low
                let expected = [e.w0, e.w1, e.w2, e.w3, e.w4, e.w5, e.w6, e.w7]
                #expect((0..<8).map { cv[$0][k] } == expected, "lane \(k), counter \(s.counter), flags \(s.flags)")
            }
        }
    }

    @Test func mergePairsEqualsMergeDigestsForEveryTail() {
        var rng = SplitMix64(seed: 32)
        let count = 4 * Self.lanes + 3
        let pairs = (0..<(2 * count)).map { _ in Digest(rng.next(), rng.next(), rng.next(), rng.next()) }
        let expected = (0..<count).map { Blake3.mergeDigests(pairs[2 * $0], pairs[2 * $0 + 1]) }
        for kernel in Blake3Batch.Kernel.allCases {
            for n in [0, 1, 2, 3, Self.lanes - 1, Self.lanes, Self.lanes + 1, Self.lanes + 2, 2 * Self.lanes + 1, count] {
                var out = [Digest](repeating: Digest(9, 9, 9, 9), count: n + 1)
                Blake3Batch.merge(pairs: pairs, count: n, into: &out, kernel: kernel)
                #expect(Array(out[..<n]) == Array(expected[..<n]), "\(kernel), \(n) pairs")
                #expect(out[n] == Digest(9, 9, 9, 9), "\(kernel), \(n) pairs: wrote past the end")
            }
        }
    }

    @Test func hashRowsEqualsHashOfLittleEndianBytesForEveryWidthAndTail() {
        var rng = SplitMix64(seed: 33)
        for width in [0] + Self.widths {
            let count = 2 * Self.lanes + 3
            let rows = (0..<(width * count)).map { _ in Felt(rng.next() % Felt.modulus) }
            let expected = (0..<count).map { i in Self.referenceHash(rows[(i * width)..<((i + 1) * width)]) }
            for kernel in Blake3Batch.Kernel.allCases {
                for n in [1, 2, Self.lanes - 1, Self.lanes + 1, count] {
                    var out = [Digest](repeating: Digest(9, 9, 9, 9), count: n + 1)
                    rows.withUnsafeBufferPointer { r in
                        Blake3Batch.hashRows(r.baseAddress ?? UnsafePointer(bitPattern: 8)!, width: width, count: n, into: &out, kernel: kernel)
                    }
                    #expect(Array(out[..<n]) == Array(expected[..<n]), "\(kernel), width \(width), \(n) rows")
                    #expect(out[n] == Digest(9, 9, 9, 9), "\(kernel), width \(width), \(n) rows: wrote past the end")
                }
            }
        }
    }

    @Test func hashRowsMatchesOfficialVectors() throws {
        // Inputs of the official vectors whose length is a multiple of 8, read as elements (every
        // 8-byte group of bytes 0…250 is below p): each lane must give the published hash.
        let vectors = try Blake3Tests.loadVectors()
        var checked = 0
        for c in vectors.cases where c.inputLength % 8 == 0 && c.inputLength > 0 {
            let bytes = Blake3Tests.input(c.inputLength)
            let width = c.inputLength / 8
            let row = (0..<width).map { e in
                Felt((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[8 * e + $1]) << (8 * UInt64($1)) })
            }
            let count = Self.lanes + 1
            let rows = Array((0..<count).map { _ in row }.joined())
            let expected = Self.digest(littleEndian: Array(c.hash.prefix(32)))
            for kernel in Blake3Batch.Kernel.allCases {
                var out = [Digest](repeating: .zero, count: count)
                rows.withUnsafeBufferPointer { Blake3Batch.hashRows($0.baseAddress!, width: width, count: count, into: &out, kernel: kernel) }
                #expect(out.allSatisfy { $0 == expected }, "\(kernel), \(c.inputLength) bytes")
            }
            checked += 1
        }
        #expect(checked == 14)
    }

    @Test func mergeWithValuesEqualsHash40() {
        var rng = SplitMix64(seed: 34)
        let seed = Digest(rng.next(), rng.next(), rng.next(), rng.next())
        // Starts whose values cross 2^32 and wrap past 2^64.
        for start: UInt64 in [0, 0xFFFF_FFFD, UInt64.max - 4] {
            let count = 2 * Self.lanes + 1
            let expected = (0..<count).map { Blake3.hash40(seed: seed, value: start &+ UInt64($0)) }
            for kernel in Blake3Batch.Kernel.allCases {
                for n in [1, 2, Self.lanes, count] {
                    var out = [Digest](repeating: .zero, count: n)
                    Blake3Batch.merge(seed, valuesFrom: start, count: n, into: &out, kernel: kernel)
                    #expect(out == Array(expected[..<n]), "\(kernel), start \(start), \(n) values")
                }
            }
        }
    }

    @Test func hasherUsesTheBatchedEntries() {
        // Through the protocol (as the Merkle tree and grinding call it): equal to the single-item functions.
        func viaProtocol<H: StarkHasher>(_: H.Type, rows: [Felt], width: Int, pairs: [Digest]) -> ([Digest], [Digest], [Digest]) {
            let count = pairs.count / 2
            var leaves = [Digest](repeating: .zero, count: count)
            var nodes = [Digest](repeating: .zero, count: count)
            var work = [Digest](repeating: .zero, count: count)
            rows.withUnsafeBufferPointer { H.hashRows($0.baseAddress!, width: width, count: count, into: &leaves) }
            H.merge(pairs: pairs, count: count, into: &nodes)
            H.merge(pairs[0], valuesFrom: 5, count: count, into: &work)
            return (leaves, nodes, work)
        }
        var rng = SplitMix64(seed: 35)
        let count = 3 * Self.lanes + 1, width = 12
        let rows = (0..<(width * count)).map { _ in Felt(rng.next() % Felt.modulus) }
        let pairs = (0..<(2 * count)).map { _ in Digest(rng.next(), rng.next(), rng.next(), rng.next()) }
        let (leaves, nodes, work) = viaProtocol(Blake3Hasher.self, rows: rows, width: width, pairs: pairs)
        #expect(leaves == (0..<count).map { Blake3Hasher.hashElements(Array(rows[($0 * width)..<(($0 + 1) * width)])) })
        #expect(nodes == (0..<count).map { Blake3Hasher.merge(pairs[2 * $0], pairs[2 * $0 + 1]) })
        #expect(work == (0..<count).map { Blake3Hasher.merge(pairs[0], value: 5 + UInt64($0)) })
    }
}
