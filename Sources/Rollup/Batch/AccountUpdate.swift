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
}
