import STARK

/// The output of a block proof: the new header, the previous one, the public data the header
/// commits to, and the STARK proof of the state transition (PROTOCOL.md "Block proof").
///
/// The proof binds: previous account and nullifier roots → new roots through one depth-64 path
/// update per account and per nullifier (the listed updates), with every field of both headers as
/// public inputs (so the new header commitment, their hash, is bound). The note root and
/// transaction commitment are recomputed by `verify()` from the listed batch note-tree roots and
/// transaction ids.
public struct BlockProof: Hashable, Sendable {
    /// The largest proof the encoding carries: 16 MiB.
    public static let maxProofBytes = 16 << 20
    public var header: BlockHeader
    public var previousHeader: BlockHeader
    /// One per updated account, in the order the proof applies them.
    public var accountUpdates: [AccountUpdate]
    /// The block's new nullifiers, in the order the proof inserts them.
    public var nullifiers: [Word]
    /// The batches' output-note tree roots, in batch order (leaves of the note root).
    public var batchNoteRoots: [Word]
    /// Every transaction id of the block, in order (hashed into the transaction commitment).
    public var transactionIDs: [Word]
    /// The encoded STARK proof (`ProofCodec`); at most `maxProofBytes`.
    public var proof: [UInt8]

    public init(header: BlockHeader, previousHeader: BlockHeader, accountUpdates: [AccountUpdate], nullifiers: [Word],
                batchNoteRoots: [Word], transactionIDs: [Word], proof: [UInt8]) {
        self.header = header
        self.previousHeader = previousHeader
        self.accountUpdates = accountUpdates
        self.nullifiers = nullifiers
        self.batchNoteRoots = batchNoteRoots
        self.transactionIDs = transactionIDs
        self.proof = proof
    }
}
