import STARK

/// The versioned binary encoding of a `TransactionInputs` witness (magic "MTXI", version 1).
///
/// Layout, little-endian; a felt is 8 bytes (< p), a word 4 felts, an asset `faucet felt ‖ amount u64`:
/// ```
/// "MTXI" ‖ version u8
/// account:         id felt ‖ nonce felt ‖ vault: count u32 (≤ 65,536) ‖ assets
///                  ‖ storage: count u16 (≤ 256) ‖ words ‖ code root word
/// reference block: number u32 ‖ commitment word
/// input notes:     count u16 (≤ 1024) ‖ notes
/// output notes:    count u16 (≤ 1024) ‖ notes
/// storage writes:  count u16 (≤ 256) ‖ (slot u16 (< 256) ‖ value word)*
/// expiration u32
/// note = serial number word ‖ script root word ‖ inputs: count u16 (≤ 16) ‖ felts
///        ‖ assets: count u16 (≤ 16) ‖ assets ‖ metadata: sender felt ‖ tag felt
/// ```
/// The decoder checks the encoding (canonical felts, amounts < 2^63, counts, slots, no trailing
/// bytes), not the transaction rules: vault order, note consumability and balances are
/// `TransactionExecutor`'s. Every accepted payload re-encodes to the same bytes.
public enum TransactionInputsCodec {
    /// "MTXI".
    public static let kind = PayloadKind.transactionInputs
    /// The format version written and read.
    public static let version: UInt8 = 1
    /// The largest vault the encoding carries. A limit of this codec, not a protocol rule.
    public static let maxVaultAssets = FungibleAsset.vaultLimit

    /// Encodes a witness. Values within the limits round-trip; a value that fits its wire field
    /// but breaks a limit is written as-is (the decoder refuses it, naming it); a count beyond
    /// its wire field (65,535 notes) or a storage slot outside 0...65,535 traps.
    public static func encode(_ inputs: TransactionInputs) -> [UInt8] {
        var w = PayloadWriter()
        w.header(kind, version: version)

        let account = inputs.account
        w.felt(account.id)
        w.felt(account.nonce)
        w.count32(account.vault.count, "account vault assets")
        account.vault.forEach { w.asset($0) }
        w.u16(account.storage.count, "account storage slots")
        account.storage.forEach { w.word($0) }
        w.word(account.codeRoot)

        w.blockReference(inputs.referenceBlock)
        w.u16(inputs.inputNotes.count, "input notes")
        inputs.inputNotes.forEach { encode($0, into: &w) }
        w.u16(inputs.outputNotes.count, "output notes")
        inputs.outputNotes.forEach { encode($0, into: &w) }
        w.u16(inputs.storageWrites.count, "storage writes")
        for (k, write) in inputs.storageWrites.enumerated() {
            w.u16(write.slot, "storage write \(k): slot")
            w.word(write.value)
        }
        w.u32(inputs.expiration)
        return w.bytes
    }

    /// Decodes a witness, refusing with an error that names the offending field.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> TransactionInputs {
        var r = PayloadReader(bytes)
        try r.header(kind, version: version)

        let account = try r.within("account") { r throws(DecodingError) in
            let id = try r.felt("id")
            let nonce = try r.felt("nonce")
            let vaultCount = try r.count32("vault assets", limit: maxVaultAssets)
            var vault: [FungibleAsset] = []
            vault.reserveCapacity(vaultCount)
            for k in 0..<vaultCount { vault.append(try r.asset("vault asset \(k)")) }
            let slotCount = try r.count16("storage slots", limit: Account.maxStorageSlots)
            var storage: [Word] = []
            storage.reserveCapacity(slotCount)
            for k in 0..<slotCount { storage.append(try r.word("storage slot \(k)")) }
            let codeRoot = try r.word("code root")
            return Account(id: id, nonce: nonce, vault: vault, storage: storage, codeRoot: codeRoot)
        }

        let referenceBlock = try r.blockReference("reference block")
        let inputNotes = try notes(&r, role: "input", limit: TransactionInputs.maxInputNotes)
        let outputNotes = try notes(&r, role: "output", limit: TransactionInputs.maxOutputNotes)

        let writeCount = try r.count16("storage writes", limit: TransactionInputs.maxStorageWrites)
        var writes: [StorageWrite] = []
        writes.reserveCapacity(writeCount)
        for k in 0..<writeCount {
            writes.append(try r.within("storage write \(k)") { r throws(DecodingError) in
                let slot = try r.u16("slot")
                guard Int(slot) < Account.maxStorageSlots else {
                    throw .valueOutOfRange(field: r.path("slot"), value: UInt64(slot), limit: UInt64(Account.maxStorageSlots))
                }
                return StorageWrite(slot: Int(slot), value: try r.word("value"))
            })
        }
        let expiration = try r.u32("expiration")
        try r.finish(kind)

        return TransactionInputs(account: account, referenceBlock: referenceBlock, inputNotes: inputNotes,
                                 outputNotes: outputNotes, storageWrites: writes, expiration: expiration)
    }

    private static func encode(_ note: Note, into w: inout PayloadWriter) {
        w.word(note.serialNumber)
        w.word(note.scriptRoot)
        w.u16(note.inputs.count, "note inputs")
        note.inputs.forEach { w.felt($0) }
        w.u16(note.assets.count, "note assets")
        note.assets.forEach { w.asset($0) }
        w.metadata(note.metadata)
    }

    /// A count of `role` notes, then the notes, each named "<role> note k".
    private static func notes(_ r: inout PayloadReader, role: String, limit: Int) throws(DecodingError) -> [Note] {
        let count = try r.count16("\(role) notes", limit: limit)
        var notes: [Note] = []
        notes.reserveCapacity(count)
        for k in 0..<count {
            notes.append(try r.within("\(role) note \(k)") { r throws(DecodingError) in
                let serialNumber = try r.word("serial number")
                let scriptRoot = try r.word("script root")
                let inputCount = try r.count16("inputs", limit: Note.maxInputs)
                var inputs: [Felt] = []
                inputs.reserveCapacity(inputCount)
                for j in 0..<inputCount { inputs.append(try r.felt("input \(j)")) }
                let assetCount = try r.count16("assets", limit: Note.maxAssets)
                var assets: [FungibleAsset] = []
                assets.reserveCapacity(assetCount)
                for j in 0..<assetCount { assets.append(try r.asset("asset \(j)")) }
                let metadata = try r.metadata()
                return Note(serialNumber: serialNumber, scriptRoot: scriptRoot, inputs: inputs, assets: assets, metadata: metadata)
            })
        }
        return notes
    }
}
