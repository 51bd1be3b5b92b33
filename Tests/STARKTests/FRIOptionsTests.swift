import Testing
@testable import STARK
import STARKExamples

/// Every option combination `ProofOptions.validate()` accepts must prove and verify, and a verifier
/// must refuse (never trap on) any options it decodes: FRI never folds a layer smaller than the
/// folding factor, whatever the blowup, remainder degree and trace length.
@Suite struct FRIOptionsTests {
    static let foldingFactors = [2, 4, 8]
    static let remainderDegrees = (0...10).map { (1 << $0) - 1 }

    /// The plan folds exactly (degree bound ÷ factor each time, never clamped), only layers with at
    /// least `factor` points, and stops at the first bound below the factor or within the remainder degree.
    @Test func planNeverFoldsALayerSmallerThanTheFactor() {
        for f in Self.foldingFactors {
            for blowupLog in 1...7 {
                for rd in Self.remainderDegrees {
                    for logN in 3...30 where logN + blowupLog <= 32 {
                        let n = 1 << logN
                        let plan = FRIPlan(degreeBound: n, factor: f, remainderMaxDegree: rd)
                        let what = "n=2^\(logN) f=\(f) blowup=2^\(blowupLog) rd=\(rd)"
                        var bound = n
                        var domain = n << blowupLog
                        for _ in 0..<plan.layers {
                            #expect(bound >= f && domain >= f, "\(what): folds a bound of \(bound) over \(domain) points")
                            bound /= f
                            domain /= f
                        }
                        #expect(bound == plan.remainderBound, "\(what): remainder bound \(plan.remainderBound), folds reach \(bound)")
                        #expect(plan.remainderBound >= 1, "\(what)")
                        #expect(plan.remainderBound < f || plan.remainderBound <= rd + 1, "\(what): stopped early")
                        #expect(plan.remainderBound <= rd + 1 + f - 1, "\(what): remainder of \(plan.remainderBound)")
                    }
                }
            }
        }
    }

    /// Every folding factor × blowup × remainder degree × small trace proves and verifies.
    @Test func everyOptionCombinationProvesAndVerifies() throws {
        for rows in [8, 16, 32, 64] {
            let statement = FibonacciAIR.trace(rows: rows)
            let air = FibonacciAIR(rows: rows, result: statement.result)
            for f in Self.foldingFactors {
                for blowup in [2, 4, 8, 16] {
                    for rd in [0, 1, 3, 7] {
                        let options = ProofOptions(numQueries: 6, blowupFactor: blowup, grindingBits: 0, friFoldingFactor: f, friRemainderMaxDegree: rd)
                        let what = "rows \(rows) folding \(f) blowup \(blowup) remainder degree \(rd)"
                        do {
                            let proof = try Prover.prove(air: air, trace: statement.trace, options: options, threads: 1)
                            try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: air, minimumSecurity: 0)
                        } catch {
                            Issue.record("\(what): \(error)")
                        }
                    }
                }
            }
        }
    }

    /// A valid proof whose option bytes are rewritten to every (folding, blowup, remainder) value,
    /// valid or not, decodes to a refusal or a failed verification, never a trap.
    @Test func rewrittenOptionsAreRefusedNeverTrapped() throws {
        let rows = 16
        let statement = FibonacciAIR.trace(rows: rows)
        let air = FibonacciAIR(rows: rows, result: statement.result)
        let options = ProofOptions(numQueries: 6, blowupFactor: 2, grindingBits: 0, friFoldingFactor: 2, friRemainderMaxDegree: 0)
        let proof = try Prover.prove(air: air, trace: statement.trace, options: options, threads: 1)
        let (bytes, sections) = ProofCodec.encodeWithSections(proof)
        let context = sections.first { $0.name == "context" }!.range.lowerBound
        // Option bytes: numQueries, log2(blowup), grinding, extension degree, folding, remainder (u16), hash.
        let blowupAt = context + 1, foldingAt = context + 4, remainderAt = context + 5
        #expect(bytes[blowupAt] == 1 && bytes[foldingAt] == 2 && bytes[remainderAt] == 0)
        var refused = 0
        for folding: UInt8 in [0, 1, 2, 3, 4, 8, 16, 255] {
            for blowupLog: UInt8 in [0, 1, 2, 3, 4, 5, 6, 7, 8] {
                for remainder in [0, 1, 2, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 1024, 65535] {
                    var rewritten = bytes
                    rewritten[foldingAt] = folding
                    rewritten[blowupAt] = blowupLog
                    rewritten[remainderAt] = UInt8(remainder & 0xFF)
                    rewritten[remainderAt + 1] = UInt8(remainder >> 8)
                    if rewritten == bytes { continue }
                    #expect(throws: StarkError.self, "folding \(folding) blowup 2^\(blowupLog) remainder \(remainder)") {
                        try Verifier.verify(proofBytes: rewritten, air: air, minimumSecurity: 0)
                    }
                    refused += 1
                }
            }
        }
        #expect(refused == 8 * 9 * 14 - 1)
        try Verifier.verify(proofBytes: bytes, air: air, minimumSecurity: 0)
    }
}
