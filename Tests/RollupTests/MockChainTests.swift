import Testing
import STARK
import Rollup

/// The mock chain without proving: transactions are "proven" with placeholder proof bytes and
/// batches assembled from their headers (test-only stand-ins for the provers), so these tests
/// check the chain's bookkeeping and that each invalid variant breaks its rule in the witness.
@Suite struct MockChainTests {
    static let placeholderProof = [UInt8](repeating: 7, count: 8)

    static func unprovenTransaction(_ inputs: TransactionInputs) throws -> ProvenTransaction {
        let outcome = try TransactionExecutor.execute(inputs)
        return ProvenTransaction(outcome: outcome, shape: TransactionShape(inputs: inputs, outcome: outcome), proof: placeholderProof)
    }

    static func unprovenBatch(_ batch: ProposedBatch) -> ProvenBatch {
        let headers = batch.transactions.map(TransactionHeader.init)
        return ProvenBatch(id: Hash.words(headers.map(\.id)), referenceBlock: batch.referenceBlock.reference, transactions: headers,
                           noteTreeRoot: DenseMerkleTree(padding: headers.flatMap(\.outputNotes).map(\.id)).root,
                           expiration: batch.transactions.map(\.expiration).min()!, proof: placeholderProof)
    }

    static func request(_ chain: inout MockChain, batches: Int = 2, transactions: Int = 3, violating: BlockViolation? = nil) throws -> BlockProofRequest {
        try chain.proposeBlock(batches: batches, transactionsPerBatch: transactions, violating: violating,
                               proveTransaction: unprovenTransaction, proveBatch: unprovenBatch)
    }

    static func batch(_ chain: inout MockChain, transactions: Int = 3, violating: BatchViolation? = nil) throws -> ProposedBatch {
        try chain.proposeBatch(transactions: transactions, violating: violating, prove: unprovenTransaction)
    }

    /// The block a prover would return for `request` (placeholder proof).
    static func block(_ chain: MockChain, _ request: BlockProofRequest) throws -> BlockProof {
        BlockProof(header: try chain.expectedHeader(for: request), previousHeader: request.previousHeader,
                   accountUpdates: MockChain.accountUpdates(of: request.batches), nullifiers: request.batches.flatMap(\.nullifiers),
                   batchNoteRoots: request.batches.map(\.noteTreeRoot), transactionIDs: request.batches.flatMap(\.transactionIDs),
                   proof: placeholderProof)
    }

    static func opens(_ witness: SparseLeafWitness, _ root: Word) -> Bool {
        SparseMerkleTree.computeRoot(leafEntries: witness.entries, index: witness.index, path: witness.path) == root
    }

    static func hasDuplicate(_ words: [Word]) -> Bool { Set(words).count != words.count }

    @Test func genesisHoldsEveryAccountAndAnEmptyNullifierTree() {
        let chain = MockChain(accounts: 6, seed: 3)
        #expect(Set(chain.accountIDs).count == 6)
        #expect(chain.header == .genesis(accountRoot: chain.accountTree.root, nullifierRoot: SparseMerkleTree().root))
        for account in chain.genesis.accounts {
            #expect(chain.accountTree.get(AccountUpdate.key(account.id)) == account.commitment)
            #expect((2...3).contains(account.vault.count))
            #expect((try? account.validate()) != nil)
        }
        #expect(MockChain(accounts: 6, seed: 3).header == chain.header, "deterministic in the seed")
    }

    @Test func statesAndRootsStayConsistentAcrossSeveralBlocks() throws {
        var chain = MockChain(accounts: 5, seed: 11)
        var spent: [Word] = []
        for number in 1...3 {
            // 2 × 3 transactions over 5 accounts: one account has two transactions, in two batches.
            let request = try Self.request(&chain)
            let previous = chain.header
            #expect(request.previousHeader == previous)
            #expect(request.accountWitnesses.count == 5)
            for witness in request.accountWitnesses {
                #expect(Self.opens(witness, previous.accountRoot))
                #expect(witness.entries.contains { $0.key == witness.key && $0.value == chain.accountTree.get(witness.key) })
            }
            for witness in request.nullifierWitnesses {
                #expect(Self.opens(witness, previous.nullifierRoot))
                #expect(!witness.entries.contains { $0.key == witness.key })
            }
            for update in MockChain.accountUpdates(of: request.batches) {
                #expect(update.initialCommitment == chain.accountTree.get(update.key))
                #expect(update.finalCommitment == chain.accounts[update.accountID]!.commitment)
            }
            let block = try Self.block(chain, request)
            try chain.apply(block)
            #expect(chain.header == block.header)
            #expect(chain.header.number == UInt32(number))
            #expect(chain.header.previousCommitment == previous.commitment)
            #expect(chain.accountTree.root == chain.header.accountRoot)
            #expect(chain.nullifierTree.root == chain.header.nullifierRoot)
            // The account tree rebuilt from scratch over every account's latest state.
            let rebuilt = SparseMerkleTree(entries: chain.accounts.map { SparseMerkleTree.Entry(key: AccountUpdate.key($0.key), value: $0.value.commitment) })
            #expect(rebuilt.root == chain.header.accountRoot)
            spent += block.nullifiers
            #expect(chain.nullifierTree.count == spent.count)
            for nullifier in block.nullifiers { #expect(chain.nullifierTree.get(nullifier) == Word(Felt(UInt64(number)), .zero, .zero, .zero)) }
            #expect(throws: ProtocolError.self) { try chain.apply(block) }  // does not follow any more
        }
        #expect(chain.spentNotes.map(\.nullifier) == spent)
    }

    @Test func aSecondTransactionOfAnAccountChainsOnItsFirst() throws {
        var chain = MockChain(accounts: 2, seed: 5)
        let batch = try Self.batch(&chain, transactions: 4)
        for pair in [(0, 2), (1, 3)] {
            let (a, b) = (batch.transactions[pair.0], batch.transactions[pair.1])
            #expect(a.accountID == b.accountID)
            #expect(a.finalCommitment == b.initialCommitment)
        }
        #expect(batch.transactions.allSatisfy { $0.referenceBlock == chain.header.reference && $0.expiration == chain.header.number + 100 })
    }

    @Test func everyBatchViolationBreaksItsRule() throws {
        var chain = MockChain(accounts: 4, seed: 9)
        let first = Self.unprovenBatch(try Self.batch(&chain))
        try chain.commitBlock(batches: [first])
        let valid = try Self.batch(&chain)
        #expect(!Self.hasDuplicate(valid.transactions.flatMap(\.nullifiers)))
        #expect(valid.transactions.allSatisfy { $0.expiration > valid.referenceBlock.number && $0.proof == Self.placeholderProof })

        let duplicate = try Self.batch(&chain, violating: .duplicateNullifier)
        #expect(Self.hasDuplicate(duplicate.transactions.flatMap(\.nullifiers)))

        let broken = try Self.batch(&chain, violating: .brokenChain)
        let head = broken.transactions[0], last = broken.transactions[broken.transactions.count - 1]
        #expect(head.accountID == last.accountID)
        #expect(head.initialCommitment == last.initialCommitment)
        #expect(head.finalCommitment != last.initialCommitment)

        let expired = try Self.batch(&chain, violating: .expired)
        #expect(expired.transactions.contains { $0.expiration <= expired.referenceBlock.number })

        let tampered = try Self.batch(&chain, violating: .tamperedProof)
        #expect(tampered.transactions.filter { $0.proof != Self.placeholderProof }.count == 1)

        var fresh = MockChain(accounts: 2, seed: 9)
        #expect(throws: ProtocolError.self) { try Self.batch(&fresh, violating: .expired) }  // nothing older than genesis
    }

    @Test func everyBlockViolationBreaksItsRule() throws {
        var chain = MockChain(accounts: 4, seed: 21)
        #expect(throws: ProtocolError.self) { try Self.request(&chain, violating: .spentNullifier) }  // nothing spent yet
        let firstRequest = try Self.request(&chain)
        try chain.apply(try Self.block(chain, firstRequest))

        let spent = try Self.request(&chain, violating: .spentNullifier)
        #expect(spent.nullifierWitnesses.contains { w in w.entries.contains { $0.key == w.key } && Self.opens(w, chain.header.nullifierRoot) })
        #expect(spent.batches.flatMap(\.nullifiers).contains { chain.nullifierTree.get($0) != .zero })
        #expect(throws: ProtocolError.self) { try chain.expectedHeader(for: spent) }

        let stale = try Self.request(&chain, violating: .staleAccount)
        #expect(stale.accountWitnesses.contains { w in
            !w.entries.contains { $0.key == w.key && $0.value == chain.accountTree.get(w.key) } && !Self.opens(w, chain.header.accountRoot)
        })

        let duplicate = try Self.request(&chain, violating: .duplicateNullifier)
        let perBatch = duplicate.batches.map { Set($0.nullifiers) }
        #expect(!perBatch[0].isDisjoint(with: perBatch[1]))
        #expect(throws: ProtocolError.self) { try chain.expectedHeader(for: duplicate) }

        let tampered = try Self.request(&chain, violating: .tamperedBatch)
        #expect(tampered.batches.filter { $0.proof != Self.placeholderProof }.count == 1)

        let wrongPath = try Self.request(&chain, violating: .wrongPath)
        #expect(wrongPath.accountWitnesses.contains { w in
            w.entries.contains { $0.key == w.key && $0.value == chain.accountTree.get(w.key) } && !Self.opens(w, chain.header.accountRoot)
        })

        let valid = try Self.request(&chain)
        #expect(valid.accountWitnesses.allSatisfy { Self.opens($0, chain.header.accountRoot) })
        #expect(valid.nullifierWitnesses.allSatisfy { Self.opens($0, chain.header.nullifierRoot) })
    }
}
