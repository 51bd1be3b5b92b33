import STARK

/// What a batch or block does to one account: its commitment before the first and after the
/// last of the transactions that touch it.
public struct AccountUpdate: Hashable, Sendable {
    public var accountID: Felt
    public var initialCommitment: Word
    public var finalCommitment: Word

    public init(accountID: Felt, initialCommitment: Word, finalCommitment: Word) {
        self.accountID = accountID
        self.initialCommitment = initialCommitment
        self.finalCommitment = finalCommitment
    }

    /// The account tree key `[0, 0, 0, id]`.
    public var key: Word { AccountUpdate.key(accountID) }

    /// The account tree key of `id`.
    public static func key(_ id: Felt) -> Word { Word(.zero, .zero, .zero, id) }

    /// Successive updates merged into one per account, in order of first appearance: the initial
    /// commitment of its first update and the final commitment of its last. Chaining (each update
    /// starting where the previous one of the account ended) is the caller's rule to check.
    public static func merged<S: Sequence>(_ updates: S) -> [AccountUpdate] where S.Element == AccountUpdate {
        var order: [Felt] = []
        var merged: [Felt: AccountUpdate] = [:]
        for u in updates {
            if merged[u.accountID] == nil { order.append(u.accountID) }
            merged[u.accountID, default: u].finalCommitment = u.finalCommitment
        }
        return order.map { merged[$0]! }
    }
}
