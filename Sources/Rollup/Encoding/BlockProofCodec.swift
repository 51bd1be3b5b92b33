import STARK

/// The versioned binary encoding of a `BlockProof` (magic "MBKP", version 1).
///
/// Layout, little-endian; a felt is 8 bytes (< p), a word 4 felts:
/// ```
/// "MBKP" ‖ version u8
/// header, previous header: each number u32 ‖ previous commitment word ‖ account root word
///                          ‖ nullifier root word ‖ note root word ‖ transaction commitment word
/// account updates:  count u32 (≤ 2^20) ‖ (account id felt ‖ initial commitment word ‖ final commitment word)*
/// nullifiers:       count u32 (≤ 2^20) ‖ words
/// batch note roots: count u16 (≤ 64) ‖ words
/// transaction ids:  count u32 (≤ 2^20) ‖ words
/// proof:            length u32 (≤ 16 MiB) ‖ bytes
/// ```
/// The decoder checks the encoding only: it does not recompute the header commitment, the note
/// root or the transaction commitment, nor look inside the proof (`BlockProof.verify()` does).
/// Every accepted payload re-encodes to the same bytes.
public enum BlockProofCodec {
    /// "MBKP".
    public static let kind = PayloadKind.blockProof
    /// The format version written and read.
    public static let version: UInt8 = 1
    /// Account updates, nullifiers, and transaction ids, one block proof lists (each). A limit
    /// of this codec.
    public static let maxEntries = 1 << 20
    /// The wire size of an account update: id, two commitments.
    static let accountUpdateBytes = 8 + 2 * 32

    /// Encodes a block proof. A count that fits its wire field but breaks a limit is written
    /// as-is (the decoder refuses it); a count beyond its wire field traps.
    public static func encode(_ proof: BlockProof) -> [UInt8] {
        var w = PayloadWriter()
        w.header(kind, version: version)
        w.blockHeader(proof.header)
        w.blockHeader(proof.previousHeader)
        w.count32(proof.accountUpdates.count, "account updates")
        for update in proof.accountUpdates {
            w.felt(update.accountID)
            w.word(update.initialCommitment)
            w.word(update.finalCommitment)
        }
        w.count32(proof.nullifiers.count, "nullifiers")
        proof.nullifiers.forEach { w.word($0) }
        w.u16(proof.batchNoteRoots.count, "batch note roots")
        proof.batchNoteRoots.forEach { w.word($0) }
        w.count32(proof.transactionIDs.count, "transaction ids")
        proof.transactionIDs.forEach { w.word($0) }
        w.count32(proof.proof.count, "proof bytes")
        w.raw(proof.proof)
        return w.bytes
    }

    /// Decodes a block proof, refusing with an error that names the offending field.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> BlockProof {
        var r = PayloadReader(bytes)
        try r.header(kind, version: version)
        let header = try r.blockHeader("header")
        let previousHeader = try r.blockHeader("previous header")

        let updateCount = try r.count32("account updates", limit: maxEntries)
        var accountUpdates: [AccountUpdate] = []
        accountUpdates.reserveCapacity(r.capacity(updateCount, elementBytes: accountUpdateBytes))
        for k in 0..<updateCount {
            accountUpdates.append(try r.within("account update \(k)") { r throws(DecodingError) in
                AccountUpdate(accountID: try r.felt("account id"), initialCommitment: try r.word("initial commitment"),
                              finalCommitment: try r.word("final commitment"))
            })
        }
        let nullifiers = try r.words("nullifier", count: try r.count32("nullifiers", limit: maxEntries))
        let batchNoteRoots = try r.words("batch note root", count: try r.count16("batch note roots", limit: BlockProofRequest.maxBatches))
        let transactionIDs = try r.words("transaction id", count: try r.count32("transaction ids", limit: maxEntries))
        let proofLength = try r.count32("proof bytes", limit: BlockProof.maxProofBytes)
        let proof = Array(try r.take(proofLength, "proof"))
        try r.finish(kind)
        return BlockProof(header: header, previousHeader: previousHeader, accountUpdates: accountUpdates,
                          nullifiers: nullifiers, batchNoteRoots: batchNoteRoots, transactionIDs: transactionIDs, proof: proof)
    }
}
