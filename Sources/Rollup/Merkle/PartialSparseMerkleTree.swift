import STARK

/// The part of a depth-64 sparse Merkle tree that a set of authentication paths reveals: enough
/// to replace the opened leaves one after another and know every intermediate root and path.
///
/// A block prover gets one path per updated leaf, all against the previous root; after the first
/// update the later paths are stale. Keeping every node the paths reveal (each path's nodes and
/// siblings) makes them current again: a sibling of one path that lies on another path is that
/// path's node, and is rewritten when that leaf changes.
public struct PartialSparseMerkleTree: Sendable {
    /// A node position: height above the leaves (0 = leaf, 64 = root) and index at that height.
    struct Position: Hashable {
        var height: UInt8
        var index: UInt64
    }

    public private(set) var root: Word
    private var nodes: [Position: Word] = [:]

    /// An empty view of the tree with root `root`.
    public init(root: Word) { self.root = root }

    /// Adds leaf `index` with its path; throws unless the path leads from `leaf` to the root.
    public mutating func add(index: UInt64, leaf: Word, path: MerklePath) throws(ProtocolError) {
        try insert(PartialSparseMerkleTree.reveal(index: index, leaf: leaf, path: path))
    }

    /// Adds many leaves with their paths, hashing the paths on up to `threads` threads; throws for
    /// the first leaf (in order) whose path fails, its message prefixed with `name(k)`.
    public mutating func add(_ leaves: [(index: UInt64, leaf: Word, path: MerklePath)], threads: Int,
                             name: (Int) -> String) throws(ProtocolError) {
        var revealed = [Revealed?](repeating: nil, count: leaves.count)
        revealed.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out.baseAddress!)
            Parallel.forRanges(leaves.count, threads: threads, minChunk: 16) { range in
                for k in range {
                    let l = leaves[k]
                    shared.value[k] = PartialSparseMerkleTree.reveal(index: l.index, leaf: l.leaf, path: l.path)
                }
            }
        }
        for (k, r) in revealed.enumerated() {
            do { try insert(r!) } catch { throw .invalid("\(name(k)): \(error.description)") }
        }
    }

    /// The nodes one path reveals and the root it leads to (nil root: not a depth-64 path).
    struct Revealed {
        var nodes: [(Position, Word)]
        var root: Word?
    }

    static func reveal(index: UInt64, leaf: Word, path: MerklePath) -> Revealed {
        guard path.depth == SparseMerkleTree.depth else { return Revealed(nodes: [], root: nil) }
        var nodes: [(Position, Word)] = []
        nodes.reserveCapacity(2 * SparseMerkleTree.depth)
        var node = leaf
        for h in 0..<SparseMerkleTree.depth {
            let at = index >> UInt64(h)
            let sibling = path.siblings[h]
            nodes.append((Position(height: UInt8(h), index: at), node))
            nodes.append((Position(height: UInt8(h), index: at ^ 1), sibling))
            node = at & 1 == 0 ? Hash.merge(node, sibling) : Hash.merge(sibling, node)
        }
        return Revealed(nodes: nodes, root: node)
    }

    private mutating func insert(_ revealed: Revealed) throws(ProtocolError) {
        guard let reached = revealed.root else {
            throw .invalid("a sparse tree path has \(SparseMerkleTree.depth) siblings")
        }
        guard reached == root else { throw .invalid("the path does not lead to the tree's root") }
        for (position, value) in revealed.nodes {
            if let known = nodes[position], known != value { throw .invalid("the path disagrees with another path of the same tree") }
            nodes[position] = value
        }
    }

    /// Replaces leaf `index` (added before) with `leaf` and returns the path it was replaced along
    /// (siblings bottom-up, as they are now).
    @discardableResult
    public mutating func update(index: UInt64, leaf: Word) -> [Word] {
        var siblings: [Word] = []
        siblings.reserveCapacity(SparseMerkleTree.depth)
        var node = leaf
        for h in 0..<SparseMerkleTree.depth {
            let at = index >> UInt64(h)
            nodes[Position(height: UInt8(h), index: at)] = node
            guard let sibling = nodes[Position(height: UInt8(h), index: at ^ 1)] else {
                preconditionFailure("leaf \(index) was not added before its update")
            }
            siblings.append(sibling)
            node = at & 1 == 0 ? Hash.merge(node, sibling) : Hash.merge(sibling, node)
        }
        root = node
        return siblings
    }
}
