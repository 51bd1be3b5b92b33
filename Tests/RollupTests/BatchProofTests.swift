import Testing
@testable import STARK
@testable import Rollup

/// Batch proofs: the AIR alone over many id counts, the prover's rules (each broken once), and
/// the binding of the proof to its public inputs (tampered bytes, changed values, forged traces).
@Suite struct BatchProofTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)
    static let referenceNumber: UInt32 = 100

    /// Three proven transactions: `first` (account A), `other` (account B), `second` (account A again, after `first`).
    struct Fixture: Sendable {
        let first: ProvenTransaction
        let other: ProvenTransaction
        let second: ProvenTransaction
        let batch: ProvenBatch
    }

    static func witness(inputs: Int, outputs: Int, seed: UInt64, expiration: UInt32) -> TransactionInputs {
        var w = TransactionWitnessGenerator.make(inputs: inputs, outputs: outputs, seed: seed)
        w.referenceBlock = BlockReference(number: 60 + UInt32(seed), commitment: Word(Felt(seed), 1, 2, 3))
        w.expiration = expiration
        return w
    }

    static let fixture: Fixture = {
        let firstInputs = witness(inputs: 1, outputs: 2, seed: 11, expiration: 300)
        let first = try! TransactionProver.prove(firstInputs, options: options, threads: 2)
        let other = try! TransactionProver.prove(witness(inputs: 2, outputs: 1, seed: 12, expiration: 150), options: options, threads: 2)
        var secondInputs = witness(inputs: 0, outputs: 1, seed: 13, expiration: 400)
        let account = try! TransactionExecutor.execute(firstInputs).finalAccount
        secondInputs.account = account
        for k in secondInputs.outputNotes.indices {
            secondInputs.outputNotes[k].assets = [FungibleAsset(faucet: account.vault[0].faucet, amount: 1)]
        }
        let second = try! TransactionProver.prove(secondInputs, options: options, threads: 2)
        let batch = try! BatchProver.prove(proposed([first, other, second]), options: options, threads: 2)
        return Fixture(first: first, other: other, second: second, batch: batch)
    }()

    static func proposed(_ transactions: [ProvenTransaction], reference: UInt32 = referenceNumber) -> ProposedBatch {
        let header = BlockHeader(number: reference, previousCommitment: Word(9, 9, 9, 9), accountRoot: Word(1, 0, 0, 0),
                                 nullifierRoot: Word(2, 0, 0, 0), noteRoot: .zero, transactionCommitment: .zero)
        return ProposedBatch(referenceBlock: header, transactions: transactions)
    }

    /// Expects `BatchProver.prove` to refuse `batch` with a message containing every one of `fragments`.
    static func expectRefusal(_ batch: ProposedBatch, _ fragments: [String], _ what: String) {
        do {
            _ = try BatchProver.prove(batch, options: options, threads: 2)
            Issue.record("\(what): the batch was proven")
        } catch let error as ProtocolError {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(what): \(error.description) lacks \(fragment)")
            }
        } catch {
            Issue.record("\(what): unexpected error \(error)")
        }
    }

    static func ids(_ count: Int, salt: UInt64) -> [Word] {
        (0..<count).map { k in Word(Felt(UInt64(k) + 1), Felt(salt), Felt(UInt64(k) * 7 + salt), 5) }
    }

    // MARK: the AIR alone

    @Test(arguments: [0, 1, 2, 3, 5, 64])
    func batchAIRProvesHashesOfAnyCount(count: Int) throws {
        let statement = BatchPublicInputs(transactionIDs: Self.ids(count, salt: 1), noteIDs: Self.ids(count, salt: 2))
        if count == 0 { #expect(statement.batchID == .zero && statement.noteTreeRoot == .zero) }
        if count == 1 { #expect(statement.noteTreeRoot == statement.noteIDs[0]) }
        let air = BatchAIR(statement: statement)
        #expect(air.schedule.publicWires.count == (count == 0 ? 0 : count == 1 ? 1 : 2))
        let proof = ProofCodec.encode(try Prover.prove(air: air, trace: air.trace(), options: Self.options, threads: 2))
        try BatchProver.verify(statement: statement, proof: proof)

        var changes: [(String, BatchPublicInputs)] = []
        var s = statement; s.batchID.e1 += .one; changes.append(("batch id", s))
        s = statement; s.noteTreeRoot.e2 += .one; changes.append(("note tree root", s))
        if count > 0 {
            s = statement; s.transactionIDs[count - 1].e0 += .one; changes.append(("last transaction id", s))
            s = statement; s.noteIDs[0].e3 += .one; changes.append(("first note id", s))
            s = statement; s.noteIDs.append(.zero); changes.append(("an extra zero note", s))
        }
        for (what, changed) in changes {
            #expect(throws: (any Error).self, "\(count) ids: \(what)") { try BatchProver.verify(statement: changed, proof: proof) }
        }
    }

    @Test func emptySubtreesAreConstants() {
        // 5 notes: 8 leaves; the subtree over leaves 6..<8 is padding only and is not hashed.
        let schedule = BatchSchedule(transactionIDs: [], noteIDs: Self.ids(5, salt: 3))
        #expect(schedule.hashes.count == 6)
        #expect(BatchSchedule.emptySubtreeRoot(leafCount: 2) == Hash.merge(.zero, .zero))
        #expect(DenseMerkleTree(padding: Self.ids(5, salt: 3)).root == schedule.hashes.last!.digest)
    }

    /// A trace whose hashes are honest but where one merge input is not its child's digest.
    @Test func forgedInternalNodeFailsTheConstraints() throws {
        let notes = Self.ids(4, salt: 4)
        let tx = Self.ids(2, salt: 5)
        let honest = BatchAIR(statement: BatchPublicInputs(transactionIDs: tx, noteIDs: notes))
        // Chiplet order: the batch-id sponge, merge(n0, n1), merge(n2, n3), the root.
        var jobs = honest.schedule.jobs
        #expect(jobs.count == 4)
        let fakeNode = Word(42, 43, 44, 45)
        jobs[3] = HashJob.merge(fakeNode, jobs[2].digest)
        var leafJobs = honest.schedule.jobs
        let fakeLeaf = Word(7, 7, 7, 7)
        leafJobs[1] = HashJob.merge(fakeLeaf, notes[1])
        leafJobs[3] = HashJob.merge(leafJobs[1].digest, leafJobs[2].digest)
        for (what, forged) in [("internal node", jobs), ("leaf", leafJobs)] {
            let statement = BatchPublicInputs(transactionIDs: tx, noteIDs: notes, batchID: Hash.words(tx), noteTreeRoot: forged[3].digest)
            let air = BatchAIR(statement: statement)
            var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: air.traceInfo.length), count: HasherChiplet.width)
            HasherChiplet.fill(&columns, offset: 0, jobs: forged)
            let trace = TraceTable(columns: columns)
            #expect(throws: StarkError.self, "\(what): the prover's check") {
                try Prover.prove(air: air, trace: trace, options: Self.options, threads: 2)
            }
            if let proof = try? Prover.prove(air: air, trace: trace, options: Self.options, threads: 2, timings: nil, checkTrace: false) {
                #expect(throws: StarkError.self, "\(what): a forged proof verified") { try Verifier.verify(proof: proof, air: air) }
            }
        }
    }

    // MARK: the prover

    @Test func batchProvesAndVerifies() throws {
        let f = Self.fixture
        let batch = f.batch
        try batch.verify()
        let transactions = [f.first, f.other, f.second]
        #expect(batch.id == Hash.words(transactions.map(\.transactionID)))
        #expect(batch.noteTreeRoot == DenseMerkleTree(padding: transactions.flatMap { $0.outputNotes.map(\.id) }).root)
        #expect(batch.expiration == 150)
        #expect(batch.referenceBlock == Self.proposed([]).referenceBlock.reference)
        #expect(batch.nullifiers.count == 3 && batch.outputNotes.count == 4)
        #expect(batch.accountUpdates == [
            AccountUpdate(accountID: f.first.accountID, initialCommitment: f.first.initialCommitment, finalCommitment: f.second.finalCommitment),
            AccountUpdate(accountID: f.other.accountID, initialCommitment: f.other.initialCommitment, finalCommitment: f.other.finalCommitment),
        ])
    }

    @Test func sizeLimitsAreEnforced() {
        let f = Self.fixture
        Self.expectRefusal(Self.proposed([]), ["at least one transaction"], "empty batch")
        Self.expectRefusal(Self.proposed(Array(repeating: f.other, count: ProposedBatch.maxTransactions + 1)), ["at most 128"], "too many")
        var empty = f.batch
        empty.transactions = []
        #expect(throws: ProtocolError.self) { try empty.verify() }
    }

    @Test func eachRuleIsEnforcedNamingTheTransaction() {
        let f = Self.fixture
        let name = { (k: Int, tx: ProvenTransaction) in BatchRules.name(k, tx.transactionID) }
        // Reference block after the batch's: `other` refers to block 72.
        Self.expectRefusal(Self.proposed([f.first, f.other], reference: 71), [name(1, f.other), "reference block 72"], "reference block")
        // Expired: `other` expires at 150.
        Self.expectRefusal(Self.proposed([f.first, f.other], reference: 150), [name(1, f.other), "expired at block 150"], "expiration")
        // A nullifier twice, across transactions.
        Self.expectRefusal(Self.proposed([f.other, f.first, f.other]), [name(2, f.other), name(0, f.other), "already consumed"], "nullifier twice")
        // Account chain out of order.
        Self.expectRefusal(Self.proposed([f.second, f.first]), [name(1, f.first), name(0, f.second), "initial commitment"], "chain order")
        // A tampered transaction proof.
        var tampered = f.other
        tampered.proof[tampered.proof.count / 3] ^= 0x10
        Self.expectRefusal(Self.proposed([f.first, tampered]), [name(1, tampered), "proof does not verify"], "tampered proof")
    }

    @Test func verifyChecksTheListedHeaders() {
        let f = Self.fixture
        var swapped = f.batch
        swapped.transactions.swapAt(0, 2)
        #expect(throws: ProtocolError.self) { try swapped.verify() }
        var duplicate = f.batch
        duplicate.transactions[2].nullifiers = duplicate.transactions[1].nullifiers
        #expect(throws: ProtocolError.self) { try duplicate.verify() }
    }

    @Test func changedPublicInputsFailVerification() {
        let batch = Self.fixture.batch
        var changes: [(String, ProvenBatch)] = []
        var b = batch; b.id.e0 += .one; changes.append(("batch id", b))
        b = batch; b.noteTreeRoot.e3 += .one; changes.append(("note tree root", b))
        b = batch; b.transactions[1].nullifiers[0].e2 += .one; changes.append(("a nullifier", b))
        b = batch; b.transactions[1].initialCommitment.e1 += .one; changes.append(("an initial commitment", b))
        b = batch; b.transactions[0].finalCommitment.e0 += .one; changes.append(("a final commitment", b))
        b = batch; b.transactions[0].outputNotes[1].id.e2 += .one; changes.append(("a note id", b))
        b = batch; b.transactions[2].outputNotes[0].metadata.tag += .one; changes.append(("a note's metadata", b))
        b = batch; b.transactions.removeLast(); changes.append(("a dropped transaction", b))
        for (what, changed) in changes {
            #expect(throws: (any Error).self, "\(what)") { try changed.verify() }
        }
    }

    @Test func everySectionOfTheProofIsBound() throws {
        let batch = Self.fixture.batch
        let (bytes, sections) = ProofCodec.encodeWithSections(try ProofCodec.decode(batch.proof))
        #expect(bytes == batch.proof)
        var rng = WitnessRNG(seed: 99)
        var flips = 0
        for section in sections where !section.range.isEmpty {
            var offsets = Set([section.range.lowerBound, section.range.upperBound - 1, (section.range.lowerBound + section.range.upperBound) / 2])
            for _ in 0..<3 { offsets.insert(section.range.lowerBound + Int(rng.next() % UInt64(section.range.count))) }
            for offset in offsets {
                var tampered = batch
                tampered.proof[offset] ^= 0x01
                #expect(throws: StarkError.self, "section \(section.name), byte \(offset)") {
                    try BatchProver.verify(statement: tampered.statement, proof: tampered.proof)
                }
                flips += 1
            }
        }
        #expect(flips > 20)
    }
}
