import STARK

/// A deterministic mock rollup for tests, `ctl witness batch|block` and benchmarks: genesis
/// accounts in a sparse account tree, an empty nullifier tree and `BlockHeader.genesis`; it makes
/// transactions for its accounts, batches and block requests from them, and advances block by block.
///
/// Transactions are executed as they are made (`TransactionExecutor`), so an account's next
/// transaction starts from the state its previous one left, even before a block includes it.
/// The trees and the header change only when a block is applied. Proving goes through the
/// closures the caller passes: locally, through the service, or (in tests) not at all.
/// After making an invalid variant the pending account states follow the broken witness: keep a
/// copy of the chain (it is a value) if it must go on afterwards.
public struct MockChain: Sendable {
    /// Proves a transaction witness.
    public typealias ProveTransaction = (TransactionInputs) throws -> ProvenTransaction
    /// Proves a proposed batch.
    public typealias ProveBatch = (ProposedBatch) throws -> ProvenBatch

    /// How many blocks after its reference block a generated transaction expires.
    public static let expirationDelta: UInt32 = 100

    public let genesis: MockChainGenesis
    /// The latest block header.
    public internal(set) var header: BlockHeader
    /// Every header from genesis on (`headers[n].number == n`).
    public internal(set) var headers: [BlockHeader]
    /// Key `[0,0,0,id]` → account commitment, as of `header`.
    public internal(set) var accountTree: SparseMerkleTree
    /// Key nullifier → `[block_num,0,0,0]`, as of `header`.
    public internal(set) var nullifierTree: SparseMerkleTree
    /// Every account's latest state, including transactions not yet in a block.
    public internal(set) var accounts: [Felt: Account]
    /// The notes consumed by applied blocks, in order (their nullifiers are in `nullifierTree`).
    public internal(set) var spentNotes: [Note] = []
    /// Notes consumed by executed transactions, by nullifier (moved to `spentNotes` when a block spends them).
    var consumedNotes: [Word: Note] = [:]
    private var rng: WitnessRNG
    private var nextAccount = 0

    /// A chain of `accounts` genesis accounts (≥ 1), deterministic in `seed`.
    public init(accounts count: Int, seed: UInt64 = 1) {
        genesis = MockChainGenesis(accountCount: count, seed: seed)
        rng = WitnessRNG(seed: seed ^ 0x6D6F_636B_6368_6169)
        accounts = Dictionary(uniqueKeysWithValues: genesis.accounts.map { ($0.id, $0) })
        accountTree = SparseMerkleTree(entries: genesis.accounts.map {
            SparseMerkleTree.Entry(key: AccountUpdate.key($0.id), value: $0.commitment)
        })
        nullifierTree = SparseMerkleTree()
        header = .genesis(accountRoot: accountTree.root, nullifierRoot: nullifierTree.root)
        headers = [header]
    }

    /// The account ids, in genesis order.
    public var accountIDs: [Felt] { genesis.accounts.map(\.id) }

    // MARK: - Transactions

    /// A valid witness for `account`'s latest state (or for `base`, a state of the same account):
    /// `notes` fresh P2ID input notes addressed to it and `notes` P2ID output notes to the next
    /// account, one storage write, reference = `reference` (default: the latest header),
    /// expiration = reference + 100 unless given. Does not execute it.
    public mutating func transactionInputs(for account: Felt, notes: Int, base: Account? = nil, reference: BlockHeader? = nil,
                                           expiration: UInt32? = nil) -> TransactionInputs {
        let state = base ?? accounts[account]!
        let ids = accountIDs
        let next = ids[((ids.firstIndex(of: account) ?? 0) + 1) % ids.count]
        let inputNotes = (0..<notes).map { k in
            Note.payToID(target: account, serialNumber: rng.word(),
                         assets: [FungibleAsset(faucet: genesis.faucets[k % genesis.faucets.count], amount: rng.next() % 10_000 + 1)],
                         sender: next, tag: Felt(rng.next() % 256))
        }
        // Outputs spend at most 100 per note from faucets holding more than 100 per note: never an overspend.
        let rich = state.vault.filter { $0.amount > 100 * UInt64(notes) + 100 }.map(\.faucet)
        let spendable = rich.isEmpty ? inputNotes.map { $0.assets[0].faucet } : rich
        let outputNotes = (0..<notes).map { k in
            Note.payToID(target: next, serialNumber: rng.word(),
                         assets: [FungibleAsset(faucet: spendable[k % spendable.count], amount: rich.isEmpty ? 1 : rng.next() % 100 + 1)],
                         sender: account, tag: Felt(rng.next() % 256))
        }
        let reference = reference ?? header
        return TransactionInputs(
            account: state, referenceBlock: reference.reference, inputNotes: inputNotes, outputNotes: outputNotes,
            storageWrites: [StorageWrite(slot: Int(rng.next() % 4), value: rng.word())],
            expiration: expiration ?? reference.number + Self.expirationDelta)
    }

    /// Executes `inputs` and keeps the account's new state (its next transaction chains on it).
    @discardableResult
    public mutating func execute(_ inputs: TransactionInputs) throws(ProtocolError) -> TransactionOutcome {
        let outcome = try TransactionExecutor.execute(inputs)
        accounts[outcome.accountID] = outcome.finalAccount
        for note in inputs.inputNotes { consumedNotes[note.nullifier] = note }
        return outcome
    }

    /// The next `count` accounts, round-robin (an account repeats once every account had a turn).
    mutating func nextAccounts(_ count: Int) -> [Felt] {
        let ids = accountIDs
        return (0..<count).map { _ in
            defer { nextAccount = (nextAccount + 1) % ids.count }
            return ids[nextAccount]
        }
    }

    /// An open note (consumable by anyone) with one asset: the note two transactions share in the
    /// duplicate-nullifier variants.
    mutating func sharedNote() -> Note {
        Note(serialNumber: rng.word(), scriptRoot: NoteScript.openRoot, inputs: [],
             assets: [FungibleAsset(faucet: genesis.faucets[0], amount: rng.next() % 1000 + 1)],
             metadata: NoteMetadata(sender: accountIDs[0], tag: .zero))
    }
}
