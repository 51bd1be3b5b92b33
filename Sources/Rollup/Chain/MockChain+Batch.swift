import STARK

/// How one transaction of a mock batch is made: for which account, from which state, with which
/// note forced in, against which reference block.
struct MockTransactionPlan {
    var account: Felt
    /// A state to start from instead of the account's latest (the broken-chain variant).
    var base: Account? = nil
    /// A note put first among the inputs (a shared or already spent note).
    var forcedNote: Note? = nil
    var reference: BlockHeader? = nil
    var expiration: UInt32? = nil
}

extension MockChain {
    /// A proposed batch of `transactions` transactions (≥ 1) of the next accounts round-robin,
    /// each with `notes` input and output notes, referencing the latest header; valid, or breaking
    /// `violation` (duplicate-nullifier and broken-chain need ≥ 2 transactions, expired a header
    /// after genesis). Every transaction is executed, then proven with `prove`.
    public mutating func proposeBatch(transactions: Int, notes: Int = 1, violating violation: BatchViolation? = nil,
                                      prove: ProveTransaction) throws -> ProposedBatch {
        guard transactions >= 1 else { throw ProtocolError.invalid("a batch needs at least one transaction") }
        var plans = nextAccounts(transactions).map { MockTransactionPlan(account: $0) }
        var tamper = false
        switch violation {
        case nil: break
        case .duplicateNullifier:
            guard transactions >= 2 else { throw ProtocolError.invalid("duplicate-nullifier needs at least 2 transactions") }
            let note = sharedNote()
            plans[0].forcedNote = note
            plans[transactions - 1].forcedNote = note
        case .brokenChain:
            guard transactions >= 2 else { throw ProtocolError.invalid("broken-chain needs at least 2 transactions") }
            plans[transactions - 1].account = plans[0].account
            plans[transactions - 1].base = accounts[plans[0].account]
        case .expired:
            guard header.number >= 1 else { throw ProtocolError.invalid("expired needs a block after genesis to reference an older one") }
            plans[0].reference = headers[Int(header.number) - 1]
            plans[0].expiration = header.number
        case .tamperedProof:
            tamper = true
        }
        var proven = try plans.map { plan in try prove(try executePlan(plan, notes: notes)) }
        if tamper { proven[proven.count - 1].proof = proven[proven.count - 1].proof.tampered() }
        return ProposedBatch(referenceBlock: header, transactions: proven)
    }

    /// Makes and executes the witness of one planned transaction.
    mutating func executePlan(_ plan: MockTransactionPlan, notes: Int) throws -> TransactionInputs {
        var inputs = transactionInputs(for: plan.account, notes: notes, base: plan.base, reference: plan.reference,
                                       expiration: plan.expiration)
        if let note = plan.forcedNote { inputs.inputNotes.insert(note, at: 0) }
        try execute(inputs)
        return inputs
    }
}
