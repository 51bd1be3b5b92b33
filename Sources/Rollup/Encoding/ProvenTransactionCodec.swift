import STARK

/// The versioned binary encoding of a `ProvenTransaction` (magic "MTXP", version 1).
///
/// Layout, little-endian; a felt is 8 bytes (< p), a word 4 felts:
/// ```
/// "MTXP" ‖ version u8
/// account id felt ‖ initial commitment word ‖ final commitment word
/// nullifiers:   count u16 (≤ 1024) ‖ words
/// input notes commitment word
/// output notes: count u16 (≤ 1024) ‖ (id word ‖ sender felt ‖ tag felt)*
/// output notes commitment word
/// reference block: number u32 ‖ commitment word
/// expiration u32
/// proof: length u32 (≤ 4 MiB) ‖ bytes
/// ```
/// The decoder checks the encoding only: it does not recompute the notes commitments
/// (`ProvenTransaction.validate()`) or look inside the proof (the verifier does). Every accepted
/// payload re-encodes to the same bytes.
public enum ProvenTransactionCodec {
    /// "MTXP".
    public static let kind = PayloadKind.provenTransaction
    /// The format version written and read.
    public static let version: UInt8 = 1

    /// Encodes a proven transaction. Values within the limits round-trip; a count that fits its
    /// wire field but breaks a limit is written as-is (the decoder refuses it); a count beyond
    /// its wire field (65,535 notes) traps.
    public static func encode(_ tx: ProvenTransaction) -> [UInt8] {
        var w = PayloadWriter()
        w.header(kind, version: version)
        w.felt(tx.accountID)
        w.word(tx.initialCommitment)
        w.word(tx.finalCommitment)
        w.u16(tx.nullifiers.count, "nullifiers")
        tx.nullifiers.forEach { w.word($0) }
        w.word(tx.inputNotesCommitment)
        w.u16(tx.outputNotes.count, "output notes")
        for header in tx.outputNotes {
            w.word(header.id)
            w.metadata(header.metadata)
        }
        w.word(tx.outputNotesCommitment)
        w.blockReference(tx.referenceBlock)
        w.u32(tx.expiration)
        w.count32(tx.proof.count, "proof bytes")
        w.raw(tx.proof)
        return w.bytes
    }

    /// Decodes a proven transaction, refusing with an error that names the offending field.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> ProvenTransaction {
        var r = PayloadReader(bytes)
        try r.header(kind, version: version)
        let accountID = try r.felt("account id")
        let initialCommitment = try r.word("initial commitment")
        let finalCommitment = try r.word("final commitment")

        let nullifierCount = try r.count16("nullifiers", limit: TransactionInputs.maxInputNotes)
        var nullifiers: [Word] = []
        nullifiers.reserveCapacity(nullifierCount)
        for k in 0..<nullifierCount { nullifiers.append(try r.word("nullifier \(k)")) }
        let inputNotesCommitment = try r.word("input notes commitment")

        let outputCount = try r.count16("output notes", limit: TransactionInputs.maxOutputNotes)
        var outputNotes: [OutputNoteHeader] = []
        outputNotes.reserveCapacity(outputCount)
        for k in 0..<outputCount {
            outputNotes.append(try r.within("output note \(k)") { r throws(DecodingError) in
                OutputNoteHeader(id: try r.word("id"), metadata: try r.metadata())
            })
        }
        let outputNotesCommitment = try r.word("output notes commitment")

        let referenceBlock = try r.blockReference("reference block")
        let expiration = try r.u32("expiration")
        let proofLength = try r.count32("proof bytes", limit: ProvenTransaction.maxProofBytes)
        let proof = Array(try r.take(proofLength, "proof"))
        try r.finish(kind)

        return ProvenTransaction(accountID: accountID, initialCommitment: initialCommitment, finalCommitment: finalCommitment,
                                 nullifiers: nullifiers, inputNotesCommitment: inputNotesCommitment, outputNotes: outputNotes,
                                 outputNotesCommitment: outputNotesCommitment, referenceBlock: referenceBlock,
                                 expiration: expiration, proof: proof)
    }
}
