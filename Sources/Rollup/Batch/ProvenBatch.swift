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
    /// The batch's transactions, in order: what each transaction id covers.
    public var transactions: [TransactionHeader]
    /// Root of the dense Merkle tree over the output note ids (`DenseMerkleTree(padding:)`).
    public var noteTreeRoot: Word
    /// The minimum of the transactions' expirations.
    public var expiration: UInt32
    /// The encoded STARK proof (`ProofCodec`); at most `maxProofBytes`.
    public var proof: [UInt8]

    public init(id: Word, referenceBlock: BlockReference, transactions: [TransactionHeader], noteTreeRoot: Word,
                expiration: UInt32, proof: [UInt8]) {
        self.id = id
        self.referenceBlock = referenceBlock
        self.transactions = transactions
        self.noteTreeRoot = noteTreeRoot
        self.expiration = expiration
        self.proof = proof
    }

    /// The transaction ids, in order (each hashes its header).
    public var transactionIDs: [Word] { transactions.map(\.id) }
    /// Every consumed note's nullifier, in transaction order.
    public var nullifiers: [Word] { transactions.flatMap(\.nullifiers) }
    /// Every created note (id and metadata), in transaction order.
    public var outputNotes: [OutputNoteHeader] { transactions.flatMap(\.outputNotes) }
    /// One update per touched account, in order of first appearance: the initial commitment of
    /// its first transaction and the final commitment of its last (`verify()` checks they chain).
    public var accountUpdates: [AccountUpdate] {
        AccountUpdate.merged(transactions.lazy.map {
            AccountUpdate(accountID: $0.accountID, initialCommitment: $0.initialCommitment, finalCommitment: $0.finalCommitment)
        })
    }
}
