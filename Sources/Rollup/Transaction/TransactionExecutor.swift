import STARK

/// Applies the transaction rules of PROTOCOL.md to a witness: every input note consumable by the
/// account, per-faucet balances integral and within [0, 2^63) after every step, storage writes
/// applied, code unchanged, nonce + 1. Refuses a witness that breaks a rule with an error naming it.
public enum TransactionExecutor {
    public static func execute(_ inputs: TransactionInputs) throws(ProtocolError) -> TransactionOutcome {
        let before = inputs.account
        do { try before.validate() } catch { throw .invalid("account: \(error)") }
        for (k, note) in inputs.inputNotes.enumerated() {
            do { try note.validate() } catch { throw .invalid("input note \(k): \(error)") }
            guard note.isConsumable(by: before.id) else {
                throw .invalid("input note \(k): not consumable by account \(before.id) (not a P2ID note for it, nor an open note)")
            }
        }
        for (k, note) in inputs.outputNotes.enumerated() {
            do { try note.validate() } catch { throw .invalid("output note \(k): \(error)") }
        }
        let nullifiers = inputs.inputNotes.map(\.nullifier)
        if let dup = firstDuplicate(nullifiers) { throw .invalid("input note \(dup): consumed twice in one transaction") }

        // Balances as integers: add every input asset, then subtract every output asset, checking each step.
        var balances: [UInt64: UInt64] = [:]
        for asset in before.vault { balances[asset.faucet.value] = asset.amount }
        for (k, note) in inputs.inputNotes.enumerated() {
            for (j, asset) in note.assets.enumerated() {
                let sum = balances[asset.faucet.value, default: 0] + asset.amount  // both < 2^63: no overflow
                guard sum < FungibleAsset.amountBound else {
                    throw .invalid("input note \(k) asset \(j): balance of faucet \(asset.faucet) would reach 2^63")
                }
                balances[asset.faucet.value] = sum
            }
        }
        for (k, note) in inputs.outputNotes.enumerated() {
            for (j, asset) in note.assets.enumerated() {
                let balance = balances[asset.faucet.value, default: 0]
                guard asset.amount <= balance else {
                    throw .invalid("output note \(k) asset \(j): spends \(asset.amount) of faucet \(asset.faucet) but the balance is \(balance)")
                }
                balances[asset.faucet.value] = balance - asset.amount
            }
        }

        var after = before
        after.vault = balances.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            .map { FungibleAsset(faucet: Felt(unchecked: $0.key), amount: $0.value) }
        for (k, write) in inputs.storageWrites.enumerated() {
            guard write.slot >= 0, write.slot < Account.maxStorageSlots else {
                throw .invalid("storage write \(k): slot \(write.slot) outside 0..<\(Account.maxStorageSlots)")
            }
            while after.storage.count <= write.slot { after.storage.append(.zero) }
            after.storage[write.slot] = write.value
        }
        guard before.nonce.value < Felt.modulus - 1 else { throw .invalid("account: nonce cannot be incremented") }
        after.nonce = before.nonce + .one
        guard inputs.expiration > inputs.referenceBlock.number else {
            throw .invalid("expiration block \(inputs.expiration) is not after the reference block \(inputs.referenceBlock.number)")
        }

        return TransactionOutcome(
            accountID: before.id, initialCommitment: before.commitment, finalCommitment: after.commitment,
            finalAccount: after, nullifiers: nullifiers,
            outputNotes: inputs.outputNotes.map { OutputNoteHeader(id: $0.id, metadata: $0.metadata) },
            referenceBlock: inputs.referenceBlock, expiration: inputs.expiration)
    }

    static func firstDuplicate(_ words: [Word]) -> Int? {
        var seen = Set<Word>()
        for (k, w) in words.enumerated() where !seen.insert(w).inserted { return k }
        return nil
    }
}
