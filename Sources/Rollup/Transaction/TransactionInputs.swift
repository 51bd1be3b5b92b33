import STARK

/// A block a transaction was executed against: its number and header commitment.
public struct BlockReference: Hashable, Sendable {
    public var number: UInt32
    public var commitment: Word
    public init(number: UInt32, commitment: Word) {
        self.number = number
        self.commitment = commitment
    }
}

/// A write of `value` into storage slot `slot` (0..<256), applied in order.
public struct StorageWrite: Hashable, Sendable {
    public var slot: Int
    public var value: Word
    public init(slot: Int, value: Word) {
        self.slot = slot
        self.value = value
    }
}

/// The witness of a transaction proof: the account before, the reference block, the notes it
/// consumes and creates in full, its storage writes and its expiration block number.
public struct TransactionInputs: Hashable, Sendable {
    public static let maxInputNotes = 1024
    public static let maxOutputNotes = 1024
    public static let maxStorageWrites = 256

    public var account: Account
    public var referenceBlock: BlockReference
    public var inputNotes: [Note]
    public var outputNotes: [Note]
    public var storageWrites: [StorageWrite]
    public var expiration: UInt32

    public init(account: Account, referenceBlock: BlockReference, inputNotes: [Note], outputNotes: [Note],
                storageWrites: [StorageWrite], expiration: UInt32) {
        self.account = account
        self.referenceBlock = referenceBlock
        self.inputNotes = inputNotes
        self.outputNotes = outputNotes
        self.storageWrites = storageWrites
        self.expiration = expiration
    }
}

/// An output note as published: its id and metadata (the rest stays private to the recipient).
public struct OutputNoteHeader: Hashable, Sendable {
    public var id: Word
    public var metadata: NoteMetadata
    public init(id: Word, metadata: NoteMetadata) {
        self.id = id
        self.metadata = metadata
    }
}

/// The public result of executing a transaction: everything a `ProvenTransaction` publishes but the proof.
public struct TransactionOutcome: Hashable, Sendable {
    public var accountID: Felt
    public var initialCommitment: Word
    public var finalCommitment: Word
    public var finalAccount: Account
    public var nullifiers: [Word]
    public var outputNotes: [OutputNoteHeader]
    public var referenceBlock: BlockReference
    public var expiration: UInt32

    /// `hash_elements(nullifier words)`.
    public var inputNotesCommitment: Word { Hash.words(nullifiers) }
    /// `hash_elements(id₁ ‖ metadata₁ ‖ id₂ ‖ metadata₂ ‖ …)`.
    public var outputNotesCommitment: Word { ProvenTransaction.outputNotesCommitment(outputNotes) }
}
