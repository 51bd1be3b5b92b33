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
    /// the first leaf (in order) whose path fails, its message prefixed with `name(k)`. The paths
    /// are walked level by level, each level's merges hashed as one batch (`RPO256Batch`).
    public mutating func add(_ leaves: [(index: UInt64, leaf: Word, path: MerklePath)], threads: Int,
                             name: (Int) -> String) throws(ProtocolError) {
        let depth = SparseMerkleTree.depth
        let walked = leaves.indices.filter { leaves[$0].path.depth == depth }
        // nodes[k·depth + h]: path k's node at height h; the root it reaches after the last level.
        var pathNodes = [Digest](repeating: .zero, count: walked.count * depth)
        var current = walked.map { leaves[$0].leaf.digest }
        var pairs = [Digest](repeating: .zero, count: 2 * walked.count)
        for h in 0..<depth {
            for (k, l) in walked.enumerated() {
                let sibling = leaves[l].path.siblings[h].digest
                pathNodes[k * depth + h] = current[k]
                let left = (leaves[l].index >> UInt64(h)) & 1 == 0
                pairs[2 * k] = left ? current[k] : sibling
                pairs[2 * k + 1] = left ? sibling : current[k]
            }
            Self.mergeAll(&pairs, into: &current, threads: threads)
        }
        var walkedSlot = [Int?](repeating: nil, count: leaves.count)
        for (k, l) in walked.enumerated() { walkedSlot[l] = k }
        for (l, leaf) in leaves.enumerated() {
            var revealed = Revealed(nodes: [], root: nil)
            if let k = walkedSlot[l] {
                revealed.root = Word(current[k])
                revealed.nodes.reserveCapacity(2 * depth)
                for h in 0..<depth {
                    let at = leaf.index >> UInt64(h)
                    revealed.nodes.append((Position(height: UInt8(h), index: at), Word(pathNodes[k * depth + h])))
                    revealed.nodes.append((Position(height: UInt8(h), index: at ^ 1), leaf.path.siblings[h]))
                }
            }
            do { try insert(revealed) } catch { throw .invalid("\(name(l)): \(error.description)") }
        }
    }

    /// out[i] = merge(pairs[2i], pairs[2i + 1]) for every i, in parallel batches.
    private static func mergeAll(_ pairs: inout [Digest], into out: inout [Digest], threads: Int) {
        let count = out.count
        pairs.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                let shared = UncheckedSendable((p.baseAddress!, o.baseAddress!))
                Parallel.forRanges(count, threads: threads, minChunk: 64) { range in
                    let (p, o) = shared.value
                    RPO256Batch.merge(pairs: p + 2 * range.lowerBound, count: range.count, into: o + range.lowerBound)
                }
            }
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

    /// Replaces the leaves one after another, in order (each added before), as `update(index:leaf:)`
    /// would, and returns for each the path it was replaced along (siblings bottom-up, as they
    /// were then) and the root before it. Level by level: at height h, update i's sibling is the
    /// node the latest earlier update wrote there, else the node as it was; every update's merge
    /// at that height is then hashed in one parallel batch (`RPO256Batch`).
    public mutating func update(_ updates: [(index: UInt64, leaf: Word)], threads: Int) -> [(siblings: [Word], rootBefore: Word)] {
        let depth = SparseMerkleTree.depth
        let m = updates.count
        guard m > 0 else { return [] }
        var current = updates.map { $0.leaf.digest }
        var siblings = [Digest](repeating: .zero, count: m * depth)
        var pairs = [Digest](repeating: .zero, count: 2 * m)
        for h in 0..<depth {
            var written: [UInt64: Digest] = [:]
            written.reserveCapacity(m)
            for i in 0..<m {
                let at = updates[i].index >> UInt64(h)
                guard let sibling = written[at ^ 1] ?? nodes[Position(height: UInt8(h), index: at ^ 1)]?.digest else {
                    preconditionFailure("leaf \(updates[i].index) was not added before its update")
                }
                siblings[i * depth + h] = sibling
                written[at] = current[i]
                let left = at & 1 == 0
                pairs[2 * i] = left ? current[i] : sibling
                pairs[2 * i + 1] = left ? sibling : current[i]
            }
            for (index, value) in written { nodes[Position(height: UInt8(h), index: index)] = Word(value) }
            Self.mergeAll(&pairs, into: &current, threads: threads)
        }
        // current[i] is now the root after update i.
        let results = (0..<m).map { i in
            (siblings: (0..<depth).map { Word(siblings[i * depth + $0]) }, rootBefore: i == 0 ? root : Word(current[i - 1]))
        }
        root = Word(current[m - 1])
        return results
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
