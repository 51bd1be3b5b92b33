import STARK

/// An authentication path in a binary Merkle tree whose inner nodes are `Hash.merge(left, right)`:
/// the siblings of the nodes on the way from a leaf to the root, bottom-up.
///
/// `siblings[0]` is the sibling of the leaf itself and `siblings[depth − 1]` a child of the root,
/// so a tree with 2^d leaves has paths of `depth == d` siblings (depth 0: the leaf is the root).
/// Bit h of the leaf index (from the least significant) says on which side the node at height h
/// sits: 0 means it is a left child (`merge(node, sibling)`), 1 a right child (`merge(sibling, node)`).
public struct MerklePath: Hashable, Sendable, CustomStringConvertible {
    /// The largest depth a path may have: leaf indices are 64-bit.
    public static let maxDepth = 64

    /// The siblings bottom-up: `siblings[h]` is the sibling of the node at height h.
    public var siblings: [Word]

    /// A path from its siblings, bottom-up (at most 64 of them).
    public init(siblings: [Word]) {
        precondition(siblings.count <= MerklePath.maxDepth, "a Merkle path has at most 64 siblings")
        self.siblings = siblings
    }

    /// The number of siblings, i.e. the depth of the tree (log2 of its leaf count).
    public var depth: Int { siblings.count }

    /// True if `index` addresses a leaf of a tree of this depth (index < 2^depth).
    public func contains(index: UInt64) -> Bool {
        depth >= 64 || index >> UInt64(depth) == 0
    }

    /// The root of the tree whose leaf `index` is `leaf` (the leaf is taken as-is, not hashed).
    ///
    /// - Precondition: `index < 2^depth` (an index out of range would otherwise alias a valid one).
    public func computeRoot(leaf: Word, index: UInt64) -> Word {
        precondition(contains(index: index), "leaf index \(index) out of range for a path of depth \(depth)")
        var node = leaf
        var i = index
        for sibling in siblings {
            node = (i & 1 == 0) ? Hash.merge(node, sibling) : Hash.merge(sibling, node)
            i >>= 1
        }
        return node
    }

    /// `computeRoot(leaf:index:)` for an `Int` index (must be ≥ 0).
    public func computeRoot(leaf: Word, index: Int) -> Word {
        precondition(index >= 0, "leaf index must be non-negative")
        return computeRoot(leaf: leaf, index: UInt64(index))
    }

    /// True if `leaf` at position `index` and this path lead to `root`; false as well if `index`
    /// is out of range for the path's depth.
    public func verify(root: Word, leaf: Word, index: UInt64) -> Bool {
        guard contains(index: index) else { return false }
        return computeRoot(leaf: leaf, index: index) == root
    }

    /// `verify(root:leaf:index:)` for an `Int` index (a negative index fails).
    public func verify(root: Word, leaf: Word, index: Int) -> Bool {
        guard index >= 0 else { return false }
        return verify(root: root, leaf: leaf, index: UInt64(index))
    }

    public var description: String {
        "MerklePath(depth: \(depth), siblings: [" + siblings.map(\.description).joined(separator: ", ") + "])"
    }
}
