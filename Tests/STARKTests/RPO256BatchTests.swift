import Testing
@testable import STARK

/// The multi-lane RPO256 kernel and the batched entries must equal the scalar functions bit for
/// bit, for both kernels, every tail size and non-canonical inputs near p and 2^64.
@Suite struct RPO256BatchTests {
    /// Values where a reduction's carry or borrow happens: around 0, 2^32, p and 2^64.
    static let edgeValues: [UInt64] = [
        0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, 0x1_0000_0001, Felt.modulus - 2, Felt.modulus - 1, Felt.modulus,
        Felt.modulus + 1, 0xFFFF_FFFF_FFFF_FFFE, .max, 0x8000_0000_0000_0000, 0xFFFF_FFFF_0000_0000,
    ]

    /// A random lane value, one time in three taken from `edgeValues`.
    static func lane(_ rng: inout SplitMix64) -> UInt64 {
        let r = rng.next()
        return r % 3 == 0 ? edgeValues[Int((r >> 8) % UInt64(edgeValues.count))] : rng.next()
    }

    static func digest(_ rng: inout SplitMix64) -> Digest { Digest(lane(&rng), lane(&rng), lane(&rng), lane(&rng)) }

    @Test func laneArithmeticEqualsFieldArithmetic() {
        // Operands whose 128-bit products need the rare corrections: 2^48·2^48 = 2^96 has a low
        // word below hi >> 32 (the borrow), values ≥ p need the final reduction.
        var values = Self.edgeValues + [1 << 48, (1 << 48) + 1, 3 << 47, 1 << 56, 1 << 63, (1 << 32) + 2, 0xFFFF_FFFF_FFFF]
        var rng = SplitMix64(seed: 20)
        values += (0..<6).map { _ in rng.next() }
        let width = RPO256Lanes.width
        for a in values {
            var k = 0
            while k < values.count {
                var va = RPO256Lanes.Vector(repeating: a), vb = RPO256Lanes.Vector.zero
                for l in 0..<width { vb[l] = values[(k + l) % values.count] }
                let product = RPO256Lanes.canonical(RPO256Lanes.mul(va, vb))
                let square = RPO256Lanes.canonical(RPO256Lanes.square(vb))
                va = RPO256Lanes.canonical(vb)
                for l in 0..<width {
                    let b = vb[l]
                    #expect(product[l] == (Felt(a) * Felt(b)).value, "\(a) · \(b)")
                    #expect(square[l] == (Felt(b) * Felt(b)).value, "\(b)²")
                    #expect(va[l] == Felt(b).value, "canonical \(b)")
                }
                k += width
            }
        }
    }

    @Test func lanesPermutationEqualsScalarOnRawLanes() {
        var rng = SplitMix64(seed: 21)
        let width = RPO256Lanes.width
        // Group 0: every lane of every state one edge value (all combinations across lanes);
        // groups 1...: random lanes mixed with edge values.
        for group in 0..<3 {
            var states = [RPO256.State](repeating: .init(), count: width)
            var vectors = [RPO256Lanes.Vector](repeating: .zero, count: 12)
            for k in 0..<width {
                states[k].withLanes { s in
                    for j in 0..<12 {
                        s[j] = group == 0 ? Self.edgeValues[(j + 5 * k) % Self.edgeValues.count] : Self.lane(&rng)
                        vectors[j][k] = s[j]
                    }
                }
            }
            vectors.withUnsafeMutableBufferPointer { RPO256Lanes.permute($0.baseAddress!) }
            for k in 0..<width {
                var expected = states[k]
                RPO256.permute(&expected)
                for j in 0..<12 {
                    #expect(vectors[j][k] == expected.lanes(j), "group \(group), state \(k), lane \(j)")
                    #expect(vectors[j][k] < Felt.modulus)
                }
            }
        }
    }

    @Test func zeroAndRandomPairsThroughBothKernels() {
        // The all-zero pair (an empty Merkle subtree) and random pairs with edge values.
        var rng = SplitMix64(seed: 22)
        let pairs = [Digest.zero, .zero] + (0..<10).map { _ in Self.digest(&rng) }
        for kernel in RPO256Batch.Kernel.allCases {
            var out = [Digest](repeating: Digest(7, 7, 7, 7), count: pairs.count / 2)
            RPO256Batch.merge(pairs: pairs, count: out.count, into: &out, kernel: kernel)
            for i in out.indices {
                #expect(out[i] == RPO256.merge(pairs[2 * i], pairs[2 * i + 1]), "\(kernel) pair \(i)")
            }
        }
    }

    @Test func mergePairsEqualsMergeForEveryTail() {
        var rng = SplitMix64(seed: 23)
        let count = 2 * RPO256Lanes.width + RPO256Lanes.width - 1
        let pairs = (0..<(2 * count)).map { _ in Self.digest(&rng) }
        let expected = (0..<count).map { RPO256.merge(pairs[2 * $0], pairs[2 * $0 + 1]) }
        for kernel in RPO256Batch.Kernel.allCases {
            for n in [0, 1, 3, 4, RPO256Lanes.width - 1, RPO256Lanes.width, RPO256Lanes.width + 1, count] {
                var out = [Digest](repeating: Digest(9, 9, 9, 9), count: n + 1)
                RPO256Batch.merge(pairs: pairs, count: n, into: &out, kernel: kernel)
                #expect(Array(out[..<n]) == Array(expected[..<n]), "\(kernel), \(n) pairs")
                #expect(out[n] == Digest(9, 9, 9, 9), "\(kernel), \(n) pairs: wrote past the end")
            }
        }
    }

    @Test func hashRowsEqualsHashElementsForEveryWidthAndTail() {
        var rng = SplitMix64(seed: 24)
        for width in [0, 1, 2, 7, 8, 9, 16, 17] {
            let count = RPO256Lanes.width + 5
            let rows = (0..<(width * count)).map { _ in Felt(Self.lane(&rng)) }
            let expected = (0..<count).map { i in RPO256.hashElements(Array(rows[(i * width)..<((i + 1) * width)])) }
            for kernel in RPO256Batch.Kernel.allCases {
                for n in [1, 4, count] {
                    var out = [Digest](repeating: Digest(9, 9, 9, 9), count: n)
                    rows.withUnsafeBufferPointer { r in
                        RPO256Batch.hashRows(r.baseAddress ?? UnsafePointer(bitPattern: 8)!, width: width, count: n, into: &out, kernel: kernel)
                    }
                    #expect(out == Array(expected[..<n]), "\(kernel), width \(width), \(n) rows")
                }
            }
        }
    }

    @Test func mergeWithValuesEqualsMergeWithValue() {
        var rng = SplitMix64(seed: 25)
        let seed = Self.digest(&rng)
        // Starts whose values cross p and wrap past 2^64.
        for start: UInt64 in [0, Felt.modulus - 3, UInt64.max - 4] {
            let count = RPO256Lanes.width + 3
            let expected = (0..<count).map { RPO256Hasher.merge(seed, value: start &+ UInt64($0)) }
            for kernel in RPO256Batch.Kernel.allCases {
                var out = [Digest](repeating: .zero, count: count)
                RPO256Batch.merge(seed, valuesFrom: start, count: count, into: &out, kernel: kernel)
                #expect(out == expected, "\(kernel), start \(start)")
            }
        }
    }

    @Test func defaultBatchEntriesLoopOverSingleItems() {
        var rng = SplitMix64(seed: 26)
        let pairs = (0..<10).map { _ in Self.digest(&rng) }
        var merged = [Digest](repeating: .zero, count: 5)
        Blake3Hasher.merge(pairs: pairs, count: 5, into: &merged)
        #expect(merged == (0..<5).map { Blake3Hasher.merge(pairs[2 * $0], pairs[2 * $0 + 1]) })
        let rows = (0..<30).map { _ in Felt(rng.next() % Felt.modulus) }
        var leaves = [Digest](repeating: .zero, count: 3)
        Blake3Hasher.hashRows(rows, width: 10, count: 3, into: &leaves)
        #expect(leaves == (0..<3).map { Blake3Hasher.hashElements(Array(rows[(10 * $0)..<(10 * $0 + 10)])) })
        var values = [Digest](repeating: .zero, count: 4)
        Blake3Hasher.merge(pairs[0], valuesFrom: 7, count: 4, into: &values)
        #expect(values == (0..<4).map { Blake3Hasher.merge(pairs[0], value: 7 + UInt64($0)) })
    }

    @Test func treeOverRowsEqualsTreeOverSingleLeafHashes() {
        // 4096 leaves: two 2048-leaf subtrees and the level above them, on 2 threads.
        var rng = SplitMix64(seed: 27)
        let n = 4096, width = 3
        let rows = (0..<(n * width)).map { _ in Felt(rng.next() % Felt.modulus) }
        let tree = rows.withUnsafeBufferPointer { r in
            MerkleTree<RPO256Hasher>(rowCount: n, width: width, threads: 2) { i, out in
                out.update(from: r.baseAddress! + i * width, count: width)
            }
        }
        var level = (0..<n).map { RPO256.hashElements(Array(rows[(width * $0)..<(width * $0 + width)])) }
        #expect(tree.leaf(0) == level[0] && tree.leaf(n - 1) == level[n - 1])
        while level.count > 1 {
            level = (0..<(level.count / 2)).map { RPO256.merge(level[2 * $0], level[2 * $0 + 1]) }
        }
        #expect(tree.root == level[0])
    }

    @Test func kernelTimingIsMeasured() {
        let timing = RPO256Batch.measureKernels(rounds: 1)
        #expect(timing.scalarNanoseconds > 0 && timing.scalarNanoseconds.isFinite)
        #expect(timing.vectorNanoseconds > 0 && timing.vectorNanoseconds.isFinite)
    }
}

extension RPO256.State {
    /// Raw lane `j`.
    func lanes(_ j: Int) -> UInt64 {
        var copy = self
        return copy.withLanes { $0[j] }
    }
}
