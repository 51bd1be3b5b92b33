import Testing
@testable import STARK
@testable import Rollup

/// Block proofs end to end on a mock chain with real transaction and batch proofs: round trip,
/// the new roots against trees rebuilt from scratch, every block rule broken once, tampering.
@Suite(.serialized) struct BlockProofTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    static func proveTransaction(_ inputs: TransactionInputs) throws -> ProvenTransaction {
        try TransactionProver.prove(inputs, options: options, threads: 2)
    }

    static func proveBatch(_ batch: ProposedBatch) throws -> ProvenBatch {
        try BatchProver.prove(batch, options: options, threads: 2)
    }

    /// A chain after one committed block (so a spent nullifier exists) and the next block's request.
    static func request(_ violation: BlockViolation? = nil) throws -> (MockChain, BlockProofRequest) {
        var chain = MockChain(accounts: 4, seed: 9)
        _ = try chain.commitBlock(transactions: 1, proveTransaction: proveTransaction, proveBatch: proveBatch)
        let request = try chain.proposeBlock(batches: 2, transactionsPerBatch: 1, violating: violation,
                                             proveTransaction: proveTransaction, proveBatch: proveBatch)
        return (chain, request)
    }

    @Test func blockRoundTripMatchesTreesRebuiltFromScratch() throws {
        var (chain, request) = try Self.request()
        let block = try BlockProver.prove(request, options: Self.options, threads: 2)
        try block.verify()
        #expect(block.header == (try chain.expectedHeader(for: request)))
        try chain.apply(block)
        // The same trees rebuilt from every entry the chain holds now.
        let accounts = SparseMerkleTree(entries: chain.accountTree.entries)
        let spent = SparseMerkleTree(entries: chain.nullifierTree.entries)
        #expect(block.header.accountRoot == accounts.root)
        #expect(block.header.nullifierRoot == spent.root)
        for n in block.nullifiers { #expect(spent.get(n) == BlockStatement.nullifierValue(block: block.header.number)) }
        for u in block.accountUpdates { #expect(accounts.get(u.key) == u.finalCommitment) }

        // Survives its encoding.
        let decoded = try BlockProofCodec.decode(BlockProofCodec.encode(block))
        try decoded.verify()

        // Changed public data fails.
        var changed: [(String, BlockProof)] = []
        var b = block
        b.header.accountRoot.e0 += .one
        changed.append(("account root", b))
        b = block
        b.header.nullifierRoot.e3 += .one
        changed.append(("nullifier root", b))
        b = block
        b.header.noteRoot.e1 += .one
        changed.append(("note root", b))
        b = block
        b.batchNoteRoots[0].e1 += .one
        changed.append(("a batch note root", b))
        b = block
        b.transactionIDs[0].e2 += .one
        changed.append(("a transaction id", b))
        b = block
        b.accountUpdates[0].finalCommitment.e0 += .one
        changed.append(("an account's final commitment", b))
        b = block
        b.accountUpdates.removeLast()
        changed.append(("a dropped account update", b))
        b = block
        b.nullifiers[0].e1 += .one
        changed.append(("a nullifier", b))
        b = block
        b.previousHeader.nullifierRoot.e0 += .one
        changed.append(("the previous header", b))
        b = block
        b.header.number += 1
        changed.append(("the block number", b))
        for (what, bad) in changed {
            #expect(throws: (any Error).self, "\(what)") { try bad.verify() }
        }
        let bytes = block.proof
        for offset in stride(from: 5, to: bytes.count, by: max(1, bytes.count / 61)) {
            var bad = block
            bad.proof[offset] ^= 0x01
            #expect(throws: (any Error).self, "proof byte \(offset)") { try bad.verify() }
        }
    }

    @Test(arguments: BlockViolation.allCases) func brokenRuleIsRefused(_ violation: BlockViolation) throws {
        let (_, request) = try Self.request(violation)
        let expected: String = switch violation {
        case .spentNullifier: "already spent"
        case .staleAccount: "stale state"
        case .duplicateNullifier: "again in batch 1"
        case .tamperedBatch: "batch 1"
        case .wrongPath: "witness path"
        }
        do {
            _ = try BlockProver.prove(request, options: Self.options, threads: 2)
            Issue.record("\(violation): a block breaking the rule was proven")
        } catch let error as ProtocolError {
            #expect(error.description.contains(expected), "\(violation): \(error)")
        }
    }

    @Test func batchRulesAcrossTheBlock() throws {
        let (chain, request) = try Self.request()
        // A batch whose reference block is not yet on chain.
        var future = request
        future.batches[0].referenceBlock.number = chain.header.number + 1
        #expect(throws: ProtocolError.self) { try BlockProver.prepare(future, threads: 2) }
        // A batch that expired before this block.
        var expired = request
        expired.batches[1].expiration = chain.header.number
        #expect(throws: ProtocolError.self) { try BlockProver.prepare(expired, threads: 2) }
        // A witness for an account no batch touches.
        var extra = request
        let other = chain.accountIDs.first { id in !request.batches.flatMap(\.accountUpdates).contains { $0.accountID == id } }!
        let (entries, path) = chain.accountTree.openLeaf(AccountUpdate.key(other))
        extra.accountWitnesses.append(SparseLeafWitness(key: AccountUpdate.key(other), entries: entries, path: path))
        #expect(throws: ProtocolError.self) { try BlockProver.prepare(extra, threads: 2) }
        // Too many tree updates: refused before any batch is verified.
        var huge = request
        let filler = (0..<BlockProofRequest.maxTreeUpdates).map { Word(Felt(UInt64($0)), .one, .one, .one) }
        huge.batches[0].transactions[0].nullifiers += filler
        #expect { try BlockProver.prepare(huge, threads: 2) } throws: { error in
            "\(error)".contains("at most \(BlockProofRequest.maxTreeUpdates) tree updates")
        }
        // A missing nullifier witness.
        var missing = request
        missing.nullifierWitnesses.removeLast()
        #expect(throws: ProtocolError.self) { try BlockProver.prepare(missing, threads: 2) }
    }
}
