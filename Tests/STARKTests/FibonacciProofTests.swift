import Testing
@testable import STARK
import STARKExamples

@Suite struct FibonacciProofTests {
    @Test func proveAndVerifySmall() throws {
        let (trace, result) = FibonacciAIR.trace(rows: 64)
        let air = FibonacciAIR(rows: 64, result: result)
        let options = ProofOptions(numQueries: 32, blowupFactor: 8, grindingBits: 4)
        let proof = try Prover.prove(air: air, trace: trace, options: options, threads: 1)
        let bytes = ProofCodec.encode(proof)
        #expect(try ProofCodec.decode(bytes) == proof)
        try Verifier.verify(proofBytes: bytes, air: air)
        #expect(throws: StarkError.self) {
            try Verifier.verify(proofBytes: bytes, air: FibonacciAIR(rows: 64, result: result + .one))
        }
    }
}
