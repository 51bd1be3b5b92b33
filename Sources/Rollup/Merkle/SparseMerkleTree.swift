import STARK

/// A sparse Merkle tree of depth 64 from Words to Words in Miden's layout (PROTOCOL.md "Trees"):
/// the account tree (key `[0, 0, 0, id]`, value = account commitment) and the nullifier tree
/// (key = nullifier, value `[block_num, 0, 0, 0]`).
///
/// Layout:
/// * The entry `key → value` lives in the leaf at index `key[3].value` (the full 64-bit value of
///   the fourth element); leaf i sits at depth 64, the root at depth 0.
/// * A leaf hashes to `[0, 0, 0, 0]` when empty, to `merge(key, value)` with one entry, and with
///   several entries (different keys sharing `key[3]`) to `hash_elements(k1 ‖ v1 ‖ k2 ‖ v2 ‖ …)`
///   with the entries in increasing key order (`keyPrecedes`: e3 first, then e2, e1, e0).
/// * An inner node is `merge(left, right)`; a subtree with only empty leaves whose root is at
///   height h hashes to `emptyRoots[h]`.
/// * The value `Word.zero` means "absent": inserting it removes the entry.
///
/// Storage is proportional to the entries: the non-empty leaves, and per depth the inner nodes
/// (and leaf hashes) that differ from the empty-subtree root of their height. An update rehashes
/// the leaf and the 64 nodes above it (65 permutations; none is spent on all-empty subtrees).
public struct SparseMerkleTree: Sendable {
    /// One key → value pair stored in a leaf.
    public struct Entry: Hashable, Sendable, CustomStringConvertible {
        public var key: Word
        public var value: Word

        public init(key: Word, value: Word) {
            self.key = key
            self.value = value
        }

        public var description: String { "\(key) → \(value)" }
    }

    /// The depth of the tree: leaves are at depth 64, the root at depth 0.
    public static let depth = 64

    /// The roots of all-empty subtrees by height: `emptyRoots[0]` = `[0, 0, 0, 0]` (an empty leaf),
    /// `emptyRoots[h + 1]` = `merge(emptyRoots[h], emptyRoots[h])`, up to `emptyRoots[64]`, the
    /// root of the empty tree.
    public static let emptyRoots: [Word] = {
        var roots = [Word.zero]
        roots.reserveCapacity(depth + 1)
        for h in 0..<depth { roots.append(Hash.merge(roots[h], roots[h])) }
        return roots
    }()

    /// The non-empty leaves by index, entries sorted by `keyPrecedes`, none with a zero value.
    private var leaves: [UInt64: [Entry]] = [:]
    /// `nodes[d][i]`: the hash of node i at depth d (1 ≤ d ≤ 64; depth 64 holds leaf hashes),
    /// stored only when it differs from `emptyRoots[64 − d]`. `nodes[0]` stays empty (see `root`).
    private var nodes: [[UInt64: Word]] = Array(repeating: [:], count: depth + 1)

    /// The root of the tree.
    public private(set) var root: Word = SparseMerkleTree.emptyRoots[depth]

    /// The number of entries (keys with a non-zero value).
    public private(set) var count: Int = 0

    /// The empty tree; its root is `emptyRoots[64]`.
    public init() {}

    /// A tree holding `entries` (later entries overwrite earlier ones with the same key; zero values
    /// are skipped), built with `insert(contentsOf:threads:)`.
    public init<S: Sequence>(entries: S, threads: Int = 1) where S.Element == Entry {
        self.init()
        insert(contentsOf: entries, threads: threads)
    }

    /// True if the tree holds no entry.
    public var isEmpty: Bool { count == 0 }

    /// The number of non-empty leaves.
    public var leafCount: Int { leaves.count }

    // MARK: - Layout

    /// The index of the leaf that holds `key`: `key[3]` as a 64-bit integer.
    @inlinable
    public static func leafIndex(of key: Word) -> UInt64 { key.e3.value }

    /// The order of entries inside a multi-entry leaf (Miden's `cmp_keys`): compare the elements'
    /// canonical values from the most significant e3 down to e0; the first difference decides.
    public static func keyPrecedes(_ a: Word, _ b: Word) -> Bool {
        if a.e3 != b.e3 { return a.e3.value < b.e3.value }
        if a.e2 != b.e2 { return a.e2.value < b.e2.value }
        if a.e1 != b.e1 { return a.e1.value < b.e1.value }
        return a.e0.value < b.e0.value
    }

    /// The hash of a leaf holding `entries` (sorted by `keyPrecedes`): `[0, 0, 0, 0]` if empty,
    /// `merge(key, value)` for one entry, `hash_elements(k1 ‖ v1 ‖ k2 ‖ v2 ‖ …)` for several.
    public static func leafHash(_ entries: [Entry]) -> Word {
        switch entries.count {
        case 0:
            return .zero
        case 1:
            return Hash.merge(entries[0].key, entries[0].value)
        default:
            var elements = [Felt]()
            elements.reserveCapacity(8 * entries.count)
            for entry in entries {
                elements.append(contentsOf: [entry.key.e0, entry.key.e1, entry.key.e2, entry.key.e3,
                                             entry.value.e0, entry.value.e1, entry.value.e2, entry.value.e3])
            }
            return Hash.elements(elements)
        }
    }

    /// True if `entries` is a well-formed leaf at `index`: every key maps to `index`, keys strictly
    /// increase in `keyPrecedes` order (so they are unique), and no value is zero.
    public static func isWellFormedLeaf(_ entries: [Entry], index: UInt64) -> Bool {
        for (k, entry) in entries.enumerated() {
            guard leafIndex(of: entry.key) == index, entry.value != .zero else { return false }
            if k > 0, !keyPrecedes(entries[k - 1].key, entry.key) { return false }
        }
        return true
    }

    /// The root of the tree in which leaf `index` holds `leafEntries` and whose other nodes are
    /// given by `path` (the 64 siblings bottom-up, as from `openLeaf`), or nil if the leaf is not
    /// well formed (`isWellFormedLeaf`) or the path does not have 64 siblings.
    ///
    /// A verifier checks an update with one path: `computeRoot(old leaf, path) == old root` and
    /// `computeRoot(new leaf, path) == new root`.
    public static func computeRoot(leafEntries: [Entry], index: UInt64, path: MerklePath) -> Word? {
        guard path.depth == depth, isWellFormedLeaf(leafEntries, index: index) else { return nil }
        return path.computeRoot(leaf: leafHash(leafEntries), index: index)
    }

    // MARK: - Reading

    /// The value stored under `key`, `Word.zero` if absent.
    public func get(_ key: Word) -> Word {
        guard let entries = leaves[Self.leafIndex(of: key)] else { return .zero }
        for entry in entries where entry.key == key { return entry.value }
        return .zero
    }

    /// The entries of leaf `index` (empty for an empty leaf), sorted by `keyPrecedes`.
    public func leafEntries(at index: UInt64) -> [Entry] { leaves[index] ?? [] }

    /// The authentication path of leaf `index`: its 64 siblings bottom-up.
    public func path(at index: UInt64) -> MerklePath {
        let empty = Self.emptyRoots
        var siblings = [Word]()
        siblings.reserveCapacity(Self.depth)
        var i = index
        for d in stride(from: Self.depth, to: 0, by: -1) {
            siblings.append(nodes[d][i ^ 1] ?? empty[Self.depth - d])
            i >>= 1
        }
        return MerklePath(siblings: siblings)
    }

    /// Opens the leaf that holds (or would hold) `key`: all entries of that leaf, which may
    /// include other keys with the same `key[3]` and need not include `key`, and the path of the
    /// leaf. `computeRoot(leafEntries:index:path:)` on them gives `root`.
    public func openLeaf(_ key: Word) -> (entries: [Entry], path: MerklePath) {
        let index = Self.leafIndex(of: key)
        return (leafEntries(at: index), path(at: index))
    }

    /// All entries, in increasing leaf index, and within a leaf in key order.
    public var entries: [Entry] {
        leaves.keys.sorted().flatMap { leaves[$0]! }
    }

    // MARK: - Updating

    /// Sets `key` to `value` (removing the entry if `value` is zero) and returns the previous
    /// value (`Word.zero` if there was none). Rehashes the leaf and the 64 nodes above it
    /// (65 permutations; nothing if the value does not change).
    @discardableResult
    public mutating func insert(key: Word, value: Word) -> Word {
        let (old, changed) = updateLeaf(key: key, value: value)
        if changed {
            let index = Self.leafIndex(of: key)
            updatePath(index: index, leaf: Self.leafHash(leaves[index] ?? []))
        }
        return old
    }

    /// Applies all `entries` in order, as `insert(key:value:)` one by one would (a later entry
    /// for the same key wins; a zero value removes), but hashes every changed node only once,
    /// level by level, spreading each level over up to `threads` threads. Keys whose paths share
    /// ancestors share their hashing, so a bulk load costs fewer permutations than single inserts.
    public mutating func insert<S: Sequence>(contentsOf entries: S, threads: Int = 1) where S.Element == Entry {
        var dirty = Set<UInt64>()
        for entry in entries where updateLeaf(key: entry.key, value: entry.value).changed {
            dirty.insert(Self.leafIndex(of: entry.key))
        }
        if dirty.isEmpty { return }
        let empty = Self.emptyRoots
        var level = dirty.sorted()
        // Leaf hashes (depth 64).
        let leafMap = leaves, leafIndices = level
        var hashes = Self.parallelMap(level.count, threads: threads) { k in Self.leafHash(leafMap[leafIndices[k]] ?? []) }
        for d in stride(from: Self.depth, to: 0, by: -1) {
            let h = Self.depth - d
            for (k, i) in level.enumerated() {
                if hashes[k] == empty[h] { nodes[d].removeValue(forKey: i) } else { nodes[d][i] = hashes[k] }
            }
            // The distinct parents, in increasing order (`level` is sorted).
            var parents = [UInt64]()
            parents.reserveCapacity(level.count)
            for i in level where parents.last != i >> 1 { parents.append(i >> 1) }
            let children = nodes[d]
            hashes = Self.parallelMap(parents.count, threads: threads) { k in
                let left = children[parents[k] << 1] ?? empty[h]
                let right = children[parents[k] << 1 | 1] ?? empty[h]
                return left == empty[h] && right == empty[h] ? empty[h + 1] : Hash.merge(left, right)
            }
            level = parents
        }
        root = hashes[0]
    }

    /// Removes `key` and returns its previous value (`insert(key:value: .zero)`).
    @discardableResult
    public mutating func remove(_ key: Word) -> Word { insert(key: key, value: .zero) }

    /// Changes the entry for `key` in its leaf (not the hashes); returns the previous value and
    /// whether anything changed.
    private mutating func updateLeaf(key: Word, value: Word) -> (old: Word, changed: Bool) {
        let index = Self.leafIndex(of: key)
        var entries = leaves[index] ?? []
        let old: Word
        if let k = entries.firstIndex(where: { $0.key == key }) {
            old = entries[k].value
            if old == value { return (old, false) }
            if value == .zero {
                entries.remove(at: k)
                count -= 1
            } else {
                entries[k].value = value
            }
        } else {
            old = .zero
            if value == .zero { return (old, false) }
            let k = entries.firstIndex { Self.keyPrecedes(key, $0.key) } ?? entries.count
            entries.insert(Entry(key: key, value: value), at: k)
            count += 1
        }
        leaves[index] = entries.isEmpty ? nil : entries
        return (old, true)
    }

    /// Stores the new hash of leaf `index` and rehashes the nodes above it up to the root.
    private mutating func updatePath(index: UInt64, leaf: Word) {
        let empty = Self.emptyRoots
        var node = leaf
        var i = index
        for d in stride(from: Self.depth, to: 0, by: -1) {
            let h = Self.depth - d  // height of `node`
            if node == empty[h] {
                nodes[d].removeValue(forKey: i)
            } else {
                nodes[d][i] = node
            }
            let sibling = nodes[d][i ^ 1] ?? empty[h]
            if node == empty[h] && sibling == empty[h] {
                node = empty[h + 1]
            } else {
                node = (i & 1 == 0) ? Hash.merge(node, sibling) : Hash.merge(sibling, node)
            }
            i >>= 1
        }
        root = node
    }

    /// `(0..<count).map(body)`, computed on up to `threads` threads in contiguous chunks.
    private static func parallelMap(_ count: Int, threads: Int, _ body: (Int) -> Word) -> [Word] {
        var out = [Word](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedSendable(buffer.baseAddress!)
            Parallel.forRanges(count, threads: threads, minChunk: 64) { range in
                for k in range { base.value[k] = body(k) }
            }
        }
        return out
    }
}
