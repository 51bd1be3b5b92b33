import STARK

/// The output of a batch proof: the batch id, what the batch does to accounts and notes, and the
/// STARK proof binding the batch id and the output-note tree root to the listed transaction ids
/// and note ids (PROTOCOL.md "Batch proof").
public struct ProvenBatch: Hashable, Sendable {
    /// The largest proof the encoding carries: 4 MiB.
    public static let maxProofBytes = 4 << 20
    /// `hash_elements` of the transaction ids, in order.
    public var id: Word
    /// The batch's reference block (number and header commitment).
    public var referenceBlock: BlockReference
    /// The transaction ids, in batch order.
    public var transactionIDs: [Word]
    /// One per touched account, in order of first appearance: initial commitment of its first
    /// transaction, final commitment of its last.
    public var accountUpdates: [AccountUpdate]
    /// Every consumed note's nullifier, in transaction order.
    public var nullifiers: [Word]
    /// Every created note (id and metadata), in transaction order.
    public var outputNotes: [OutputNoteHeader]
    /// Root of the dense Merkle tree over the output note ids (`DenseMerkleTree(padding:)`).
    public var noteTreeRoot: Word
    /// The minimum of the transactions' expirations.
    public var expiration: UInt32
    /// The encoded STARK proof (`ProofCodec`); at most `maxProofBytes`.
    public var proof: [UInt8]

    public init(id: Word, referenceBlock: BlockReference, transactionIDs: [Word], accountUpdates: [AccountUpdate],
                nullifiers: [Word], outputNotes: [OutputNoteHeader], noteTreeRoot: Word, expiration: UInt32, proof: [UInt8]) {
        self.id = id
        self.referenceBlock = referenceBlock
        self.transactionIDs = transactionIDs
        self.accountUpdates = accountUpdates
        self.nullifiers = nullifiers
        self.outputNotes = outputNotes
        self.noteTreeRoot = noteTreeRoot
        self.expiration = expiration
        self.proof = proof
    }
}
