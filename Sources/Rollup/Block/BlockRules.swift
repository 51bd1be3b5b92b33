import STARK

/// The block rules that read only the batches (the tree rules need the witness paths and live in
/// `BlockProver`): batch references and expirations, accounts chaining across batches, no
/// nullifier twice.
enum BlockRules {
    /// The block's account updates: per account, the first batch's initial commitment and the last
    /// one's final, in order of first appearance; each batch must start where the previous left off.
    static func accountUpdates(_ batches: [ProvenBatch], blockNumber: UInt32, previous: BlockHeader) throws(ProtocolError) -> [AccountUpdate] {
        var lastBatch: [Felt: (final: Word, batch: Int)] = [:]
        let perBatch = batches.map(\.accountUpdates)
        for (k, batch) in batches.enumerated() {
            guard batch.referenceBlock.number <= previous.number else {
                throw .invalid("batch \(k): references block \(batch.referenceBlock.number), after the previous block \(previous.number)")
            }
            guard batch.expiration >= blockNumber else {
                throw .invalid("batch \(k): expired at block \(batch.expiration); this is block \(blockNumber)")
            }
            for u in perBatch[k] {
                if let (final, j) = lastBatch[u.accountID], final != u.initialCommitment {
                    throw .invalid("batch \(k): account \(u.accountID) starts from another commitment than batch \(j) left it at")
                }
                lastBatch[u.accountID] = (u.finalCommitment, k)
            }
        }
        return AccountUpdate.merged(perBatch.joined())
    }

    /// Every nullifier of the block in batch order; throws if one appears twice.
    static func nullifiers(_ batches: [ProvenBatch]) throws(ProtocolError) -> [Word] {
        var seen: [Word: Int] = [:]
        var out: [Word] = []
        for (k, batch) in batches.enumerated() {
            for n in batch.nullifiers {
                if let j = seen[n] {
                    throw .invalid(j == k ? "batch \(k): nullifier \(n) twice" : "nullifier \(n) is spent in batch \(j) and again in batch \(k)")
                }
                seen[n] = k
                out.append(n)
            }
        }
        return out
    }

    /// Witnesses by key; throws on a duplicate key or a malformed leaf.
    static func witnessesByKey(_ witnesses: [SparseLeafWitness], tree: String) throws(ProtocolError) -> [Word: SparseLeafWitness] {
        var out: [Word: SparseLeafWitness] = [:]
        for (k, w) in witnesses.enumerated() {
            guard out[w.key] == nil else { throw .invalid("\(tree) witness \(k): key \(w.key) has two witnesses") }
            guard SparseMerkleTree.isWellFormedLeaf(w.entries, index: w.index) else {
                throw .invalid("\(tree) witness \(k): the leaf's entries are not a well-formed leaf at index \(w.index)")
            }
            out[w.key] = w
        }
        return out
    }
}
