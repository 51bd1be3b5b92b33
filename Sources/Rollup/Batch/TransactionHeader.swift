import STARK

/// A transaction as a batch lists it: the account, the two commitments and the two lists its
/// id covers (nullifiers, output note headers). Everything a block needs from a transaction,
/// without its proof.
public struct TransactionHeader: Hashable, Sendable {
    public var accountID: Felt
    public var initialCommitment: Word
    public var finalCommitment: Word
    public var nullifiers: [Word]
    public var outputNotes: [OutputNoteHeader]

    public init(accountID: Felt, initialCommitment: Word, finalCommitment: Word, nullifiers: [Word], outputNotes: [OutputNoteHeader]) {
        self.accountID = accountID
        self.initialCommitment = initialCommitment
        self.finalCommitment = finalCommitment
        self.nullifiers = nullifiers
        self.outputNotes = outputNotes
    }

    /// The header of a proven transaction.
    public init(_ tx: ProvenTransaction) {
        self.init(accountID: tx.accountID, initialCommitment: tx.initialCommitment, finalCommitment: tx.finalCommitment,
                  nullifiers: tx.nullifiers, outputNotes: tx.outputNotes)
    }

    /// `hash_elements(nullifiers)`.
    public var inputNotesCommitment: Word { Hash.words(nullifiers) }
    /// `hash_elements(id₁ ‖ metadata₁ ‖ …)`.
    public var outputNotesCommitment: Word { ProvenTransaction.outputNotesCommitment(outputNotes) }
    /// The transaction id, as `ProvenTransaction.transactionID` computes it.
    public var id: Word { Hash.words([initialCommitment, finalCommitment, inputNotesCommitment, outputNotesCommitment]) }
}
