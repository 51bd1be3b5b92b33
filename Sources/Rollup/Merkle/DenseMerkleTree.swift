import STARK

/// A complete binary Merkle tree over a power-of-two number of Word leaves (PROTOCOL.md "Trees"):
/// leaves are taken as-is (not hashed) and every inner node is `Hash.merge(left, right)`.
///
/// Used for the output-note tree of a batch (leaves = note ids) and the note root of a block
/// (leaves = the batches' note-tree roots). A single leaf is its own root.
///
/// Nodes are stored heap-style: `nodes[1]` is the root, the children of node k are 2k and
/// 2k + 1, and leaf i is `nodes[leafCount + i]` (`nodes[0]` is unused).
///
/// The root does not commit to the leaf count: a tree padded with zero leaves has the same root
/// as one built from the padded list, and the tree over [a, b, c, d] has the same root as the
/// tree over [merge(a, b), merge(c, d)] (leaves and inner nodes are both Words). Whoever needs
/// the leaf count bound must bind it separately.
public struct DenseMerkleTree: Hashable, Sendable {
    /// The number of leaves, a power of two ≥ 1.
    public let leafCount: Int
    /// Heap-ordered nodes, 2·leafCount of them.
    @usableFromInline var nodes: [Word]

    /// Builds the tree over `leaves`, whose count must be a power of two ≥ 1
    /// (use `padded(_:)` or `init(padding:)` for any other count).
    public init(leaves: [Word]) {
        let n = leaves.count
        precondition(n > 0 && n & (n - 1) == 0, "a dense Merkle tree needs a power-of-two number (≥ 1) of leaves, got \(n)")
        leafCount = n
        var nodes = [Word](repeating: .zero, count: 2 * n)
        for i in 0..<n { nodes[n + i] = leaves[i] }
        var k = n - 1
        while k >= 1 {
            nodes[k] = Hash.merge(nodes[2 * k], nodes[2 * k + 1])
            k -= 1
        }
        self.nodes = nodes
    }

    /// Builds the tree over `padded(leaves)`: any count, padded with `Word.zero` leaves.
    public init(padding leaves: [Word]) {
        self.init(leaves: DenseMerkleTree.padded(leaves))
    }

    /// `leaves` followed by `Word.zero` leaves up to the next power of two (a power-of-two count
    /// is returned unchanged; the empty list becomes the single leaf `Word.zero`, whose tree has
    /// root `Word.zero`). Zero is also the empty leaf of the sparse trees, so the zero padding
    /// under a node of height h hashes to the empty-subtree root E_h.
    public static func padded(_ leaves: [Word]) -> [Word] {
        var count = 1
        while count < leaves.count { count <<= 1 }
        return leaves + [Word](repeating: .zero, count: count - leaves.count)
    }

    /// log2(leafCount): the number of siblings in every path.
    public var depth: Int { leafCount.trailingZeroBitCount }

    /// The root.
    public var root: Word { nodes[1] }

    /// The leaves in order.
    public var leaves: [Word] { Array(nodes[leafCount...]) }

    /// Leaf `index` (0 ≤ index < leafCount).
    public func leaf(_ index: Int) -> Word {
        precondition(index >= 0 && index < leafCount, "leaf index \(index) out of range 0..<\(leafCount)")
        return nodes[leafCount + index]
    }

    /// The authentication path of leaf `index` (0 ≤ index < leafCount): its `depth` siblings bottom-up.
    public func path(_ index: Int) -> MerklePath {
        precondition(index >= 0 && index < leafCount, "leaf index \(index) out of range 0..<\(leafCount)")
        var siblings = [Word]()
        siblings.reserveCapacity(depth)
        var k = leafCount + index
        while k > 1 {
            siblings.append(nodes[k ^ 1])
            k >>= 1
        }
        return MerklePath(siblings: siblings)
    }
}
