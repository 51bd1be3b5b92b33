import Testing
@testable import STARK
@testable import Rollup

/// The partial tree's batched operations against the one-at-a-time ones: neighbouring leaves (whose paths hold each other's nodes), far leaves, the field's
/// edge indices, and one leaf updated twice.
@Suite struct PartialSparseMerkleTreeTests {
    static let indices: [UInt64] = [4, 5, 6, 7, 1 << 40, (1 << 40) + 1, Felt.modulus - 1, Felt.modulus - 2, 12_345, 0]

    static func tree() -> (tree: SparseMerkleTree, entries: [SparseMerkleTree.Entry]) {
        var rng = WitnessRNG(seed: 41)
        let entries = indices.map { i in
            SparseMerkleTree.Entry(key: Word(rng.felt(), rng.felt(), rng.felt(), Felt(i)), value: rng.word())
        }
        return (SparseMerkleTree(entries: entries), entries)
    }

    static func opened(_ tree: SparseMerkleTree, _ entries: [SparseMerkleTree.Entry]) -> [(index: UInt64, leaf: Word, path: MerklePath)] {
        entries.map { e in
            let (leafEntries, path) = tree.openLeaf(e.key)
            return (SparseMerkleTree.leafIndex(of: e.key), SparseMerkleTree.leafHash(leafEntries), path)
        }
    }

    @Test func batchedUpdatesEqualOneAtATime() throws {
        let (tree, entries) = Self.tree()
        var rng = WitnessRNG(seed: 42)
        // Every leaf once, in a scrambled order, then leaf 5 again.
        let order = [3, 0, 9, 1, 6, 2, 7, 4, 8, 5, 1]
        let updates = order.map { (index: SparseMerkleTree.leafIndex(of: entries[$0].key), leaf: rng.word()) }
        for threads in [1, 2] {
            var single = PartialSparseMerkleTree(root: tree.root)
            var batched = PartialSparseMerkleTree(root: tree.root)
            try batched.add(Self.opened(tree, entries), threads: threads) { "leaf \($0)" }
            for o in Self.opened(tree, entries) { try single.add(index: o.index, leaf: o.leaf, path: o.path) }
            let results = batched.update(updates, threads: threads)
            #expect(results.count == updates.count)
            for (k, u) in updates.enumerated() {
                let rootBefore = single.root
                let siblings = single.update(index: u.index, leaf: u.leaf)
                #expect(results[k].siblings == siblings, "update \(k), \(threads) thread(s)")
                #expect(results[k].rootBefore == rootBefore, "update \(k), \(threads) thread(s)")
            }
            #expect(batched.root == single.root)
            // Both partial trees stay usable: one more update agrees.
            let extra = Word(Felt(9), Felt(8), Felt(7), Felt(6))
            #expect(batched.update(index: 4, leaf: extra) == single.update(index: 4, leaf: extra))
            #expect(batched.root == single.root)
        }
    }

    @Test func batchedAddRefusesWhatSingleAddRefuses() throws {
        let (tree, entries) = Self.tree()
        var opened = Self.opened(tree, entries)
        // A wrong leaf at position 6, a short path at 8: the first (in order) is named.
        opened[6].leaf = Word(Felt(1), .zero, .zero, .zero)
        opened[8].path = MerklePath(siblings: Array(opened[8].path.siblings.dropLast()))
        var partial = PartialSparseMerkleTree(root: tree.root)
        #expect(throws: ProtocolError.invalid("leaf 6: the path does not lead to the tree's root")) {
            try partial.add(opened, threads: 2) { "leaf \($0)" }
        }
        opened[6] = Self.opened(tree, entries)[6]
        var again = PartialSparseMerkleTree(root: tree.root)
        #expect(throws: ProtocolError.invalid("leaf 8: a sparse tree path has 64 siblings")) {
            try again.add(opened, threads: 1) { "leaf \($0)" }
        }
        // A sibling that contradicts another path's node.
        var contradicting = Self.opened(tree, entries)
        var siblings = contradicting[1].path.siblings
        siblings[0] = Word(Felt(3), .zero, .zero, .zero)
        contradicting[1].path = MerklePath(siblings: siblings)
        var third = PartialSparseMerkleTree(root: tree.root)
        #expect(throws: ProtocolError.self) { try third.add(contradicting, threads: 2) { "leaf \($0)" } }
    }
}
