import STARK

/// A leaf of a sparse Merkle tree with its authentication path, as a block witness carries it:
/// the key whose leaf is opened, the leaf's current entries and the 64 siblings from the leaf up.
public struct SparseLeafWitness: Hashable, Sendable {
    public var key: Word
    public var entries: [SparseMerkleTree.Entry]
    public var path: MerklePath

    public init(key: Word, entries: [SparseMerkleTree.Entry], path: MerklePath) {
        self.key = key
        self.entries = entries
        self.path = path
    }

    /// The leaf index (`key[3]`).
    public var index: UInt64 { SparseMerkleTree.leafIndex(of: key) }
}

/// The witness of a block proof: the previous header, the proven batches in order, and the
/// block inputs: for every updated account its current leaf and path in the account tree, for
/// every new nullifier its (empty) leaf and path in the nullifier tree, all against the previous
/// header's roots (PROTOCOL.md "Block proof").
public struct BlockProofRequest: Hashable, Sendable {
    /// The most batches one block carries.
    public static let maxBatches = 64
    /// The most tree updates (updated accounts + new nullifiers) one block proof performs: each is
    /// a 512-row trace segment, and 4,096 of them make a 2^21-row trace that needs about 12 GiB
    /// to prove (2,048: 2^20 rows, 6 GiB). A larger block is refused before any work.
    public static let maxTreeUpdates = 4096
    public var previousHeader: BlockHeader
    public var batches: [ProvenBatch]
    /// One per updated account (any order), key `[0,0,0,id]`.
    public var accountWitnesses: [SparseLeafWitness]
    /// One per nullifier of the block (any order), key = the nullifier.
    public var nullifierWitnesses: [SparseLeafWitness]

    public init(previousHeader: BlockHeader, batches: [ProvenBatch], accountWitnesses: [SparseLeafWitness],
                nullifierWitnesses: [SparseLeafWitness]) {
        self.previousHeader = previousHeader
        self.batches = batches
        self.accountWitnesses = accountWitnesses
        self.nullifierWitnesses = nullifierWitnesses
    }
}
