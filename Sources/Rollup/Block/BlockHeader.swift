import STARK

/// A block header (PROTOCOL.md "Block proof"): the block number, the previous header's
/// commitment and the four roots/commitments the block fixes.
///
/// `commitment = hash_elements(previous ‖ [number,0,0,0] ‖ account_root ‖ nullifier_root ‖
/// note_root ‖ transaction_commitment)`.
public struct BlockHeader: Hashable, Sendable {
    public var number: UInt32
    public var previousCommitment: Word
    /// Root of the account tree (sparse, depth 64, key `[0,0,0,id]`, value = account commitment).
    public var accountRoot: Word
    /// Root of the nullifier tree (sparse, depth 64, key = nullifier, value `[block_num,0,0,0]`).
    public var nullifierRoot: Word
    /// Root of the dense Merkle tree over the block's batches' output-note tree roots.
    public var noteRoot: Word
    /// `hash_elements` of the block's transaction ids, in order.
    public var transactionCommitment: Word

    public init(number: UInt32, previousCommitment: Word, accountRoot: Word, nullifierRoot: Word,
                noteRoot: Word, transactionCommitment: Word) {
        self.number = number
        self.previousCommitment = previousCommitment
        self.accountRoot = accountRoot
        self.nullifierRoot = nullifierRoot
        self.noteRoot = noteRoot
        self.transactionCommitment = transactionCommitment
    }

    /// The 24 elements the commitment hashes.
    public var hashedElements: [Felt] {
        previousCommitment.elements + [Felt(UInt64(number)), .zero, .zero, .zero] + accountRoot.elements
            + nullifierRoot.elements + noteRoot.elements + transactionCommitment.elements
    }

    /// The header commitment.
    public var commitment: Word { Hash.elements(hashedElements) }

    /// The header as a transaction or batch refers to it.
    public var reference: BlockReference { BlockReference(number: number, commitment: commitment) }

    /// Block 0 over the given trees: no previous block, no notes, no transactions.
    public static func genesis(accountRoot: Word, nullifierRoot: Word) -> BlockHeader {
        BlockHeader(number: 0, previousCommitment: .zero, accountRoot: accountRoot, nullifierRoot: nullifierRoot,
                    noteRoot: .zero, transactionCommitment: .zero)
    }
}
