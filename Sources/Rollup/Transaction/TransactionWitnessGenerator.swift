import STARK

/// Builds random transaction witnesses from a seed: valid ones, or ones that break one named rule
/// (for tests and for `ctl witness transaction --invalid RULE`).
public enum TransactionWitnessGenerator {
    /// The rules a generated witness can be made to break.
    public enum Violation: String, CaseIterable, Sendable {
        /// An output spends more of a faucet than the account holds after its inputs.
        case overspend
        /// An input note is a P2ID note addressed to another account.
        case foreignNote = "foreign-note"
        /// An input pushes a balance to 2^63 or more (needs at least one input note).
        case balanceOverflow = "balance-overflow"
        /// The same input note is consumed twice.
        case duplicateNote = "duplicate-note"
        /// A storage write targets a slot outside 0..<256.
        case storageSlot = "storage-slot"
        /// The expiration is not after the reference block.
        case expired
    }

    /// A witness with `inputs` input notes and `outputs` output notes; deterministic in `seed`.
    public static func make(inputs: Int, outputs: Int, seed: UInt64, violating violation: Violation? = nil) -> TransactionInputs {
        var rng = WitnessRNG(seed: seed)
        let accountID = Felt(rng.next() % (1 << 60) + 1)
        let faucets = (0..<3).map { _ in Felt(rng.next() % (1 << 60) + 1) }.sorted { $0.value < $1.value }
        var vault = faucets.map { FungibleAsset(faucet: $0, amount: rng.next() % 1_000_000 + 1_000) }
        if violation == .balanceOverflow { vault[0].amount = FungibleAsset.amountBound - 10 }
        let account = Account(
            id: accountID, nonce: Felt(rng.next() % 1000), vault: vault,
            storage: (0..<4).map { _ in rng.word() }, codeRoot: rng.word())

        var inputNotes = (0..<inputs).map { k -> Note in
            let target = (violation == .foreignNote && k == 0) ? accountID + .one : accountID
            var asset = FungibleAsset(faucet: faucets[k % faucets.count], amount: rng.next() % 10_000 + 1)
            if violation == .balanceOverflow && k == 0 { asset.amount = 1_000 }
            if k % 5 == 4 {
                return Note(serialNumber: rng.word(), scriptRoot: NoteScript.openRoot, inputs: [], assets: [asset],
                            metadata: NoteMetadata(sender: Felt(rng.next() % (1 << 60)), tag: Felt(rng.next() % 256)))
            }
            return Note.payToID(target: target, serialNumber: rng.word(), assets: [asset], sender: Felt(rng.next() % (1 << 60)),
                                tag: Felt(rng.next() % 256))
        }
        if violation == .duplicateNote, let first = inputNotes.first { inputNotes.append(first) }

        // Outputs spend at most a tenth of each starting balance, so a valid witness never overspends.
        let outputNotes = (0..<outputs).map { k -> Note in
            let faucet = faucets[k % faucets.count]
            var amount = rng.next() % 100 + 1
            if violation == .overspend && k == 0 { amount = FungibleAsset.amountBound - 1 }
            return Note.payToID(target: Felt(rng.next() % (1 << 60) + 1), serialNumber: rng.word(),
                                assets: [FungibleAsset(faucet: faucet, amount: amount)], sender: accountID)
        }
        var writes = [StorageWrite(slot: Int(rng.next() % 8), value: rng.word())]
        if violation == .storageSlot { writes.append(StorageWrite(slot: Account.maxStorageSlots, value: rng.word())) }
        let reference = BlockReference(number: UInt32(rng.next() % 10_000 + 1), commitment: rng.word())
        let expiration = violation == .expired ? reference.number : reference.number + UInt32(rng.next() % 100 + 1)
        return TransactionInputs(account: account, referenceBlock: reference, inputNotes: inputNotes,
                                 outputNotes: outputNotes, storageWrites: writes, expiration: expiration)
    }
}

/// The witness generators' deterministic generator.
typealias WitnessRNG = SplitMix64

extension SplitMix64 {
    /// A word of four field elements.
    mutating func word() -> Word { Word(felt(), felt(), felt(), felt()) }
}
