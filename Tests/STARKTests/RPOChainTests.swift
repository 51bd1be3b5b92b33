import Testing
@testable import STARK
import STARKExamples

@Suite struct RPOChainTests {
    static let rows = 64
    static let made = RPOChainAIR.make(rows: rows)

    @Test func traceComputesTheHashChain() {
        var h = Self.made.air.seed
        for _ in 0..<(Self.rows / RPOChainAIR.rowsPerPermutation) { h = RPO256.merge(h, .zero) }
        #expect(h == Self.made.air.result)
    }

    @Test func chainProvesAndVerifiesWithBothHashes() throws {
        for hash in HashFunction.allCases {
            var options = fastOptions
            options.hashFunction = hash
            let proof = try Prover.prove(air: Self.made.air, trace: Self.made.trace, options: options, threads: 2)
            #expect(proof.oodComposition.count == 7)
            try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: Self.made.air)
            var wrongResult = Self.made.air.result
            wrongResult.w1 = (wrongResult.w1 + 1) % Felt.modulus
            #expect(throws: StarkError.self) {
                try Verifier.verify(proof: proof, air: RPOChainAIR(rows: Self.rows, seed: Self.made.air.seed, result: wrongResult))
            }
            #expect(throws: StarkError.self) {
                try Verifier.verify(proof: proof, air: RPOChainAIR(rows: Self.rows, seed: Digest(1, 2, 3, 5), result: Self.made.air.result))
            }
        }
    }

    @Test func brokenRoundIsRefused() {
        var trace = Self.made.trace
        trace[5, 3] += .one
        #expect(throws: StarkError.self) {
            try Prover.prove(air: Self.made.air, trace: trace, options: fastOptions, threads: 1)
        }
    }

    @Test func blowupBelowConstraintDegreeIsRefused() {
        let options = ProofOptions(numQueries: 64, blowupFactor: 4, grindingBits: 0)
        #expect(throws: StarkError.self) {
            try Prover.prove(air: Self.made.air, trace: Self.made.trace, options: options, threads: 1)
        }
    }
}
