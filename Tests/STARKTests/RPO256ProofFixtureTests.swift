import Testing
@testable import STARK
import STARKExamples

/// Small RPO256-committed proofs whose encoded bytes must not change when the hashing is
/// reorganised (batched Merkle levels, batched row hashing, batched proof-of-work): the BLAKE3
/// hash of each proof was recorded from the scalar, one-item-at-a-time implementation.
@Suite struct RPO256ProofFixtureTests {
    /// Options exercising every batched path: wide rows (extension degree 2, folding 4), several
    /// FRI layers and 6 grinding bits.
    static let options = ProofOptions(
        numQueries: 28, blowupFactor: 16, grindingBits: 6, friFoldingFactor: 4, friRemainderMaxDegree: 7, hashFunction: .rpo256)

    @Test func fibonacciProofBytesAreUnchanged() throws {
        let statement = FibonacciAIR.trace(rows: 64)
        let air = FibonacciAIR(rows: 64, result: statement.result)
        let proof = try Prover.prove(air: air, trace: statement.trace, options: Self.options, threads: 2)
        let bytes = ProofCodec.encode(proof)
        #expect(Blake3.hash(bytes).description == "0df8dd18f6136f9d81c3ec00c671d508bab87296feaf78f4dfaf48dd4f4e6ab1", "proof bytes \(bytes.count)")
        try Verifier.verify(proofBytes: bytes, air: air)
    }

    @Test func auxiliarySegmentProofBytesAreUnchanged() throws {
        let air = PermutationAIR(rows: 32, first: 1)
        let proof = try Prover.prove(air: air, trace: PermutationAIR.trace(rows: 32), options: Self.options, threads: 1)
        let bytes = ProofCodec.encode(proof)
        #expect(Blake3.hash(bytes).description == "6aba972d8de89a3a6e0bc0a13d94e067c123698167c4ec5cced566bdc31a21f1", "proof bytes \(bytes.count)")
        try Verifier.verify(proofBytes: bytes, air: air)
    }
}
