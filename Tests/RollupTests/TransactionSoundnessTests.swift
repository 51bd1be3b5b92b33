import Testing
@testable import STARK
@testable import Rollup

/// Each protocol rule broken twice: in the witness (the prover refuses it with a message), and in
/// a trace forged to break only that rule while every hash is honest (no verifying proof exists).
@Suite struct TransactionSoundnessTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    static func witness(assets: Bool) -> TransactionInputs {
        var w = TransactionWitnessGenerator.make(inputs: 2, outputs: 2, seed: 21)
        if !assets {
            w.account.vault = []
            for k in w.inputNotes.indices { w.inputNotes[k].assets = [] }
            for k in w.outputNotes.indices { w.outputNotes[k].assets = [] }
        }
        return w
    }

    /// An outcome for `after`, with commitments recomputed honestly from the forged account.
    static func outcome(_ inputs: TransactionInputs, after: Account) -> TransactionOutcome {
        TransactionOutcome(
            accountID: inputs.account.id, initialCommitment: inputs.account.commitment, finalCommitment: after.commitment,
            finalAccount: after, nullifiers: inputs.inputNotes.map(\.nullifier),
            outputNotes: inputs.outputNotes.map { OutputNoteHeader(id: $0.id, metadata: $0.metadata) },
            referenceBlock: inputs.referenceBlock, expiration: inputs.expiration)
    }

    /// Proves a forged trace without the prover's checks: either proving fails or the proof does not verify.
    static func expectNoValidProof(_ inputs: TransactionInputs, _ outcome: TransactionOutcome, _ what: String) {
        do {
            let (air, trace) = try TransactionProver.trace(inputs: inputs, outcome: outcome, checked: false)
            #expect(throws: StarkError.self, "\(what): the prover's check") {
                try Prover.prove(air: air, trace: trace, options: options, threads: 2)
            }
            do {
                let proof = try Prover.prove(air: air, trace: trace, options: options, threads: 2, timings: nil, checkTrace: false)
                #expect(throws: StarkError.self, "\(what): a forged proof verified") {
                    try Verifier.verify(proof: proof, air: TransactionAIR(statement: air.statement))
                }
            } catch {}
        } catch {
            Issue.record("\(what): the forged trace could not be built (\(error)), so the test proves nothing")
        }
    }

    @Test func honestTransactionVerifiesAndPublicInputsAreBound() throws {
        let inputs = Self.witness(assets: false)
        let (air, trace, _) = try TransactionProver.trace(for: inputs)
        let proof = try Prover.prove(air: air, trace: trace, options: Self.options, threads: 2)
        try Verifier.verify(proof: proof, air: TransactionAIR(statement: air.statement))
        let statement = air.statement
        var changes: [(String, TransactionPublicInputs)] = []
        var s = statement; s.accountID += .one; changes.append(("account id", s))
        s = statement; s.initialCommitment.e1 += .one; changes.append(("initial commitment", s))
        s = statement; s.finalCommitment.e3 += .one; changes.append(("final commitment", s))
        s = statement; s.inputNotesCommitment.e0 += .one; changes.append(("input notes commitment", s))
        s = statement; s.outputNotesCommitment.e2 += .one; changes.append(("output notes commitment", s))
        s = statement; s.referenceBlock.number += 1; changes.append(("reference block", s))
        s = statement; s.expiration += 1; changes.append(("expiration", s))
        s = statement; s.referenceBlock.commitment.e1 += .one; changes.append(("reference block commitment", s))
        s = statement; s.shape.storageAfter += 1; changes.append(("shape", s))
        for (what, changed) in changes {
            #expect(throws: StarkError.self, "\(what)") { try Verifier.verify(proof: proof, air: TransactionAIR(statement: changed)) }
        }
    }

    @Test func nonceMustIncreaseByOne() {
        let inputs = Self.witness(assets: false)
        var after = try! TransactionExecutor.execute(inputs).finalAccount
        after.nonce += .one
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "nonce + 2")
        after.nonce = inputs.account.nonce
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "nonce unchanged")
    }

    @Test func codeRootMustNotChange() {
        let inputs = Self.witness(assets: false)
        var after = try! TransactionExecutor.execute(inputs).finalAccount
        after.codeRoot.e2 += .one
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "code root changed")
    }

    @Test func accountIDMustNotChange() {
        let inputs = Self.witness(assets: false)
        var after = try! TransactionExecutor.execute(inputs).finalAccount
        after.id += .one
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "account id changed")
    }

    @Test func inputNotesMustBeConsumableByTheAccount() {
        var inputs = Self.witness(assets: false)
        let p2id = inputs.inputNotes.firstIndex { $0.scriptRoot == NoteScript.p2idRoot }!
        inputs.inputNotes[p2id].inputs = [inputs.account.id + .one]
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(inputs) }
        let after = Self.outcome(inputs, after: try! TransactionExecutor.execute(Self.witness(assets: false)).finalAccount)
        Self.expectNoValidProof(inputs, after, "P2ID note for another account")
        // A note with any other script is not consumable either.
        var other = Self.witness(assets: false)
        other.inputNotes[p2id].scriptRoot = Word(7, 7, 7, 7)
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(other) }
    }

    @Test func transactionWithAssetsProvesAndVerifies() throws {
        let inputs = TransactionWitnessGenerator.make(inputs: 3, outputs: 2, seed: 5)
        let proven = try TransactionProver.prove(inputs, options: Self.options, threads: 2)
        try proven.verify()
        let decoded = try ProvenTransactionCodec.decode(ProvenTransactionCodec.encode(proven))
        try decoded.verify()
        var tampered = decoded
        tampered.proof[tampered.proof.count / 2] ^= 1
        #expect(throws: (any Error).self) { try tampered.verify() }
    }

    @Test func balancesCannotBeInflated() throws {
        let inputs = Self.witness(assets: true)
        let honest = try TransactionExecutor.execute(inputs).finalAccount
        var after = honest
        after.vault[0].amount += 1
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "final balance + 1")
        after = honest
        after.vault.removeLast()
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "an asset vanishes from the vault")
    }

    @Test func overspendingIsRefusedAndCannotBeForged() throws {
        var inputs = Self.witness(assets: true)
        let faucet = inputs.account.vault[0].faucet
        let balance = inputs.account.vault[0].amount
        inputs.outputNotes[0].assets = [FungibleAsset(faucet: faucet, amount: balance + 1_000_000)]
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(inputs) }
        // Forge: the vault after keeps the faucet's entry as if the balance had wrapped.
        var after = try TransactionExecutor.execute(Self.witness(assets: true)).finalAccount
        after.vault[0].amount = 5
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "overspend")
    }

    @Test func balancesAtOrAbove2To63AreRefusedAndCannotBeForged() throws {
        var inputs = Self.witness(assets: true)
        inputs.account.vault[0].amount = FungibleAsset.amountBound - 1
        let faucet = inputs.account.vault[0].faucet
        inputs.inputNotes[0].assets = [FungibleAsset(faucet: faucet, amount: 10)]
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(inputs) }
        var after = try TransactionExecutor.execute(Self.witness(assets: true)).finalAccount
        after.vault[0] = FungibleAsset(faucet: faucet, amount: FungibleAsset.amountBound + 9)
        Self.expectNoValidProof(inputs, Self.outcome(inputs, after: after), "balance ≥ 2^63")
    }

    @Test func publishedNotesMustBeTheHashedNotes() throws {
        // Lying about a hash: the statement publishes notes-commitments of other notes.
        let inputs = Self.witness(assets: false)
        let (air, trace, _) = try TransactionProver.trace(for: inputs)
        let proof = try Prover.prove(air: air, trace: trace, options: Self.options, threads: 2)
        var lying = air.statement
        lying.inputNotesCommitment = Hash.words([Word(1, 2, 3, 4)] + inputs.inputNotes.dropFirst().map(\.nullifier))
        #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: TransactionAIR(statement: lying)) }
    }
}
