import Rollup

/// What ties a returned proof to the witness it was asked for, so that a load run notices a
/// service that answers one client with another client's proof.
///
/// A transaction's identity is its account and final commitment, computed from the witness by
/// executing it (cheap: no proving) and read from the proof's public data. Batches and blocks have
/// no cheap expected value: `ctl load` checks that each witness always gets the same identity and
/// that no two witnesses share one.
enum ProofIdentity {
    /// The identity a proof of `witness` must carry, when it can be computed without proving.
    static func expected(_ kind: ProofKind, witness: [UInt8]) throws -> String? {
        guard kind == .transaction else { return nil }
        let outcome = try TransactionExecutor.execute(try TransactionInputsCodec.decode(witness))
        return "account \(outcome.accountID) final \(outcome.finalCommitment)"
    }

    /// Verifies `proof` as a `kind` proof and returns its identity; throws naming why it fails.
    static func verified(_ kind: ProofKind, proof: [UInt8]) throws -> String {
        switch kind {
        case .transaction:
            let tx = try ProvenTransactionCodec.decode(proof)
            try tx.verify()
            return "account \(tx.accountID) final \(tx.finalCommitment)"
        case .batch:
            let batch = try ProvenBatchCodec.decode(proof)
            try batch.verify()
            return "batch \(batch.id)"
        case .block:
            let block = try BlockProofCodec.decode(proof)
            try block.verify()
            return "block \(block.header.number) \(block.header.commitment)"
        }
    }
}
