import STARK

extension ProvenBatch {
    /// The public inputs the proof is verified against: the listed transaction ids and note ids,
    /// the batch id and the note-tree root.
    public var statement: BatchPublicInputs {
        BatchPublicInputs(transactionIDs: transactionIDs, noteIDs: outputNotes.map(\.id), batchID: id, noteTreeRoot: noteTreeRoot)
    }

    /// Checks the sizes, the rules readable from the listed headers (no nullifier twice, account
    /// commitments chain in order) and the STARK proof. The proof binds the batch id and the
    /// note-tree root; the reference block and the expiration are not covered by it.
    public func verify() throws {
        try BatchRules.checkSizes(transactionCount: transactions.count, outputNoteCount: transactions.reduce(0) { $0 + $1.outputNotes.count })
        guard proof.count <= ProvenBatch.maxProofBytes else {
            throw ProtocolError.invalid("batch proof is \(proof.count) bytes; at most \(ProvenBatch.maxProofBytes)")
        }
        for (k, tx) in transactions.enumerated() where tx.nullifiers.count > TransactionInputs.maxInputNotes {
            throw ProtocolError.invalid("\(BatchRules.name(k, tx.id)): \(tx.nullifiers.count) nullifiers; at most \(TransactionInputs.maxInputNotes)")
        }
        try BatchRules.checkNullifiersAndAccountChains(transactions)
        try BatchProver.verify(statement: statement, proof: proof)
    }
}
