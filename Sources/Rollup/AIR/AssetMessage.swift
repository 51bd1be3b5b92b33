import STARK

/// Where an asset word sits: in the vault before or after the transaction, or in an input or output note.
public enum AssetKind: Int, Sendable, CaseIterable {
    case before = 0, input = 1, output = 2, after = 3
}

/// A ledger-bus message: one asset word of a hashed list, offered by the block that absorbs it
/// and taken once by the ledger row that accounts for it.
///
/// Compression: `key + α·amount + α²·faucet` with `key = 3 + 4·kind + 16·index`; `index` is the
/// word's position in its vault list (before/after) and 0 for note assets.
public struct AssetMessage: Hashable, Sendable {
    public var kind: AssetKind
    public var index: Int
    public var faucet: Felt
    public var amount: UInt64

    public init(kind: AssetKind, index: Int, faucet: Felt, amount: UInt64) {
        self.kind = kind
        self.index = index
        self.faucet = faucet
        self.amount = amount
    }

    /// The key term for a kind value and index (both may be trace expressions).
    @inline(__always)
    public static func key<E: FieldElement>(kind: E, index: E) -> E {
        E(Felt(3)) + kind.scaled(by: Felt(4)) + index.scaled(by: Felt(16))
    }

    /// The compressed message from field values (works on trace values and on public data).
    @inline(__always)
    public static func compress<E: FieldElement>(kind: E, index: E, faucet: E, amount: E, alpha: QuadFelt, lift: (E) -> QuadFelt) -> QuadFelt {
        lift(key(kind: kind, index: index)) + alpha * lift(amount) + alpha * alpha * lift(faucet)
    }

    /// This message compressed with challenge `alpha`.
    public func compressed(alpha: QuadFelt) -> QuadFelt {
        AssetMessage.compress(kind: Felt(UInt64(kind.rawValue)), index: Felt(UInt64(index)), faucet: faucet,
                              amount: Felt(amount), alpha: alpha, lift: { QuadFelt($0) })
    }
}
