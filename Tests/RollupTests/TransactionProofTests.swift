import Testing
@testable import STARK
@testable import Rollup

@Suite struct TransactionProofTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    /// A witness without assets (exercises hashing, wires, registers and public bindings).
    static func assetFree() -> TransactionInputs {
        var w = TransactionWitnessGenerator.make(inputs: 2, outputs: 1, seed: 3)
        w.account.vault = []
        for k in w.inputNotes.indices { w.inputNotes[k].assets = [] }
        for k in w.outputNotes.indices { w.outputNotes[k].assets = [] }
        return w
    }

    @Test func assetFreeTransactionProvesAndVerifies() throws {
        let (air, trace, _) = try TransactionProver.trace(for: Self.assetFree())
        let proof = try Prover.prove(air: air, trace: trace, options: Self.options, threads: 2)
        try Verifier.verify(proof: proof, air: TransactionAIR(statement: air.statement))
        var wrong = air.statement
        wrong.finalCommitment.e0 += .one
        #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: TransactionAIR(statement: wrong)) }
    }
}
