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
/// shape: vault before, vault after, storage before, storage after u16 each ‖
///        per input note: kind u8 (1 = P2ID, 0 = open) ‖ inputs u8 ‖ assets u8 ‖ per output note: inputs u8 ‖ assets u8
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
        let shape = tx.shape
        for (n, what) in [(shape.vaultBefore, "vault before"), (shape.vaultAfter, "vault after"),
                          (shape.storageBefore, "storage before"), (shape.storageAfter, "storage after")] { w.u16(n, what) }
        precondition(shape.inputNotes.count == tx.nullifiers.count && shape.outputNotes.count == tx.outputNotes.count,
                     "shape note counts must match the transaction's")
        for note in shape.inputNotes {
            w.raw([note.isPayToID ? 1 : 0, UInt8(truncatingIfNeeded: note.inputCount), UInt8(truncatingIfNeeded: note.assetCount)])
        }
        for note in shape.outputNotes { w.raw([UInt8(truncatingIfNeeded: note.inputCount), UInt8(truncatingIfNeeded: note.assetCount)]) }
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
        let shape = try r.within("shape") { r throws(DecodingError) -> TransactionShape in
            func small(_ field: String, limit: Int) throws(DecodingError) -> Int {
                let v = Int(try r.u8(field))
                guard v <= limit else { throw .valueOutOfRange(field: "shape: \(field)", value: UInt64(v), limit: UInt64(limit)) }
                return v
            }
            func size(_ field: String, limit: Int) throws(DecodingError) -> Int {
                let v = Int(try r.u16(field))
                guard v <= limit else { throw .valueOutOfRange(field: "shape: \(field)", value: UInt64(v), limit: UInt64(limit)) }
                return v
            }
            let vaultBefore = try size("vault before", limit: FungibleAsset.vaultLimit)
            let vaultAfter = try size("vault after", limit: FungibleAsset.vaultLimit)
            let storageBefore = try size("storage before", limit: Account.maxStorageSlots)
            let storageAfter = try size("storage after", limit: Account.maxStorageSlots)
            var inputs: [TransactionShape.InputNote] = []
            for k in 0..<nullifierCount {
                let kind = try small("input note \(k): kind", limit: 1)
                let inputCount = try small("input note \(k): inputs", limit: kind == 1 ? 1 : Note.maxInputs)
                if kind == 1 && inputCount != 1 {
                    throw .valueOutOfRange(field: "shape: input note \(k): inputs of a P2ID note", value: UInt64(inputCount), limit: 1)
                }
                inputs.append(.init(isPayToID: kind == 1, inputCount: inputCount, assetCount: try small("input note \(k): assets", limit: Note.maxAssets)))
            }
            var outputs: [TransactionShape.OutputNote] = []
            for k in 0..<outputCount {
                outputs.append(.init(inputCount: try small("output note \(k): inputs", limit: Note.maxInputs),
                                     assetCount: try small("output note \(k): assets", limit: Note.maxAssets)))
            }
            return TransactionShape(vaultBefore: vaultBefore, vaultAfter: vaultAfter, storageBefore: storageBefore,
                                    storageAfter: storageAfter, inputNotes: inputs, outputNotes: outputs)
        }
        let proofLength = try r.count32("proof bytes", limit: ProvenTransaction.maxProofBytes)
        let proof = Array(try r.take(proofLength, "proof"))
        try r.finish(kind)

        return ProvenTransaction(accountID: accountID, initialCommitment: initialCommitment, finalCommitment: finalCommitment,
                                 nullifiers: nullifiers, inputNotesCommitment: inputNotesCommitment, outputNotes: outputNotes,
                                 outputNotesCommitment: outputNotesCommitment, referenceBlock: referenceBlock,
                                 expiration: expiration, shape: shape, proof: proof)
    }
}
