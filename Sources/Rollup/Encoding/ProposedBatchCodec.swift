import STARK

/// The versioned binary encoding of a `ProposedBatch` (magic "MBTI", version 1).
///
/// Layout, little-endian; a felt is 8 bytes (< p), a word 4 felts:
/// ```
/// "MBTI" ‖ version u8
/// reference block: number u32 ‖ previous commitment word ‖ account root word
///                  ‖ nullifier root word ‖ note root word ‖ transaction commitment word
/// transactions:    count u16 (≤ 128) ‖ (length u32 (≤ 5 MiB) ‖ complete "MTXP" payload)*
/// ```
/// Each transaction is a `ProvenTransactionCodec` payload, decoded by it: its errors are named
/// under "transaction k" and must use exactly its length. The decoder checks the encoding only;
/// the batch rules and the transaction proofs are `BatchProver`'s. Every accepted payload
/// re-encodes to the same bytes.
public enum ProposedBatchCodec {
    /// "MBTI".
    public static let kind = PayloadKind.proposedBatch
    /// The format version written and read.
    public static let version: UInt8 = 1
    /// The largest embedded transaction payload: its proof plus 1 MiB for the public part (at
    /// most 87,237 bytes with 1,024 nullifiers and 1,024 output notes). A limit of this codec.
    public static let maxTransactionBytes = ProvenTransaction.maxProofBytes + (1 << 20)

    /// Encodes a batch witness. A count that fits its wire field but breaks a limit is written
    /// as-is (the decoder refuses it); a count beyond its wire field traps.
    public static func encode(_ batch: ProposedBatch) -> [UInt8] {
        var w = PayloadWriter()
        w.header(kind, version: version)
        w.blockHeader(batch.referenceBlock)
        w.u16(batch.transactions.count, "transactions")
        for (k, tx) in batch.transactions.enumerated() {
            w.embedded(ProvenTransactionCodec.encode(tx), "transaction \(k) bytes")
        }
        return w.bytes
    }

    /// Decodes a batch witness, refusing with an error that names the offending field.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> ProposedBatch {
        var r = PayloadReader(bytes)
        try r.header(kind, version: version)
        let referenceBlock = try r.blockHeader("reference block")
        let count = try r.count16("transactions", limit: ProposedBatch.maxTransactions)
        var transactions: [ProvenTransaction] = []
        transactions.reserveCapacity(count)
        for k in 0..<count {
            transactions.append(try r.embedded("transaction \(k)", ProvenTransactionCodec.kind, limit: maxTransactionBytes) {
                payload throws(DecodingError) in try ProvenTransactionCodec.decode(payload)
            })
        }
        try r.finish(kind)
        return ProposedBatch(referenceBlock: referenceBlock, transactions: transactions)
    }
}
