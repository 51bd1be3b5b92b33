import STARK

/// The witness of a batch proof: a reference block header and an ordered list of proven
/// transactions (PROTOCOL.md "Batch proof").
public struct ProposedBatch: Hashable, Sendable {
    /// The most transactions one batch carries.
    public static let maxTransactions = 128
    public var referenceBlock: BlockHeader
    public var transactions: [ProvenTransaction]

    public init(referenceBlock: BlockHeader, transactions: [ProvenTransaction]) {
        self.referenceBlock = referenceBlock
        self.transactions = transactions
    }
}
