import Testing
@testable import Rollup

/// Recognising a proof kind from a witness's or a proof's magic tag (what `ctl prove-local` and
/// `ctl verify` rely on).
@Suite struct ProofKindPayloadTests {
    @Test func eachKindIsRecognisedByItsWitnessAndProofTags() {
        for kind in ProofKind.allCases {
            #expect(ProofKind(witness: kind.witnessPayload.magic + [1, 2, 3]) == kind)
            #expect(ProofKind(proof: kind.proofPayload.magic + [9]) == kind)
            // A witness is not a proof and the other way round.
            #expect(ProofKind(proof: kind.witnessPayload.magic) == nil)
            #expect(ProofKind(witness: kind.proofPayload.magic) == nil)
        }
        #expect(ProofKind(witness: TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: 1, outputs: 1, seed: 1))) == .transaction)
    }

    @Test func shortOrForeignPayloadsAreNotRecognised() {
        #expect(ProofKind(witness: [UInt8]()) == nil)
        #expect(ProofKind(witness: Array("MTX".utf8)) == nil)
        #expect(ProofKind(witness: Array("XXXXpayload".utf8)) == nil)
        #expect(ProofKind(proof: PayloadKind.starkProof.magic) == nil)
    }
}
