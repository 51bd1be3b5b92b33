import STARK

/// A fungible asset: an amount of the token issued by the faucet account `faucet`.
/// Amounts are integers below 2^63; as a Word `[amount, 0, 0, faucet]`. Balances are integers too:
/// the ledger proves them without wrapping mod p (see `LedgerSection`, byte range checks on `RangeCheckBus`).
public struct FungibleAsset: Hashable, Sendable {
    /// Amounts must be below this bound.
    public static let amountBound: UInt64 = 1 << 63

    public var faucet: Felt
    public var amount: UInt64

    public init(faucet: Felt, amount: UInt64) {
        self.faucet = faucet
        self.amount = amount
    }

    /// True if the amount is in [0, 2^63).
    public var isValid: Bool { amount < FungibleAsset.amountBound }

    public var word: Word { Word(Felt(unchecked: amount), .zero, .zero, faucet) }

    /// `hash_elements` of the asset words in order (vault roots and note asset commitments).
    public static func commitment(_ assets: [FungibleAsset]) -> Word { Hash.words(assets.map(\.word)) }
}
