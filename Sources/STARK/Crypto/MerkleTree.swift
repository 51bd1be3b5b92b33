/// A binary Merkle tree over a power-of-two number of leaf digests, with batched multi-openings.
///
/// Nodes are stored heap-style: `nodes[1]` is the root and leaf i is `nodes[leafCount + i]`.
/// Inner levels are hashed in parallel; the layout (and so the root) does not depend on threads.
public struct MerkleTree<H: StarkHasher>: Sendable {
    public let leafCount: Int
    @usableFromInline var nodes: [Digest]

    /// Builds the tree over `leaves` (count must be a power of two).
    public init(leaves: [Digest], threads: Int = 1) {
        self.init(leafCount: leaves.count, threads: threads) { range, out in
            leaves.withUnsafeBufferPointer { lv in
                out.update(from: lv.baseAddress! + range.lowerBound, count: range.count)
            }
        }
    }

    /// Builds the tree over `leafCount` leaves (a power of two) that `hashLeaves(range, out)` writes:
    /// the digests of leaves `range` into `out[0..<range.count]`. Leaves are hashed in cache-sized
    /// subtrees whose inner nodes are computed at once, in parallel; then the levels above them.
    public init(leafCount n: Int, threads: Int = 1, hashLeaves: (Range<Int>, UnsafeMutablePointer<Digest>) -> Void) {
        self.init(leafCount: n, threads: threads, writeLeaves: { _ in }, hashLeaves: hashLeaves)
    }

    /// Builds the tree over `leafCount` leaves (a power of two) that `writeLeaves` stores in place,
    /// in any order, through a pointer to leaf 0 (leaf i at `pointer[i]`; every leaf must be
    /// written): for leaves produced out of order, with no buffer besides the tree. The inner
    /// levels are then hashed as in `init(leafCount:threads:hashLeaves:)`, so the tree is the same.
    public init(leafCount n: Int, threads: Int = 1, writeLeaves: (UnsafeMutablePointer<Digest>) -> Void) {
        self.init(leafCount: n, threads: threads, writeLeaves: writeLeaves, hashLeaves: { _, _ in })
    }

    /// `writeLeaves` on the whole leaf level first, then per subtree `hashLeaves` and its inner
    /// nodes (in parallel), then the levels above the subtree roots.
    private init(
        leafCount n: Int, threads: Int, writeLeaves: (UnsafeMutablePointer<Digest>) -> Void,
        hashLeaves: (Range<Int>, UnsafeMutablePointer<Digest>) -> Void
    ) {
        precondition(n > 0 && n & (n - 1) == 0, "Merkle tree needs a power-of-two number of leaves")
        leafCount = n
        let subtreeLeaves = min(n, 1 << 11)
        nodes = [Digest](unsafeUninitializedCapacity: 2 * n) { buffer, initialized in
            let base = buffer.baseAddress!
            base.initialize(to: .zero)
            writeLeaves(base + n)  // a trivial type: assigning initializes
            let shared = UncheckedSendable(base)
            withoutActuallyEscaping(hashLeaves) { hash in
                let hasher = UncheckedSendable(hash)
                Parallel.forRanges(n / subtreeLeaves, threads: threads, minChunk: 1) { subtrees in
                    let p = shared.value
                    for t in subtrees {
                        let lo = t * subtreeLeaves
                        hasher.value(lo..<(lo + subtreeLeaves), p + n + lo)
                        var first = (n + lo) >> 1
                        var count = subtreeLeaves >> 1
                        while count >= 1 {
                            H.merge(pairs: p + 2 * first, count: count, into: p + first)
                            first >>= 1
                            count >>= 1
                        }
                    }
                }
            }
            // Levels above the subtree roots.
            var levelStart = (n / subtreeLeaves) >> 1
            while levelStart >= 1 {
                let start = levelStart
                Parallel.forRanges(start, threads: threads, minChunk: 1 << 10) { range in
                    let p = shared.value
                    let i = start + range.lowerBound
                    H.merge(pairs: p + 2 * i, count: range.count, into: p + i)
                }
                levelStart >>= 1
            }
            initialized = 2 * n
        }
    }

    /// The root digest (the leaf itself for a one-leaf tree).
    public var root: Digest { nodes[1] }

    /// The depth (number of levels below the root).
    public var depth: Int { leafCount.trailingZeroBitCount }

    /// The leaf digest at `index`.
    public func leaf(_ index: Int) -> Digest { nodes[leafCount + index] }

    /// A batched opening of the leaves at `positions` (sorted, unique): every sibling node not
    /// derivable from the opened leaves, level by level from the leaves up, each sent once.
    public func open(positions: [Int]) -> [Digest] {
        var proof: [Digest] = []
        var level = positions.map { $0 + leafCount }
        while level.first.map({ $0 > 1 }) ?? false {
            var parents: [Int] = []
            parents.reserveCapacity(level.count)
            var k = 0
            while k < level.count {
                let i = level[k]
                if i & 1 == 0, k + 1 < level.count, level[k + 1] == i + 1 {
                    k += 2
                } else {
                    proof.append(nodes[i ^ 1])
                    k += 1
                }
                parents.append(i >> 1)
            }
            level = parents
        }
        return proof
    }

    /// Recomputes the root from opened leaves and a batched opening; nil if the proof is malformed
    /// (too few or too many nodes, positions out of range or not strictly increasing, or a leaf or
    /// node that is not a canonical digest of `H`, which would otherwise be reduced when hashed).
    public static func root(
        leafCount: Int, positions: [Int], leaves: [Digest], proof: [Digest]
    ) -> Digest? {
        guard leafCount > 0, leafCount & (leafCount - 1) == 0, positions.count == leaves.count,
              !positions.isEmpty else { return nil }
        guard leaves.allSatisfy(H.isCanonical), proof.allSatisfy(H.isCanonical) else { return nil }
        var prev = -1
        for p in positions {
            guard p > prev, p < leafCount else { return nil }
            prev = p
        }
        var indices = positions.map { $0 + leafCount }
        var values = leaves
        var cursor = 0
        while indices[0] > 1 {
            var nextIndices: [Int] = []
            var nextValues: [Digest] = []
            nextIndices.reserveCapacity(indices.count)
            nextValues.reserveCapacity(indices.count)
            var k = 0
            while k < indices.count {
                let i = indices[k]
                let parent: Digest
                if i & 1 == 0, k + 1 < indices.count, indices[k + 1] == i + 1 {
                    parent = H.merge(values[k], values[k + 1])
                    k += 2
                } else {
                    guard cursor < proof.count else { return nil }
                    let sibling = proof[cursor]
                    cursor += 1
                    parent = i & 1 == 0 ? H.merge(values[k], sibling) : H.merge(sibling, values[k])
                    k += 1
                }
                nextIndices.append(i >> 1)
                nextValues.append(parent)
            }
            indices = nextIndices
            values = nextValues
        }
        guard cursor == proof.count else { return nil }
        return values[0]
    }

    /// Checks a batched opening against `root` (which must be a canonical digest of `H`).
    public static func verify(
        root: Digest, leafCount: Int, positions: [Int], leaves: [Digest], proof: [Digest]
    ) -> Bool {
        H.isCanonical(root) && Self.root(leafCount: leafCount, positions: positions, leaves: leaves, proof: proof) == root
    }
}
