import Testing
@testable import STARK

@Suite struct MerkleTreeTests {
    func leaves(_ count: Int, seed: UInt64) -> [Digest] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Digest(rng.next(), rng.next(), rng.next(), rng.next()) }
    }

    @Test func rootOfFourLeavesIsNestedMerge() {
        let l = leaves(4, seed: 1)
        let tree = MerkleTree<Blake3Hasher>(leaves: l)
        let expected = Blake3Hasher.merge(Blake3Hasher.merge(l[0], l[1]), Blake3Hasher.merge(l[2], l[3]))
        #expect(tree.root == expected)
        #expect(MerkleTree<Blake3Hasher>(leaves: [l[0]]).root == l[0])
    }

    @Test func batchOpeningsVerifyAndShareNodes() {
        let l = leaves(256, seed: 2)
        let tree = MerkleTree<Blake3Hasher>(leaves: l, threads: 2)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<50 {
            let positions = Array(Set((0..<Int(rng.next() % 40 + 1)).map { _ in Int(rng.next() % 256) })).sorted()
            let proof = tree.open(positions: positions)
            #expect(proof.count <= positions.count * tree.depth)
            #expect(MerkleTree<Blake3Hasher>.verify(
                root: tree.root, leafCount: 256, positions: positions, leaves: positions.map { l[$0] }, proof: proof))
        }
        // Two sibling leaves need no node at the bottom level: depth − 1 nodes in all.
        #expect(tree.open(positions: [10, 11]).count == tree.depth - 1)
        #expect(tree.open(positions: [10]).count == tree.depth)
    }

    @Test func tamperedOpeningsFail() {
        let l = leaves(64, seed: 4)
        let tree = MerkleTree<RPO256Hasher>(leaves: l.map { d in Digest(d.w0 % Felt.modulus, d.w1 % Felt.modulus, d.w2 % Felt.modulus, d.w3 % Felt.modulus) })
        let positions = [1, 7, 8, 40]
        let opened = positions.map { tree.leaf($0) }
        let proof = tree.open(positions: positions)
        #expect(MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: positions, leaves: opened, proof: proof))
        for k in proof.indices {
            var bad = proof
            bad[k].w2 ^= 1
            #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: positions, leaves: opened, proof: bad))
        }
        var badLeaves = opened
        badLeaves[2].w0 ^= 1
        #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: positions, leaves: badLeaves, proof: proof))
        #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: [1, 7, 9, 40], leaves: opened, proof: proof))
        #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: positions, leaves: opened, proof: proof + [proof[0]]))
        #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: positions, leaves: opened, proof: Array(proof.dropLast())))
        #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: [7, 1, 8, 40], leaves: opened, proof: proof))
        #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 64, positions: [1, 7, 8, 64], leaves: opened, proof: proof))
    }

    /// Leaves written in place, in any order (the streamed commitment writes them coset by coset):
    /// the same nodes as hashing them in order, for both hashes, small and multi-subtree sizes.
    @Test func leavesWrittenInPlaceOutOfOrderMakeTheSameTree() {
        for count in [1, 2, 64, 1 << 13] {
            let l = leaves(count, seed: UInt64(count))
            let stride = min(8, count)
            let blake = MerkleTree<Blake3Hasher>(leafCount: count, threads: 2) { out in
                for t in 0..<stride { for j in 0..<(count / stride) { out[j * stride + t] = l[j * stride + t] } }
            }
            #expect(blake.nodes == MerkleTree<Blake3Hasher>(leaves: l, threads: 1).nodes, "\(count) leaves")
            let rpo = MerkleTree<RPO256Hasher>(leafCount: count, threads: 1) { out in
                for i in (0..<count).reversed() { out[i] = l[i] }
            }
            #expect(rpo.root == MerkleTree<RPO256Hasher>(leaves: l, threads: 2).root, "\(count) leaves")
        }
        // A leaf written differently changes the root.
        let l = leaves(64, seed: 9)
        let forged = MerkleTree<Blake3Hasher>(leafCount: 64) { out in
            for i in 0..<64 { out[i] = l[i] }
            out[37] = l[36]
        }
        #expect(forged.root != MerkleTree<Blake3Hasher>(leaves: l).root)
    }

    @Test func threadCountDoesNotChangeTheRoot() {
        let l = leaves(1 << 14, seed: 5)
        #expect(MerkleTree<Blake3Hasher>(leaves: l, threads: 1).root == MerkleTree<Blake3Hasher>(leaves: l, threads: 3).root)
    }
}
