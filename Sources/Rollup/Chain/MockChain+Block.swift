import STARK

extension MockChain {
    /// The witness of the next block over `batches`: the latest header as previous header, for
    /// every updated account (`accountUpdates(of:)`) its leaf and path in the account tree, for
    /// every nullifier (in block order) its leaf and path in the nullifier tree.
    public func blockRequest(batches: [ProvenBatch]) -> BlockProofRequest {
        let accountWitnesses = Self.accountUpdates(of: batches).map { Self.witness(accountTree, key: $0.key) }
        let nullifierWitnesses = batches.flatMap(\.nullifiers).map { Self.witness(nullifierTree, key: $0) }
        return BlockProofRequest(previousHeader: header, batches: batches, accountWitnesses: accountWitnesses,
                                 nullifierWitnesses: nullifierWitnesses)
    }

    /// The next block's request over `batches` batches of `transactionsPerBatch` transactions with
    /// `notes` notes each, each batch proposed (`proposeBatch`) and proven with `proveBatch`; valid,
    /// or breaking `violation` (spent-nullifier needs a note spent by an earlier block,
    /// duplicate-nullifier 2 batches).
    public mutating func proposeBlock(batches: Int, transactionsPerBatch: Int, notes: Int = 1,
                                      violating violation: BlockViolation? = nil,
                                      proveTransaction: ProveTransaction, proveBatch: ProveBatch) throws -> BlockProofRequest {
        guard batches >= 1 else { throw ProtocolError.invalid("a block request needs at least one batch") }
        var forced: [Int: Note] = [:]
        var forcedAccount: Felt?
        switch violation {
        case .spentNullifier:
            guard let spent = spentNotes.first else {
                throw ProtocolError.invalid("spent-nullifier needs a note spent by an earlier block: apply a block first")
            }
            forced[0] = spent
            forcedAccount = spent.inputs.first
        case .duplicateNullifier:
            guard batches >= 2 else { throw ProtocolError.invalid("duplicate-nullifier needs at least 2 batches") }
            let note = sharedNote()
            forced[0] = note
            forced[batches - 1] = note
        default: break
        }
        var proven: [ProvenBatch] = []
        for b in 0..<batches {
            var plans = nextAccounts(transactionsPerBatch).map { MockTransactionPlan(account: $0) }
            if let note = forced[b], !plans.isEmpty {
                plans[0].forcedNote = note
                if b == 0, let owner = forcedAccount { plans[0].account = owner }
            }
            let transactions = try plans.map { plan in try proveTransaction(try executePlan(plan, notes: notes)) }
            proven.append(try proveBatch(ProposedBatch(referenceBlock: header, transactions: transactions)))
        }
        if violation == .tamperedBatch { proven[batches - 1].proof = proven[batches - 1].proof.tampered() }
        var request = blockRequest(batches: proven)
        switch violation {
        case .staleAccount:
            let update = Self.accountUpdates(of: proven)[0]
            request.accountWitnesses[0].entries = [SparseMerkleTree.Entry(key: update.key, value: update.finalCommitment)]
        case .wrongPath:
            request.accountWitnesses[0].path.siblings[0].e0 += .one
        default: break
        }
        return request
    }

    /// One update per account touched by `batches`, in order of first appearance: the initial
    /// commitment of its first batch and the final commitment of its last.
    public static func accountUpdates(of batches: [ProvenBatch]) -> [AccountUpdate] {
        AccountUpdate.merged(batches.flatMap(\.accountUpdates))
    }

    static func witness(_ tree: SparseMerkleTree, key: Word) -> SparseLeafWitness {
        let (entries, path) = tree.openLeaf(key)
        return SparseLeafWitness(key: key, entries: entries, path: path)
    }
}

extension MockChain {
    /// Advances the chain by one block of one batch of `transactions` valid transactions, proven
    /// with the closures but committed without a block proof (`commitBlock`): the set-up for
    /// scenarios that need an earlier block (an older header to reference, a note already spent).
    @discardableResult
    public mutating func commitBlock(transactions: Int, notes: Int = 1, proveTransaction: ProveTransaction,
                                     proveBatch: ProveBatch) throws -> BlockHeader {
        let batch = try proveBatch(try proposeBatch(transactions: transactions, notes: notes, prove: proveTransaction))
        return try commitBlock(batches: [batch])
    }
}
