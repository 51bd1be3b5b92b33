import STARK

/// The versioned binary encoding of a `BlockProofRequest` (magic "MBKI", version 1).
///
/// Layout, little-endian; a felt is 8 bytes (< p), a word 4 felts:
/// ```
/// "MBKI" ‖ version u8
/// previous header:     number u32 ‖ previous commitment word ‖ account root word
///                      ‖ nullifier root word ‖ note root word ‖ transaction commitment word
/// batches:             count u16 (≤ 64) ‖ (length u32 (≤ 16 MiB) ‖ complete "MBTP" payload)*
/// account witnesses:   count u32 (≤ 2^20) ‖ witnesses
/// nullifier witnesses: count u32 (≤ 2^20) ‖ witnesses
/// witness = key word ‖ leaf entries: count u16 (≤ 16) ‖ (key word ‖ value word)*
///           ‖ path: exactly 64 sibling words, from the leaf up (no count)
/// ```
/// Each batch is a `ProvenBatchCodec` payload, decoded by it: its errors are named under
/// "batch k" and it must use exactly its length. The decoder checks the encoding only; the
/// block rules, the paths and the batch proofs are `BlockProver`'s. Every accepted payload
/// re-encodes to the same bytes.
public enum BlockProofRequestCodec {
    /// "MBKI".
    public static let kind = PayloadKind.blockProofRequest
    /// The format version written and read.
    public static let version: UInt8 = 1
    /// The largest embedded batch payload: its proof plus 12 MiB for the transaction headers
    /// (at most 128 × 81,998 bytes, about 10 MiB). A limit of this codec.
    public static let maxBatchBytes = ProvenBatch.maxProofBytes + (12 << 20)
    /// Account witnesses, and nullifier witnesses, one request carries. A limit of this codec.
    public static let maxWitnesses = 1 << 20
    /// Entries in one witnessed sparse Merkle leaf (keys sharing `key[3]`; one in practice).
    public static let maxLeafEntries = 16
    /// The wire size of a witness with an empty leaf: key, entry count, 64 siblings.
    static let minWitnessBytes = 32 + 2 + 32 * SparseMerkleTree.depth

    /// Encodes a block witness. A count that fits its wire field but breaks a limit is written
    /// as-is (the decoder refuses it); a count beyond its wire field, or a witness path of a
    /// depth other than 64, traps.
    public static func encode(_ request: BlockProofRequest) -> [UInt8] {
        var w = PayloadWriter()
        w.header(kind, version: version)
        w.blockHeader(request.previousHeader)
        w.u16(request.batches.count, "batches")
        for (k, batch) in request.batches.enumerated() {
            w.embedded(ProvenBatchCodec.encode(batch), "batch \(k) bytes")
        }
        w.count32(request.accountWitnesses.count, "account witnesses")
        request.accountWitnesses.forEach { w.sparseLeafWitness($0) }
        w.count32(request.nullifierWitnesses.count, "nullifier witnesses")
        request.nullifierWitnesses.forEach { w.sparseLeafWitness($0) }
        return w.bytes
    }

    /// Decodes a block witness, refusing with an error that names the offending field.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> BlockProofRequest {
        var r = PayloadReader(bytes)
        try r.header(kind, version: version)
        let previousHeader = try r.blockHeader("previous header")
        let batchCount = try r.count16("batches", limit: BlockProofRequest.maxBatches)
        var batches: [ProvenBatch] = []
        batches.reserveCapacity(batchCount)
        for k in 0..<batchCount {
            batches.append(try r.embedded("batch \(k)", ProvenBatchCodec.kind, limit: maxBatchBytes) {
                payload throws(DecodingError) in try ProvenBatchCodec.decode(payload)
            })
        }
        let accountWitnesses = try witnesses(&r, role: "account")
        let nullifierWitnesses = try witnesses(&r, role: "nullifier")
        try r.finish(kind)
        return BlockProofRequest(previousHeader: previousHeader, batches: batches, accountWitnesses: accountWitnesses,
                                 nullifierWitnesses: nullifierWitnesses)
    }

    /// A count of `role` witnesses, then the witnesses, each named "<role> witness k".
    private static func witnesses(_ r: inout PayloadReader, role: String) throws(DecodingError) -> [SparseLeafWitness] {
        let count = try r.count32("\(role) witnesses", limit: maxWitnesses)
        var witnesses: [SparseLeafWitness] = []
        witnesses.reserveCapacity(r.capacity(count, elementBytes: minWitnessBytes))
        for k in 0..<count { witnesses.append(try r.sparseLeafWitness("\(role) witness \(k)")) }
        return witnesses
    }
}
