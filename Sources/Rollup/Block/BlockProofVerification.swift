import STARK

extension BlockProof {
    /// The STARK's public inputs.
    public var statement: BlockStatement {
        BlockStatement(previousHeader: previousHeader, header: header, accountUpdates: accountUpdates, nullifiers: nullifiers)
    }

    /// Checks everything: the header's link to the previous one, the note root and transaction
    /// commitment against the listed batch roots and transaction ids, unique accounts and
    /// nullifiers, and the STARK proof of the tree transitions (both headers are its public inputs).
    ///
    /// Cheapest first: sizes, header links and uniqueness (no hashing), then the proof is decoded
    /// and screened against the statement's trace shape, then the note root and transaction
    /// commitment are hashed, and only then is the AIR built and the proof verified.
    public func verify() throws {
        guard proof.count <= BlockProof.maxProofBytes else {
            throw ProtocolError.invalid("proof is \(proof.count) bytes; at most \(BlockProof.maxProofBytes)")
        }
        guard accountUpdates.count + nullifiers.count <= BlockProofRequest.maxTreeUpdates else {
            throw ProtocolError.invalid("\(accountUpdates.count + nullifiers.count) tree updates; at most \(BlockProofRequest.maxTreeUpdates)")
        }
        guard batchNoteRoots.count <= BlockProofRequest.maxBatches else {
            throw ProtocolError.invalid("\(batchNoteRoots.count) batch note roots; at most \(BlockProofRequest.maxBatches)")
        }
        let maxTransactions = BlockProofRequest.maxBatches * ProposedBatch.maxTransactions
        guard transactionIDs.count <= maxTransactions else {
            throw ProtocolError.invalid("\(transactionIDs.count) transaction ids; a block holds at most \(maxTransactions)")
        }
        guard previousHeader.number < UInt32.max, header.number == previousHeader.number + 1 else {
            throw ProtocolError.invalid("block \(header.number) does not follow block \(previousHeader.number)")
        }
        guard header.previousCommitment == previousHeader.commitment else {
            throw ProtocolError.invalid("the header's previous commitment is not the previous header's commitment")
        }
        guard Set(accountUpdates.map(\.accountID)).count == accountUpdates.count else {
            throw ProtocolError.invalid("an account is updated twice")
        }
        guard Set(nullifiers).count == nullifiers.count else { throw ProtocolError.invalid("a nullifier is listed twice") }
        let statement = statement
        let screened = try Verifier.screen(
            proofBytes: proof, expectedTraceInfo: BlockAIR.traceInfo(updates: accountUpdates.count + nullifiers.count))
        guard header.noteRoot == DenseMerkleTree(padding: batchNoteRoots).root else {
            throw ProtocolError.invalid("the note root is not the root of the batches' note-tree roots")
        }
        guard header.transactionCommitment == Hash.words(transactionIDs) else {
            throw ProtocolError.invalid("the transaction commitment does not match the transaction ids")
        }
        try Verifier.verify(proof: screened, air: BlockAIR(statement: statement))
    }
}
