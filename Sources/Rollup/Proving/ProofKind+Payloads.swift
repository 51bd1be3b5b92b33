/// Each proof kind's witness and proof payloads, and recognising a kind from a payload's magic tag.
extension ProofKind {
    /// The payload a prover of this kind takes: TransactionInputs, ProposedBatch or BlockProofRequest.
    public var witnessPayload: PayloadKind {
        switch self {
        case .transaction: return .transactionInputs
        case .batch: return .proposedBatch
        case .block: return .blockProofRequest
        }
    }

    /// The payload a prover of this kind returns: ProvenTransaction, ProvenBatch or BlockProof.
    public var proofPayload: PayloadKind {
        switch self {
        case .transaction: return .provenTransaction
        case .batch: return .provenBatch
        case .block: return .blockProof
        }
    }

    /// The kind whose witness starts with `payload`'s magic tag (MTXI, MBTI, MBKI), if any.
    public init?(witness payload: some Collection<UInt8>) {
        let magic = Array(payload.prefix(4))
        guard let kind = ProofKind.allCases.first(where: { $0.witnessPayload.magic == magic }) else { return nil }
        self = kind
    }

    /// The kind whose proof starts with `payload`'s magic tag (MTXP, MBTP, MBKP), if any.
    public init?(proof payload: some Collection<UInt8>) {
        let magic = Array(payload.prefix(4))
        guard let kind = ProofKind.allCases.first(where: { $0.proofPayload.magic == magic }) else { return nil }
        self = kind
    }
}
