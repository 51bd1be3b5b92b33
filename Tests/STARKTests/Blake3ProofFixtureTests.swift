import Testing
@testable import STARK
import STARKExamples

/// Small BLAKE3-committed proofs whose encoded bytes must not change when the hashing is
/// reorganised (multi-lane Merkle levels, row leaves and proof-of-work): the BLAKE3 hash of each
/// proof was recorded from the scalar, one-item-at-a-time implementation.
@Suite struct Blake3ProofFixtureTests {
    /// Options exercising every batched path: wide rows (extension degree 2, folding 4), several
    /// FRI layers and 6 grinding bits.
    static let options = ProofOptions(
        numQueries: 28, blowupFactor: 16, grindingBits: 6, friFoldingFactor: 4, friRemainderMaxDegree: 7, hashFunction: .blake3)

    /// The BLAKE3 hash of the encoded proof (checked to verify first).
    static func proofHash<A: AIR>(air: A, trace: TraceTable, threads: Int) throws -> String {
        let proof = try Prover.prove(air: air, trace: trace, options: Self.options, threads: threads)
        let bytes = ProofCodec.encode(proof)
        try Verifier.verify(proofBytes: bytes, air: air)
        return Blake3.hash(bytes).description
    }

    @Test func fibonacciProofBytesAreUnchanged() throws {
        let statement = FibonacciAIR.trace(rows: 64)
        let air = FibonacciAIR(rows: 64, result: statement.result)
        let expected = "2ae263f5467ff7e1d1cd34904bbf63e39617054d1ccad182547cd62d05391e1f"
        for threads in [1, 2] {
            let hash = try Self.proofHash(air: air, trace: statement.trace, threads: threads)
            #expect(hash == expected, "\(threads) threads")
        }
    }

    @Test func auxiliarySegmentProofBytesAreUnchanged() throws {
        let air = PermutationAIR(rows: 32, first: 1)
        let expected = "9ead63b6caf3b9d446bfd4ff0daf2627e7d4d1152584290124fcf44c015528dc"
        let hash = try Self.proofHash(air: air, trace: PermutationAIR.trace(rows: 32), threads: 1)
        #expect(hash == expected)
    }

    @Test func twoBlockFRIRowsProofBytesAreUnchanged() throws {
        // FRI folding 8 with the quadratic extension: 16-element (two-block) FRI leaves.
        let options = ProofOptions(
            numQueries: 28, blowupFactor: 16, grindingBits: 4, friFoldingFactor: 8, friRemainderMaxDegree: 7, hashFunction: .blake3)
        let statement = FibonacciAIR.trace(rows: 128)
        let air = FibonacciAIR(rows: 128, result: statement.result)
        let proof = try Prover.prove(air: air, trace: statement.trace, options: options, threads: 2)
        let bytes = ProofCodec.encode(proof)
        try Verifier.verify(proofBytes: bytes, air: air)
        #expect(Blake3.hash(bytes).description == "9cc1c82ab47db86732891536e716a2ce5f94515f8054d16e10a7d4086e4f7db4")
    }
}
