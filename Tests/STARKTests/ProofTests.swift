import Testing
@testable import STARK
import STARKExamples

@Suite struct ProofTests {
    static let rows = 64
    static let statement = FibonacciAIR.trace(rows: rows)
    static let air = FibonacciAIR(rows: rows, result: statement.result)
    static let proof = try! Prover.prove(air: air, trace: statement.trace, options: fastOptions, threads: 1)
    static let encoded = ProofCodec.encodeWithSections(proof)

    @Test func roundTripVerifies() throws {
        let decoded = try ProofCodec.decode(Self.encoded.bytes)
        #expect(decoded == Self.proof)
        try Verifier.verify(proof: decoded, air: Self.air)
        #expect(Self.proof.conjecturedSecurity >= 96)
    }

    @Test func defaultOptionsProveAndVerify() throws {
        let proof = try Prover.prove(air: Self.air, trace: Self.statement.trace, options: .default, threads: 2)
        #expect(ProofOptions.default.conjecturedSecurity(traceLength: 1 << 20) >= 100)
        try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: Self.air)
    }

    @Test func proofBytesDoNotDependOnThreadCount() throws {
        for threads in [2, 3, 4] {
            let other = try Prover.prove(air: Self.air, trace: Self.statement.trace, options: fastOptions, threads: threads)
            #expect(ProofCodec.encode(other) == Self.encoded.bytes, "threads \(threads)")
        }
    }

    @Test func changedPublicInputFails() {
        #expect(throws: StarkError.self) {
            try Verifier.verify(proof: Self.proof, air: FibonacciAIR(rows: Self.rows, result: Self.statement.result + .one))
        }
        #expect(throws: StarkError.self) {
            try Verifier.verify(proof: Self.proof, air: FibonacciAIR(rows: Self.rows * 2, result: Self.statement.result))
        }
    }

    /// Flips bytes across every section of the encoded proof: each flip must make verification fail.
    @Test func flippingAnyByteInAnySectionFails() throws {
        let (bytes, sections) = Self.encoded
        #expect(sections.map(\.name).contains("fri-layer-0-queries"))
        #expect(sections.last!.range.upperBound == bytes.count)
        var rng = SplitMix64(seed: 11)
        var flips = 0
        for section in sections {
            var offsets = Set([section.range.lowerBound, section.range.upperBound - 1, (section.range.lowerBound + section.range.upperBound) / 2])
            for _ in 0..<12 { offsets.insert(section.range.lowerBound + Int(rng.next() % UInt64(section.range.count))) }
            for offset in offsets {
                for mask: UInt8 in [0x01, 0x80] {
                    var tampered = bytes
                    tampered[offset] ^= mask
                    #expect(throws: StarkError.self, "section \(section.name), byte \(offset)") {
                        try Verifier.verify(proofBytes: tampered, air: Self.air)
                    }
                    flips += 1
                }
            }
        }
        #expect(flips > 200)
    }

    @Test func truncatedOversizedAndGarbageBytesAreRefused() {
        let bytes = Self.encoded.bytes
        for length in stride(from: 0, to: bytes.count, by: 13) {
            #expect(throws: StarkError.self) { try ProofCodec.decode(Array(bytes[..<length])) }
        }
        #expect(throws: StarkError.self) { try ProofCodec.decode(bytes + [0]) }
        #expect(throws: StarkError.self) { try ProofCodec.decode(bytes + bytes) }
        var rng = SplitMix64(seed: 12)
        for size in [0, 1, 5, 64, 1000, 5000] {
            let garbage = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(throws: StarkError.self) { try ProofCodec.decode(garbage) }
            // Garbage after a valid header must not crash either.
            #expect(throws: StarkError.self) { try ProofCodec.decode(Array(bytes[..<30]) + garbage) }
        }
        // Random mutations of several bytes at once: decode may succeed, verification must not.
        for _ in 0..<100 {
            var mutated = bytes
            for _ in 0..<3 { mutated[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if mutated == bytes { continue }
            #expect(throws: StarkError.self) { try Verifier.verify(proofBytes: mutated, air: Self.air) }
        }
    }

    @Test func nonCanonicalElementIsRefusedByName() throws {
        var bytes = Self.encoded.bytes
        let ood = Self.encoded.sections.first { $0.name == "out-of-domain" }!.range
        for k in 0..<8 { bytes[ood.lowerBound + k] = 0xFF }
        do {
            _ = try ProofCodec.decode(bytes)
            Issue.record("decoded a value ≥ p")
        } catch {
            #expect(error.description.contains("not a canonical field element"))
        }
    }

    @Test func weakProofsAreRefused() throws {
        let weak = ProofOptions(numQueries: 8, blowupFactor: 4, grindingBits: 0, friFoldingFactor: 2, friRemainderMaxDegree: 7)
        let proof = try Prover.prove(air: Self.air, trace: Self.statement.trace, options: weak, threads: 1)
        #expect(throws: StarkError.insufficientSecurity(got: 15, required: 96)) {
            try Verifier.verify(proof: proof, air: Self.air)
        }
        try Verifier.verify(proof: proof, air: Self.air, minimumSecurity: 0)
    }

    @Test func securityFollowsWinterfellsFormula() {
        let options = ProofOptions.default
        #expect(options.conjecturedSecurity(traceLength: 1 << 14) == 110)
        #expect(options.conjecturedSecurity(traceLength: 1 << 20) == 104)
        let noGrinding = ProofOptions(numQueries: 20, blowupFactor: 8, grindingBits: 16)
        #expect(noGrinding.conjecturedSecurity(traceLength: 1 << 10) == 59)
    }

    @Test func badTracesAreRefusedBeforeProving() {
        var bad = Self.statement.trace
        bad[0, 10] += .one
        #expect(throws: StarkError.self) {
            try Prover.prove(air: Self.air, trace: bad, options: fastOptions, threads: 1)
        }
        #expect(throws: StarkError.self) {
            try Prover.prove(air: FibonacciAIR(rows: Self.rows, result: .one), trace: Self.statement.trace, options: fastOptions, threads: 1)
        }
    }

    /// A trace forged to break a constraint, proven without the prover's check: no verifying proof.
    @Test func forgedTraceDoesNotVerify() throws {
        var forged = Self.statement.trace
        forged[1, Self.rows - 1] = forged[1, Self.rows - 1] + .one
        let air = FibonacciAIR(rows: Self.rows, result: forged[1, Self.rows - 1])
        do {
            let proof = try Prover.prove(air: air, trace: forged, options: fastOptions, threads: 1, timings: nil, checkTrace: false)
            #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: air) }
        } catch {
            #expect(error.description.contains("constraint"))
        }
    }

    @Test func extensionDegreeOneIsBelowTheFloor() throws {
        let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, extensionDegree: 1, friFoldingFactor: 4, friRemainderMaxDegree: 7)
        let proof = try Prover.prove(air: Self.air, trace: Self.statement.trace, options: options, threads: 1)
        #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: Self.air) }
        try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: Self.air, minimumSecurity: 0)
    }

    @Test(arguments: [2, 4, 8])
    func everyFoldingFactorWorks(factor: Int) throws {
        let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 2, friFoldingFactor: factor, friRemainderMaxDegree: 3)
        let proof = try Prover.prove(air: Self.air, trace: Self.statement.trace, options: options, threads: 2)
        #expect(proof.friRoots.count > 0)
        try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: Self.air)
    }

    @Test func rpoCommitmentsProveAndVerify() throws {
        var options = fastOptions
        options.hashFunction = .rpo256
        let proof = try Prover.prove(air: Self.air, trace: Self.statement.trace, options: options, threads: 2)
        let bytes = ProofCodec.encode(proof)
        try Verifier.verify(proofBytes: bytes, air: Self.air)
        var tampered = bytes
        tampered[bytes.count - 5] ^= 0x10
        #expect(throws: StarkError.self) { try Verifier.verify(proofBytes: tampered, air: Self.air) }
    }
}

@Suite struct AuxiliaryTraceTests {
    static let rows = 32
    static let air = PermutationAIR(rows: rows, first: 1)

    @Test func permutationArgumentProvesAndVerifies() throws {
        let proof = try Prover.prove(air: Self.air, trace: PermutationAIR.trace(rows: Self.rows), options: fastOptions, threads: 2)
        #expect(proof.auxRoot != nil)
        let (bytes, sections) = ProofCodec.encodeWithSections(proof)
        #expect(sections.contains { $0.name == "aux-queries" })
        try Verifier.verify(proofBytes: bytes, air: Self.air)
        #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: PermutationAIR(rows: Self.rows, first: 2)) }
        let aux = sections.first { $0.name == "aux-queries" }!.range
        for offset in [aux.lowerBound, aux.lowerBound + 9, aux.upperBound - 1] {
            var tampered = bytes
            tampered[offset] ^= 4
            #expect(throws: StarkError.self) { try Verifier.verify(proofBytes: tampered, air: Self.air) }
        }
    }

    @Test func brokenPermutationIsRefused() {
        var trace = PermutationAIR.trace(rows: Self.rows)
        trace[1, 3] = Felt(1000)
        #expect(throws: StarkError.self) {
            try Prover.prove(air: Self.air, trace: trace, options: fastOptions, threads: 1)
        }
    }
}

/// The prover checks rows only to explain a refused proof: a forged trace still gets an error
/// naming the first failing constraint and row (never a proof), an assertion fails before any work.
@Suite struct ProverRefusalTests {
    static let rows = 1 << 8

    func refusal(_ forge: (inout TraceTable) -> Void) -> String? {
        var (trace, result) = FibonacciAIR.trace(rows: Self.rows)
        forge(&trace)
        do {
            _ = try Prover.prove(air: FibonacciAIR(rows: Self.rows, result: result), trace: trace, options: fastOptions, threads: 2)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aForgedCellIsNamedWithItsRow() {
        let message = refusal { $0[0, 100] = $0[0, 100] + .one } ?? "proved"
        #expect(message.contains("main transition constraint") && message.contains("between rows 99 and 100"), "\(message)")
    }

    @Test func aWrongBoundaryValueIsRefusedAsAnAssertion() {
        let message = refusal { $0[0, 0] = $0[0, 0] + .one } ?? "proved"
        #expect(message.contains("assertion"), "\(message)")
    }

    @Test func anHonestTraceIsProvenAndItsProofVerifies() {
        #expect(refusal { _ in } == nil)
    }
}

/// The prover's trace check runs in parallel chunks and must still name the first failing row.
@Suite struct TraceCheckTests {
    static let rows = 1 << 14

    static func failure(_ forgedRows: [Int], threads: Int) -> String? {
        var (trace, result) = FibonacciAIR.trace(rows: rows)
        for r in forgedRows { trace[0, r] = trace[0, r] + .one }
        do {
            try TraceValidator(air: FibonacciAIR(rows: rows, result: result), threads: threads).check(main: trace.columns)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func reportsTheFirstFailingRowWhateverTheChunking() {
        // Rows in different chunks (2 or 4 threads: chunks of 8191 or 4096 rows); the lowest is reported.
        for threads in [1, 2, 4] {
            #expect(Self.failure([], threads: threads) == nil)
            for forged in [[12_000, 3_000], [9_000], [5_000, 100]] {
                let first = forged.min()!
                let message = Self.failure(forged, threads: threads) ?? "none"
                #expect(message.contains("between rows \(first - 1) and \(first)"), "threads \(threads), rows \(forged): \(message)")
            }
        }
    }
}
