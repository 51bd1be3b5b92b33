import STARK

extension TransactionAIR {
    /// The trace shape of a transaction of `shape`, counted from the shape alone (no placeholder
    /// witness, no schedule, no hashing): what a verifier checks a proof against before it builds
    /// the AIR. Equals `TransactionAIR(statement:).traceInfo` for every shape within the limits;
    /// throws for a shape outside them (checked first, so no count can overflow).
    public static func traceInfo(for shape: TransactionShape) throws(ProtocolError) -> TraceInfo {
        try shape.validate()
        return traceInfo(chipletCycles: 1 + scheduledBlocks(for: shape), assetMessages: assetMessageCount(for: shape))
    }

    /// Chiplet blocks (one cycle each) of the schedule `TransactionSchedule` builds for `shape`.
    static func scheduledBlocks(for shape: TransactionShape) -> Int {
        // `hash_elements` of whole words: two words a block; no hash for no words.
        func sponge(words: Int) -> Int { (words + 1) / 2 }
        // `hash_elements` of loose elements (note inputs): eight a block; no hash for none.
        func elements(_ count: Int) -> Int { (count + 7) / 8 }
        // The vault list, the storage list, then the four-word header (two blocks).
        func account(vault: Int, storage: Int) -> Int { sponge(words: vault) + sponge(words: storage) + 2 }

        var blocks = account(vault: shape.vaultBefore, storage: shape.storageBefore)
            + account(vault: shape.vaultAfter, storage: shape.storageAfter)
        for note in shape.inputNotes {
            // The asset list, the inputs (a constant word for P2ID, else hashed), the four-word nullifier.
            blocks += sponge(words: note.assetCount) + (note.isPayToID ? 0 : elements(note.inputCount)) + 2
        }
        for note in shape.outputNotes {
            // serial ‖ script, the inputs, the recipient, the asset list, the note id.
            blocks += 1 + elements(note.inputCount) + 1 + sponge(words: note.assetCount) + 1
        }
        // The input-notes commitment (one word per nullifier), the output-notes one (id ‖ metadata per note).
        return blocks + sponge(words: shape.inputNotes.count) + sponge(words: 2 * shape.outputNotes.count)
    }

    /// Asset words offered to the ledger: both vaults and every note's assets.
    static func assetMessageCount(for shape: TransactionShape) -> Int {
        shape.vaultBefore + shape.vaultAfter + shape.inputNotes.reduce(0) { $0 + $1.assetCount }
            + shape.outputNotes.reduce(0) { $0 + $1.assetCount }
    }
}
