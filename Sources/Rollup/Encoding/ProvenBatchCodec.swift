import STARK

/// The versioned binary encoding of a `ProvenBatch` (magic "MBTP", version 1).
///
/// Layout, little-endian; a felt is 8 bytes (< p), a word 4 felts:
/// ```
/// "MBTP" ‖ version u8
/// id word
/// reference block: number u32 ‖ commitment word
/// transactions:    count u16 (≤ 128) ‖ transaction headers
/// note tree root word
/// expiration u32
/// proof:           length u32 (≤ 4 MiB) ‖ bytes
/// transaction header = account id felt ‖ initial commitment word ‖ final commitment word
///                      ‖ nullifiers: count u16 (≤ 1024) ‖ words
///                      ‖ output notes: count u16 (≤ 1024) ‖ (id word ‖ sender felt ‖ tag felt)*
/// ```
/// The decoder checks the encoding only: it does not recompute the batch id or the note tree
/// root, nor look inside the proof (`ProvenBatch.verify()` does). Every accepted payload
/// re-encodes to the same bytes.
public enum ProvenBatchCodec {
    /// "MBTP".
    public static let kind = PayloadKind.provenBatch
    /// The format version written and read.
    public static let version: UInt8 = 1

    /// Encodes a proven batch. A count that fits its wire field but breaks a limit is written
    /// as-is (the decoder refuses it); a count beyond its wire field traps.
    public static func encode(_ batch: ProvenBatch) -> [UInt8] {
        var w = PayloadWriter()
        w.header(kind, version: version)
        w.word(batch.id)
        w.blockReference(batch.referenceBlock)
        w.u16(batch.transactions.count, "transactions")
        batch.transactions.forEach { w.transactionHeader($0) }
        w.word(batch.noteTreeRoot)
        w.u32(batch.expiration)
        w.count32(batch.proof.count, "proof bytes")
        w.raw(batch.proof)
        return w.bytes
    }

    /// Decodes a proven batch, refusing with an error that names the offending field.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> ProvenBatch {
        var r = PayloadReader(bytes)
        try r.header(kind, version: version)
        let id = try r.word("id")
        let referenceBlock = try r.blockReference("reference block")
        let count = try r.count16("transactions", limit: ProposedBatch.maxTransactions)
        var transactions: [TransactionHeader] = []
        transactions.reserveCapacity(count)
        for k in 0..<count { transactions.append(try r.transactionHeader("transaction \(k)")) }
        let noteTreeRoot = try r.word("note tree root")
        let expiration = try r.u32("expiration")
        let proofLength = try r.count32("proof bytes", limit: ProvenBatch.maxProofBytes)
        let proof = Array(try r.take(proofLength, "proof"))
        try r.finish(kind)
        return ProvenBatch(id: id, referenceBlock: referenceBlock, transactions: transactions, noteTreeRoot: noteTreeRoot,
                           expiration: expiration, proof: proof)
    }
}
