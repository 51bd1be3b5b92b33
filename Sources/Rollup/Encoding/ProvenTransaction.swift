import STARK

/// The output of a transaction proof: the public commitments of a transaction and the opaque
/// STARK proof that binds them (PROTOCOL.md "Transaction proof").
///
/// `inputNotesCommitment` and `outputNotesCommitment` are carried alongside the lists they
/// summarise; a receiver must not trust them without `validate()` (or the proof's verifier).
public struct ProvenTransaction: Hashable, Sendable {
    /// The largest proof the encoding carries: 4 MiB.
    public static let maxProofBytes = 4 << 20

    public var accountID: Felt
    /// The account commitment before the transaction.
    public var initialCommitment: Word
    /// The account commitment after the transaction.
    public var finalCommitment: Word
    /// The nullifiers of the consumed notes, in input order.
    public var nullifiers: [Word]
    /// `hash_elements(nullifier words)`.
    public var inputNotesCommitment: Word
    /// The created notes' ids and metadata, in output order.
    public var outputNotes: [OutputNoteHeader]
    /// `hash_elements(id₁ ‖ metadata₁ ‖ id₂ ‖ metadata₂ ‖ …)`.
    public var outputNotesCommitment: Word
    public var referenceBlock: BlockReference
    /// The expiration block number (after the reference block's).
    public var expiration: UInt32
    /// The sizes the proof's AIR is built from (vaults, storage, per-note input and asset counts).
    public var shape: TransactionShape
    /// The encoded STARK proof (`ProofCodec`), opaque here; at most `maxProofBytes`.
    public var proof: [UInt8]

    public init(accountID: Felt, initialCommitment: Word, finalCommitment: Word, nullifiers: [Word],
                inputNotesCommitment: Word, outputNotes: [OutputNoteHeader], outputNotesCommitment: Word,
                referenceBlock: BlockReference, expiration: UInt32, shape: TransactionShape, proof: [UInt8]) {
        self.accountID = accountID
        self.initialCommitment = initialCommitment
        self.finalCommitment = finalCommitment
        self.nullifiers = nullifiers
        self.inputNotesCommitment = inputNotesCommitment
        self.outputNotes = outputNotes
        self.outputNotesCommitment = outputNotesCommitment
        self.referenceBlock = referenceBlock
        self.expiration = expiration
        self.shape = shape
        self.proof = proof
    }

    /// The public part of `outcome` (the final account stays private) with its proof;
    /// computes both notes commitments.
    public init(outcome: TransactionOutcome, shape: TransactionShape, proof: [UInt8]) {
        self.init(accountID: outcome.accountID, initialCommitment: outcome.initialCommitment,
                  finalCommitment: outcome.finalCommitment, nullifiers: outcome.nullifiers,
                  inputNotesCommitment: outcome.inputNotesCommitment, outputNotes: outcome.outputNotes,
                  outputNotesCommitment: outcome.outputNotesCommitment, referenceBlock: outcome.referenceBlock,
                  expiration: outcome.expiration, shape: shape, proof: proof)
    }

    /// The public inputs the proof is verified against.
    public var statement: TransactionPublicInputs {
        TransactionPublicInputs(
            accountID: accountID, initialCommitment: initialCommitment, finalCommitment: finalCommitment,
            inputNotesCommitment: inputNotesCommitment, outputNotesCommitment: outputNotesCommitment,
            referenceBlock: referenceBlock, expiration: expiration, shape: shape)
    }

    /// Checks everything: sizes, the shape against the lists, both notes commitments against
    /// their lists, and the STARK proof against the public inputs. Throws naming the first failure.
    ///
    /// Cheapest first: sizes and shape (counting only), then the proof is decoded and screened
    /// against the shape's trace (options, security, trace shape), then the commitments are
    /// hashed, and only then is the AIR built and the proof verified.
    public func verify() throws {
        try validateSizes()
        guard shape.inputNotes.count == nullifiers.count, shape.outputNotes.count == outputNotes.count else {
            throw ProtocolError.invalid("shape lists \(shape.inputNotes.count) input and \(shape.outputNotes.count) output notes; the transaction has \(nullifiers.count) and \(outputNotes.count)")
        }
        try shape.validate()
        let statement = statement
        let screened = try TransactionProver.screen(statement: statement, proof: proof)
        try validateCommitments()
        try Verifier.verify(proof: screened, air: TransactionAIR(statement: statement))
    }

    /// The transaction id: `hash_elements(initial_commitment ‖ final_commitment ‖
    /// input_notes_commitment ‖ output_notes_commitment)`, as in Miden. A batch id hashes the
    /// ids of its transactions in order. The id binds the account (its id is inside both
    /// commitments) and the notes; it does not cover the reference block, the expiration or
    /// the proof bytes.
    public var transactionID: Word {
        Hash.words([initialCommitment, finalCommitment, inputNotesCommitment, outputNotesCommitment])
    }

    /// `hash_elements(id₁ ‖ metadata₁ ‖ id₂ ‖ metadata₂ ‖ …)`, the same as `TransactionOutcome.outputNotesCommitment`.
    public static func outputNotesCommitment(_ headers: [OutputNoteHeader]) -> Word {
        Hash.words(headers.flatMap { [$0.id, $0.metadata.word] })
    }

    /// Checks the sizes against the protocol limits and that both notes commitments match the
    /// lists they summarise (hashes every nullifier and header: not free).
    public func validate() throws(ProtocolError) {
        try validateSizes()
        try validateCommitments()
    }

    /// The list and proof sizes against the protocol limits (no hashing).
    func validateSizes() throws(ProtocolError) {
        guard nullifiers.count <= TransactionInputs.maxInputNotes else {
            throw .invalid("\(nullifiers.count) nullifiers; at most \(TransactionInputs.maxInputNotes)")
        }
        guard outputNotes.count <= TransactionInputs.maxOutputNotes else {
            throw .invalid("\(outputNotes.count) output notes; at most \(TransactionInputs.maxOutputNotes)")
        }
        guard proof.count <= ProvenTransaction.maxProofBytes else {
            throw .invalid("proof is \(proof.count) bytes; at most \(ProvenTransaction.maxProofBytes)")
        }
    }

    /// Both notes commitments against the lists they summarise (one hash per two words listed).
    func validateCommitments() throws(ProtocolError) {
        guard inputNotesCommitment == Hash.words(nullifiers) else {
            throw .invalid("input notes commitment does not match the nullifiers")
        }
        guard outputNotesCommitment == ProvenTransaction.outputNotesCommitment(outputNotes) else {
            throw .invalid("output notes commitment does not match the output note headers")
        }
    }
}
