import STARK

/// An account's full state: id, nonce, vault (fungible assets sorted by faucet, one per faucet),
/// storage (up to 256 Word slots) and the root of its code.
public struct Account: Hashable, Sendable {
    public static let maxStorageSlots = 256

    public var id: Felt
    public var nonce: Felt
    public var vault: [FungibleAsset]
    public var storage: [Word]
    public var codeRoot: Word

    public init(id: Felt, nonce: Felt, vault: [FungibleAsset], storage: [Word], codeRoot: Word) {
        self.id = id
        self.nonce = nonce
        self.vault = vault
        self.storage = storage
        self.codeRoot = codeRoot
    }

    /// `hash_elements(asset words)`.
    public var vaultRoot: Word { FungibleAsset.commitment(vault) }
    /// `hash_elements(slot words)`.
    public var storageRoot: Word { Hash.words(storage) }
    /// `hash_elements([id, nonce, 0, 0] ‖ vault_root ‖ storage_root ‖ code_root)`.
    public var commitment: Word {
        Hash.elements([id, nonce, .zero, .zero] + vaultRoot.elements + storageRoot.elements + codeRoot.elements)
    }

    /// The balance of `faucet` in the vault (0 when absent).
    public func balance(of faucet: Felt) -> UInt64 { vault.first { $0.faucet == faucet }?.amount ?? 0 }

    /// Checks the vault is sorted by faucet with unique faucets and valid amounts, and storage fits.
    public func validate() throws(ProtocolError) {
        for (k, asset) in vault.enumerated() {
            guard asset.isValid else { throw .invalid("vault asset \(k): amount \(asset.amount) ≥ 2^63") }
            if k > 0, vault[k - 1].faucet.value >= asset.faucet.value {
                throw .invalid("vault asset \(k): faucets must be strictly increasing")
            }
        }
        guard vault.count <= FungibleAsset.vaultLimit else {
            throw .invalid("vault has \(vault.count) assets; at most \(FungibleAsset.vaultLimit)")
        }
        guard storage.count <= Account.maxStorageSlots else {
            throw .invalid("storage has \(storage.count) slots; at most \(Account.maxStorageSlots)")
        }
    }
}

/// A protocol rule or shape was violated; the message names the offending part.
public enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let m): return m }
    }
}
