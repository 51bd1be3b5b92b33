import Testing
@testable import STARK
@testable import Rollup

@Suite struct HasherChipletTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)
    static let jobs: [HashJob] = [
        .merge(Word(1, 2, 3, 4), Word(5, 6, 7, 8)),
        .elements([9, 10, 11]),
        .elements((0..<11).map { Felt(UInt64($0)) }),
    ]

    @Test func jobsMatchTheHashFunctions() {
        #expect(Self.jobs[0].digest == Hash.merge(Word(1, 2, 3, 4), Word(5, 6, 7, 8)))
        #expect(Self.jobs[2].blocks.count == 2)
    }

    @Test func claimsProveAndVerify() throws {
        let air = HashClaimsAIR(jobs: Self.jobs)
        let proof = try Prover.prove(air: air, trace: air.trace(), options: Self.options, threads: 2)
        try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: air)
    }

    @Test func aWrongDigestClaimFails() throws {
        let air = HashClaimsAIR(jobs: Self.jobs)
        let proof = try Prover.prove(air: air, trace: air.trace(), options: Self.options, threads: 2)
        var lying = Self.jobs
        lying[1].digest.e2 += .one
        #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: HashClaimsAIR(jobs: lying)) }
        var otherInput = Self.jobs
        otherInput[2].blocks[1][0] += .one
        #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: HashClaimsAIR(jobs: otherInput)) }
    }

    @Test func aTraceThatLiesAboutAHashIsRefusedAndCannotVerify() throws {
        var lying = Self.jobs
        lying[0].digest = Word(1, 1, 1, 1)  // claimed digest differs from the permutation's output
        let air = HashClaimsAIR(jobs: lying)
        // The honest trace computes the real digest: the bus does not balance.
        #expect(throws: StarkError.self) { try Prover.prove(air: air, trace: air.trace(), options: Self.options, threads: 1) }
        do {
            let proof = try Prover.prove(air: air, trace: air.trace(), options: Self.options, threads: 1, timings: nil, checkTrace: false)
            #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: air) }
        } catch {}
        // A trace forged to output the claimed digest breaks the round constraints.
        var forged = air.trace()
        for lane in 0..<4 { forged[lane, 7] = lying[0].digest[lane] }
        #expect(throws: StarkError.self) { try Prover.prove(air: air, trace: forged, options: Self.options, threads: 1) }
        do {
            let proof = try Prover.prove(air: air, trace: forged, options: Self.options, threads: 1, timings: nil, checkTrace: false)
            #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: air) }
        } catch {}
    }
}
