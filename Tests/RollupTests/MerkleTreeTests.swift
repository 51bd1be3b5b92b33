import Foundation
import Testing
import STARK
@testable import Rollup

// Hash budget: a debug RPO256 permutation costs ~140 µs, so every test here keeps to a few
// hundred permutations (a sparse-tree insert is 65 of them); the random-order test uses more keys
// in release builds than in debug ones.

/// Reproducible random keys and values (the witness generator's SplitMix64), plus shuffling.
extension WitnessRNG {
    /// A uniformly shuffled copy of `xs` (Fisher–Yates).
    mutating func shuffled<T>(_ xs: [T]) -> [T] {
        var out = xs
        if out.count < 2 { return out }
        for i in stride(from: out.count - 1, to: 0, by: -1) {
            out.swapAt(i, Int(next() % UInt64(i + 1)))
        }
        return out
    }
}

/// The empty-subtree roots E_1…E_128 from the RPO256 known-answer vectors
/// (`rpo256.current_v2.merge.empty_subtree_height_H`), indexed by H (index 0 = E_0 = zero word).
private enum EmptySubtreeVectors {
    static let roots: [Word] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("rpo256_vectors.json")
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let vectors = json["vectors"] as? [[String: Any]]
        else { return [] }
        let prefix = "rpo256.current_v2.merge.empty_subtree_height_"
        var byHeight = [Int: Word]()
        for vector in vectors {
            guard let id = vector["id"] as? String, id.hasPrefix(prefix),
                  let height = Int(id.dropFirst(prefix.count)),
                  let expected = vector["expected"] as? [String], expected.count == 4
            else { continue }
            let felts = expected.compactMap { UInt64($0).flatMap { Felt(canonical: $0) } }
            guard felts.count == 4 else { continue }
            byHeight[height] = Word(felts)
        }
        guard byHeight.count == 128, (1...128).allSatisfy({ byHeight[$0] != nil }) else { return [] }
        return [Word.zero] + (1...128).map { byHeight[$0]! }
    }()
}

/// E_h as the test sees it: from the vectors (checked against SparseMerkleTree.emptyRoots below).
private func E(_ h: Int) -> Word { EmptySubtreeVectors.roots[h] }

/// The root of a depth-64 tree whose only non-empty leaf is `leaf` at `index`, by hand:
/// at height h the sibling is E_h, on the left if bit h of the index is 1.
private func handRoot(leaf: Word, index: UInt64) -> Word {
    var node = leaf
    for h in 0..<64 {
        node = (index >> UInt64(h)) & 1 == 0 ? Hash.merge(node, E(h)) : Hash.merge(E(h), node)
    }
    return node
}

private func entry(_ key: Word, _ value: Word) -> SparseMerkleTree.Entry {
    SparseMerkleTree.Entry(key: key, value: value)
}

@Suite struct DenseMerkleTreeTests {
    /// Distinct, recognisable leaves.
    static func leaves(_ n: Int) -> [Word] {
        (0..<n).map { (i: Int) -> Word in
            let base = UInt64(10 * i)
            return Word(Felt(base + 1), Felt(base + 2), Felt(base + 3), Felt(base + 4))
        }
    }

    @Test func rootsMatchHandNestedMerges() {
        let l = Self.leaves(8)
        let m = Hash.merge
        #expect(DenseMerkleTree(leaves: [l[0]]).root == l[0])
        #expect(DenseMerkleTree(leaves: Array(l[0..<2])).root == m(l[0], l[1]))
        #expect(DenseMerkleTree(leaves: Array(l[0..<4])).root == m(m(l[0], l[1]), m(l[2], l[3])))
        let eight = m(m(m(l[0], l[1]), m(l[2], l[3])), m(m(l[4], l[5]), m(l[6], l[7])))
        let tree = DenseMerkleTree(leaves: l)
        #expect(tree.root == eight)
        #expect(tree.depth == 3 && tree.leafCount == 8)
        #expect(tree.leaves == l)
        #expect(tree.leaf(5) == l[5])
    }

    @Test(arguments: [1, 2, 4, 8])
    func everyPathVerifies(count: Int) {
        let tree = DenseMerkleTree(leaves: Self.leaves(count))
        for i in 0..<count {
            let path = tree.path(i)
            #expect(path.depth == tree.depth)
            #expect(path.computeRoot(leaf: tree.leaf(i), index: i) == tree.root)
            #expect(path.verify(root: tree.root, leaf: tree.leaf(i), index: i))
            #expect(path.verify(root: tree.root, leaf: tree.leaf(i), index: UInt64(i)))
            if count > 1 { #expect(path.siblings[0] == tree.leaf(i ^ 1)) }
        }
    }

    @Test func tamperedPathsFail() {
        let tree = DenseMerkleTree(leaves: Self.leaves(8))
        let root = tree.root
        for i in 0..<8 {
            let path = tree.path(i)
            let leaf = tree.leaf(i)
            for level in 0..<path.depth {
                var tampered = path
                tampered.siblings[level].e2 += Felt.one
                #expect(!tampered.verify(root: root, leaf: leaf, index: i))
            }
            #expect(!path.verify(root: root, leaf: leaf, index: i ^ 1))
            #expect(!path.verify(root: root, leaf: leaf, index: 7 - i))
            #expect(!path.verify(root: root, leaf: tree.leaf((i + 1) % 8), index: i))
            #expect(!path.verify(root: root, leaf: Word(leaf.e0, leaf.e1, leaf.e2, leaf.e3 + Felt.one), index: i))
            // Out-of-range indices would alias index i; they are refused.
            #expect(!path.verify(root: root, leaf: leaf, index: i + 8))
            #expect(!path.verify(root: root, leaf: leaf, index: UInt64(i) | (1 << 63)))
            #expect(!path.verify(root: root, leaf: leaf, index: -1))
            // A shortened or lengthened path fails.
            #expect(!MerklePath(siblings: Array(path.siblings.dropLast())).verify(root: root, leaf: leaf, index: i % 4))
            #expect(!MerklePath(siblings: path.siblings + [Word.zero]).verify(root: root, leaf: leaf, index: i))
        }
        // A single-leaf tree: the empty path, only that leaf at index 0.
        let one = DenseMerkleTree(leaves: [Self.leaves(1)[0]])
        #expect(one.path(0).depth == 0)
        #expect(one.path(0).verify(root: one.root, leaf: one.leaf(0), index: 0))
        #expect(!one.path(0).verify(root: one.root, leaf: one.leaf(0), index: 1))
        #expect(!one.path(0).verify(root: one.root, leaf: Word.zero, index: 0))
    }

    @Test func paddingWithZeroLeaves() {
        let l = Self.leaves(5)
        #expect(DenseMerkleTree.padded([]) == [Word.zero])
        #expect(DenseMerkleTree.padded(Array(l[0..<1])) == [l[0]])
        #expect(DenseMerkleTree.padded(Array(l[0..<3])) == Array(l[0..<3]) + [Word.zero])
        #expect(DenseMerkleTree.padded(Array(l[0..<4])) == Array(l[0..<4]))
        #expect(DenseMerkleTree.padded(l) == l + [Word](repeating: .zero, count: 3))
        #expect(DenseMerkleTree(padding: []).root == Word.zero)
        // Zero padding under a node of height h hashes to E_h: [l0, l1, l2, 0] and [l0, l1, 0, 0].
        let three = DenseMerkleTree(padding: Array(l[0..<3]))
        #expect(three.leafCount == 4)
        #expect(three.root == Hash.merge(Hash.merge(l[0], l[1]), Hash.merge(l[2], E(0))))
        #expect(DenseMerkleTree(padding: Array(l[0..<2]) + [Word.zero]).root == Hash.merge(Hash.merge(l[0], l[1]), E(1)))
        let five = DenseMerkleTree(padding: l)
        #expect(five.leafCount == 8)
        #expect(five.path(4).siblings == [E(0), E(1), Hash.merge(Hash.merge(l[0], l[1]), Hash.merge(l[2], l[3]))])
    }
}

@Suite struct SparseMerkleTreeTests {
    #if DEBUG
    /// Keys of the random-order test: each sequential insert costs 65 permutations (~9 ms in debug).
    static let randomKeyCount = 10
    #else
    static let randomKeyCount = 200
    #endif

    @Test func emptyRootsMatchVectors() throws {
        let vectors = EmptySubtreeVectors.roots
        try #require(vectors.count == 129, "128 empty-subtree vectors in Fixtures/rpo256_vectors.json")
        let roots = SparseMerkleTree.emptyRoots
        #expect(roots.count == 65)
        #expect(roots[0] == Word.zero)
        for h in 1...64 { #expect(roots[h] == vectors[h], "E_\(h)") }
        #expect(SparseMerkleTree().root == vectors[64])
        #expect(SparseMerkleTree().isEmpty)
        // An independent merge chain on raw digests up to height 128.
        var node = Digest.zero
        for h in 1...128 {
            node = RPO256.merge(node, node)
            #expect(Word(node) == vectors[h], "E_\(h) by merge chain")
        }
    }

    @Test func singleInsertMatchesHandComputation() {
        var rng = WitnessRNG(seed: 1)
        for index: UInt64 in [0, 0x0123_4567_89AB_CDEF, Felt.modulus - 1] {
            let key = Word(rng.felt(), rng.felt(), rng.felt(), Felt(canonical: index)!)
            let value = rng.word()
            var tree = SparseMerkleTree()
            #expect(tree.insert(key: key, value: value) == Word.zero)
            #expect(tree.root == handRoot(leaf: Hash.merge(key, value), index: index))
            #expect(SparseMerkleTree.leafIndex(of: key) == index)
            #expect(tree.count == 1 && tree.leafCount == 1)
        }
    }

    @Test func insertGetOverwriteRemove() {
        var rng = WitnessRNG(seed: 2)
        let k1 = rng.word(), k2 = rng.word()
        let v1 = rng.word(), v2 = rng.word(), v3 = rng.word()
        let emptyRoot = SparseMerkleTree.emptyRoots[64]

        var tree = SparseMerkleTree()
        #expect(tree.get(k1) == Word.zero)
        #expect(tree.insert(key: k1, value: v1) == Word.zero)
        let rootK1 = tree.root
        #expect(rootK1 != emptyRoot)
        #expect(tree.get(k1) == v1)
        #expect(tree.get(k2) == Word.zero)

        // Overwrite, then the same value again (no change).
        #expect(tree.insert(key: k1, value: v2) == v1)
        #expect(tree.get(k1) == v2)
        let rootK1V2 = tree.root
        #expect(rootK1V2 != rootK1)
        #expect(tree.insert(key: k1, value: v2) == v2)
        #expect(tree.root == rootK1V2)
        #expect(tree.count == 1)

        // A second key, then removing it restores the one-key root.
        #expect(tree.insert(key: k2, value: v3) == Word.zero)
        #expect(tree.count == 2)
        #expect(tree.get(k2) == v3)
        #expect(tree.remove(k2) == v3)
        #expect(tree.root == rootK1V2)
        #expect(tree.get(k2) == Word.zero)

        // Removing an absent key changes nothing; removing the last key restores the empty root.
        #expect(tree.remove(k2) == Word.zero)
        #expect(tree.root == rootK1V2)
        #expect(tree.insert(key: k1, value: Word.zero) == v2)
        #expect(tree.root == emptyRoot)
        #expect(tree.isEmpty && tree.leafCount == 0)
        #expect(tree.get(k1) == Word.zero)
        #expect(tree.openLeaf(k1).path.siblings == Array(SparseMerkleTree.emptyRoots[0..<64]))
    }

    @Test func keyOrderComparesFromTheMostSignificantElement() {
        let big = Felt(canonical: Felt.modulus - 1)!
        #expect(SparseMerkleTree.keyPrecedes(Word(9, 9, 9, 1), Word(0, 0, 0, 2)))
        #expect(SparseMerkleTree.keyPrecedes(Word(9, 0, 5, 7), Word(1, 0, 6, 7)))
        #expect(!SparseMerkleTree.keyPrecedes(Word(1, 0, 6, 7), Word(9, 0, 5, 7)))
        #expect(SparseMerkleTree.keyPrecedes(Word(9, 3, 6, 7), Word(1, 4, 6, 7)))
        #expect(SparseMerkleTree.keyPrecedes(Word(1, 4, 6, 7), Word(2, 4, 6, 7)))
        #expect(SparseMerkleTree.keyPrecedes(Word(0, 0, Felt(1 << 40), 7), Word(0, 0, big, 7)))  // unsigned, not signed
        #expect(!SparseMerkleTree.keyPrecedes(Word(1, 2, 3, 4), Word(1, 2, 3, 4)))
    }

    @Test func leafCollisionHashesAllEntriesInKeyOrder() {
        let index: UInt64 = 0xFFFF_0000_1234_5678
        let x = Felt(canonical: index)!
        // kA precedes kB (e2: 5 < 7) although kA's e0 is larger: the order starts at e3.
        let kA = Word(9, 0, 5, x), kB = Word(1, 0, 7, x)
        let vA = Word(11, 12, 13, 14), vB = Word(21, 22, 23, 24)

        var tree = SparseMerkleTree()
        tree.insert(key: kB, value: vB)
        let rootB = tree.root
        tree.insert(key: kA, value: vA)
        let leaf = Hash.elements(kA.elements + vA.elements + kB.elements + vB.elements)
        #expect(SparseMerkleTree.leafHash([entry(kA, vA), entry(kB, vB)]) == leaf)
        #expect(tree.root == handRoot(leaf: leaf, index: index))
        #expect(tree.get(kA) == vA && tree.get(kB) == vB)
        #expect(tree.count == 2 && tree.leafCount == 1)
        #expect(tree.openLeaf(kB).entries == [entry(kA, vA), entry(kB, vB)])

        // The other insertion order gives the same root.
        var other = SparseMerkleTree()
        other.insert(key: kA, value: vA)
        other.insert(key: kB, value: vB)
        #expect(other.root == tree.root)

        // A third key equal in e3, e2, e1 and ordered by e0 goes in between.
        let kC = Word(5, 0, 5, x), vC = Word(31, 32, 33, 34)
        let beforeC = tree.root
        #expect(tree.insert(key: kC, value: vC) == Word.zero)
        #expect(tree.openLeaf(kA).entries == [entry(kC, vC), entry(kA, vA), entry(kB, vB)])
        #expect(tree.root == handRoot(leaf: Hash.elements(kC.elements + vC.elements + kA.elements + vA.elements + kB.elements + vB.elements), index: index))

        // Removing entries goes back to a two-entry, then a one-entry leaf (merge(key, value)).
        tree.remove(kC)
        #expect(tree.root == beforeC)
        tree.remove(kA)
        #expect(tree.root == rootB)
        #expect(tree.openLeaf(kA).entries == [entry(kB, vB)])
    }

    /// A tree with neighbouring leaves (indices 6 and 7 share a parent) and a two-entry leaf.
    static let sample: (tree: SparseMerkleTree, keys: [Word]) = {
        var rng = WitnessRNG(seed: 3)
        let keys = [
            Word(rng.felt(), rng.felt(), rng.felt(), 6),
            Word(rng.felt(), rng.felt(), rng.felt(), 7),
            Word(1, 2, 3, 7),  // shares leaf 7
            rng.word(),
        ]
        var tree = SparseMerkleTree()
        for key in keys { tree.insert(key: key, value: rng.word()) }
        return (tree, keys)
    }()

    @Test func openLeafAndComputeRootReproduceTheRoot() {
        let (tree, keys) = Self.sample
        // Present keys (keys[1] and keys[2] open the same two-entry leaf).
        for key in [keys[0], keys[1], keys[3]] {
            let (entries, path) = tree.openLeaf(key)
            #expect(entries.contains { $0.key == key && $0.value == tree.get(key) })
            #expect(path.depth == 64)
            #expect(SparseMerkleTree.computeRoot(leafEntries: entries, index: key.e3.value, path: path) == tree.root)
        }
        #expect(tree.openLeaf(keys[1]).entries.count == 2)
        #expect(tree.openLeaf(keys[0]).path.siblings[0] == SparseMerkleTree.leafHash(tree.openLeaf(keys[1]).entries))
        // Absent keys: an empty leaf, and a non-empty leaf without the key.
        for absent in [Word(5, 5, 5, 5), Word(9, 9, 9, 6)] {
            let (entries, path) = tree.openLeaf(absent)
            #expect(!entries.contains { $0.key == absent })
            #expect(tree.get(absent) == Word.zero)
            #expect(SparseMerkleTree.computeRoot(leafEntries: entries, index: absent.e3.value, path: path) == tree.root)
        }
        #expect(tree.openLeaf(Word(5, 5, 5, 5)).entries.isEmpty)

        // What a verifier must refuse or reject.
        let (entries, path) = tree.openLeaf(keys[1])  // leaf 7, two entries
        let compute = { (e: [SparseMerkleTree.Entry], i: UInt64, p: MerklePath) in SparseMerkleTree.computeRoot(leafEntries: e, index: i, path: p) }
        #expect(compute(entries, 6, path) == nil)  // keys do not map to index 6
        #expect(compute(entries.reversed(), 7, path) == nil)  // not in key order
        #expect(compute(entries + [entries[1]], 7, path) == nil)  // duplicate key
        #expect(compute([entry(entries[0].key, .zero)], 7, path) == nil)  // zero value
        #expect(compute(entries, 7, MerklePath(siblings: Array(path.siblings.dropLast()))) == nil)  // 63 siblings
        #expect(compute([entries[0]], 7, path) != tree.root)  // an entry left out
        var tampered = path
        tampered.siblings[40].e0 += Felt.one
        #expect(compute(entries, 7, tampered) != tree.root)
    }

    @Test func oldLeafAndNewLeafShareOnePath() {
        var tree = Self.sample.tree
        let keys = Self.sample.keys
        var rng = WitnessRNG(seed: 4)
        // A new key in an empty leaf, an update, a key joining a leaf, a removal.
        let updates = [(rng.word(), rng.word()), (keys[0], rng.word()), (Word(4, 4, 4, 6), rng.word()), (keys[2], Word.zero)]
        for (key, value) in updates {
            let index = SparseMerkleTree.leafIndex(of: key)
            let oldRoot = tree.root
            let (oldLeaf, path) = tree.openLeaf(key)
            let oldValue = tree.insert(key: key, value: value)
            let (newLeaf, newPath) = tree.openLeaf(key)
            #expect(newPath == path)
            #expect(tree.root != oldRoot)
            #expect(SparseMerkleTree.computeRoot(leafEntries: oldLeaf, index: index, path: path) == oldRoot)
            #expect(SparseMerkleTree.computeRoot(leafEntries: newLeaf, index: index, path: path) == tree.root)
            #expect(oldValue == (oldLeaf.first { $0.key == key }?.value ?? Word.zero))
        }
    }

    @Test func rootDoesNotDependOnInsertionOrder() {
        var rng = WitnessRNG(seed: 5)
        var entries = (0..<Self.randomKeyCount).map { _ in entry(rng.word(), rng.word()) }
        // Two keys sharing a leaf with an earlier one.
        entries.append(entry(Word(rng.felt(), rng.felt(), rng.felt(), entries[0].key.e3), rng.word()))
        entries.append(entry(Word(rng.felt(), rng.felt(), rng.felt(), entries[1].key.e3), rng.word()))

        var first = SparseMerkleTree()
        for e in entries { first.insert(key: e.key, value: e.value) }
        var second = SparseMerkleTree()
        for e in rng.shuffled(entries) { second.insert(key: e.key, value: e.value) }
        #expect(first.root == second.root)
        #expect(first.count == entries.count && second.count == entries.count)
        #expect(first.entries == second.entries)
        for e in entries { #expect(second.get(e.key) == e.value) }

        // The bulk update gives the same tree, on one thread or two.
        #expect(SparseMerkleTree(entries: entries.reversed(), threads: 2).root == first.root)
    }

    @Test func bulkInsertEqualsSequentialInserts() {
        // Clustered indices (0..<8, plus a far one) keep the bulk hashing cheap; a repeated key,
        // a zero value (no entry) and removals through the bulk path.
        var rng = WitnessRNG(seed: 6)
        var entries = (0..<6).map { i in entry(Word(rng.felt(), rng.felt(), rng.felt(), Felt(UInt64(i))), rng.word()) }
        entries.append(entry(Word(7, 7, 7, 3), rng.word()))
        entries.append(entry(rng.word(), rng.word()))
        entries.append(entry(entries[2].key, rng.word()))  // overwrites
        entries.append(entry(Word(8, 8, 8, 8), .zero))  // nothing to remove
        var sequential = SparseMerkleTree()
        for e in entries { sequential.insert(key: e.key, value: e.value) }
        var bulk = SparseMerkleTree(entries: entries, threads: 1)
        #expect(bulk.root == sequential.root)
        #expect(bulk.entries == sequential.entries)
        #expect(bulk.count == 8)

        let removals = [entry(entries[0].key, .zero), entry(entries[6].key, .zero), entry(entries[7].key, .zero)]
        bulk.insert(contentsOf: removals, threads: 2)
        for e in removals { sequential.insert(key: e.key, value: e.value) }
        #expect(bulk.root == sequential.root)
        #expect(bulk.openLeaf(entries[1].key) == sequential.openLeaf(entries[1].key))
        bulk.insert(contentsOf: bulk.entries.map { entry($0.key, .zero) })
        #expect(bulk.root == SparseMerkleTree.emptyRoots[64] && bulk.isEmpty)
    }

    /// Account tree: key `[0, 0, 0, id]`, value = the account commitment.
    @Test func accountTreeUsage() {
        let faucet: Felt = 1000
        let accounts = [
            Account(id: 42, nonce: 0, vault: [FungibleAsset(faucet: faucet, amount: 50)], storage: [], codeRoot: Word(1, 2, 3, 4)),
            Account(id: 43, nonce: 7, vault: [], storage: [Word(5, 6, 7, 8)], codeRoot: Word(1, 2, 3, 4)),
            Account(id: 0x7FFF_0000_0000_0001, nonce: 1, vault: [], storage: [], codeRoot: Word(9, 9, 9, 9)),
        ]
        let key = { (id: Felt) in Word(.zero, .zero, .zero, id) }
        var tree = SparseMerkleTree()
        for account in accounts { tree.insert(key: key(account.id), value: account.commitment) }
        for account in accounts {
            #expect(tree.get(key(account.id)) == account.commitment)
            let (entries, path) = tree.openLeaf(key(account.id))
            #expect(entries == [entry(key(account.id), account.commitment)])
            #expect(SparseMerkleTree.computeRoot(leafEntries: entries, index: account.id.value, path: path) == tree.root)
        }
        // Accounts 42 and 43 are sibling leaves.
        #expect(tree.openLeaf(key(42)).path.siblings[0] == Hash.merge(key(43), accounts[1].commitment))

        // A transaction changes account 42: one path proves old commitment → old root, new → new.
        var updated = accounts[0]
        updated.nonce += Felt.one
        let oldRoot = tree.root
        let (oldLeaf, path) = tree.openLeaf(key(42))
        #expect(tree.insert(key: key(42), value: updated.commitment) == accounts[0].commitment)
        let newLeaf = [entry(key(42), updated.commitment)]
        #expect(SparseMerkleTree.computeRoot(leafEntries: oldLeaf, index: 42, path: path) == oldRoot)
        #expect(SparseMerkleTree.computeRoot(leafEntries: newLeaf, index: 42, path: path) == tree.root)
        #expect(path.computeRoot(leaf: Hash.merge(key(42), updated.commitment), index: 42) == tree.root)
    }

    /// Nullifier tree: key = nullifier, value `[block_num, 0, 0, 0]`; a nullifier goes from an
    /// empty leaf to the block number exactly once.
    @Test func nullifierTreeUsage() {
        let faucet: Felt = 1000
        let notes = (0..<3).map { i in
            Note.payToID(target: 42, serialNumber: Word(Felt(UInt64(i)), 1, 2, 3), assets: [FungibleAsset(faucet: faucet, amount: 10)], sender: 7)
        }
        let spentAt = { (block: UInt64) in Word(Felt(block), .zero, .zero, .zero) }
        var tree = SparseMerkleTree()
        tree.insert(key: notes[0].nullifier, value: spentAt(5))

        let blockNumber: UInt64 = 6
        for note in notes[1...] {
            let nullifier = note.nullifier
            #expect(tree.get(nullifier) == Word.zero)  // not yet spent
            let oldRoot = tree.root
            let (oldLeaf, path) = tree.openLeaf(nullifier)
            #expect(!oldLeaf.contains { $0.key == nullifier })
            #expect(SparseMerkleTree.computeRoot(leafEntries: oldLeaf, index: nullifier.e3.value, path: path) == oldRoot)
            tree.insert(key: nullifier, value: spentAt(blockNumber))
            let newLeaf = (oldLeaf + [entry(nullifier, spentAt(blockNumber))]).sorted { SparseMerkleTree.keyPrecedes($0.key, $1.key) }
            #expect(SparseMerkleTree.computeRoot(leafEntries: newLeaf, index: nullifier.e3.value, path: path) == tree.root)
        }
        // A nullifier already present is visible (double spend) with the block that spent it.
        #expect(tree.get(notes[0].nullifier) == spentAt(5))
        #expect(tree.get(notes[2].nullifier) == spentAt(blockNumber))
        #expect(tree.count == 3)
    }
}
