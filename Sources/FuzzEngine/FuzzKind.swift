/// The payload kinds the fuzzer attacks: four proven objects (their proof must never verify once
/// mutated) and three prover witnesses (which may stay valid when mutated, but must be refused
/// cleanly when they are not).
public enum FuzzKind: String, CaseIterable, Sendable {
    /// A raw STARK proof of the Fibonacci example, BLAKE3 commitments (`ProofCodec` + `Verifier`).
    case starkBlake3 = "stark-blake3"
    /// A raw STARK proof of the Fibonacci example, RPO256 commitments.
    case starkRPO256 = "stark-rpo256"
    /// `ProvenTransactionCodec` + `ProvenTransaction.verify()`.
    case provenTransaction = "proven-transaction"
    /// `ProvenBatchCodec` + `ProvenBatch.verify()`.
    case provenBatch = "proven-batch"
    /// `BlockProofCodec` + `BlockProof.verify()`.
    case blockProof = "block-proof"
    /// `TransactionInputsCodec` + `TransactionProver.trace(for:)`: execution, shape and trace (all the prover does before proving).
    case transactionInputs = "transaction-inputs"
    /// `ProposedBatchCodec` + `BatchProver.check` (sizes, transaction proofs, batch rules).
    case proposedBatch = "proposed-batch"
    /// `BlockProofRequestCodec` + `BlockProver.prepare` (batch proofs, block rules, tree updates).
    case blockRequest = "block-request"

    /// Whether this kind is a proven object, so that a mutant that verifies is a soundness failure.
    public var isProof: Bool {
        switch self {
        case .starkBlake3, .starkRPO256, .provenTransaction, .provenBatch, .blockProof: true
        case .transactionInputs, .proposedBatch, .blockRequest: false
        }
    }

    /// A number distinct per kind, mixed into the per-case random seed.
    var salt: UInt64 { UInt64(Self.allCases.firstIndex(of: self)! + 1) &* 0xD1B5_4A32_D192_ED03 }
}
