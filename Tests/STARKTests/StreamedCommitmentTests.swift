import Testing
@testable import STARK
import STARKExamples

/// The coset-by-coset commitment: stored and streamed segments commit to the same rows as a plain
/// low-degree extension, read back the same values, and give byte-identical proofs.
@Suite struct StreamedCommitmentTests {
    /// Columns of pseudo-random coefficients.
    static func columns<E: FieldElement>(width: Int, rows: Int, seed: UInt64, make: (inout SplitMix64) -> E) -> [[E]] {
        var rng = SplitMix64(seed: seed)
        return (0..<width).map { _ in (0..<rows).map { _ in make(&rng) } }
    }

    /// The reference: each column extended at once, rows hashed in natural order.
    static func reference<E: FlattenableElement>(_ coefficients: [[E]], domain: LDEDomain, degree: Int) -> ([[E]], Digest) {
        let evaluations = coefficients.map { column in
            column.withUnsafeBufferPointer {
                Polynomial.cosetEvaluations(coefficients: $0, blowup: domain.blowup, offset: domain.offset, threads: 1)
            }
        }
        let leaves = (0..<domain.size).map { r in
            Blake3Hasher.hashElements(evaluations.map { $0[r] }.flattened(extensionDegree: degree))
        }
        return (evaluations, MerkleTree<Blake3Hasher>(leaves: leaves).root)
    }

    static func check<E: FlattenableElement>(_ coefficients: [[E]], blowup: Int, degree: Int, threads: Int) throws {
        let n = coefficients[0].count
        let domain = LDEDomain(traceLength: n, blowup: blowup)
        let (evaluations, root) = reference(coefficients, domain: domain, degree: degree)
        let positions = Array(Set([0, 1, blowup - 1, blowup, domain.size / 2 + 3, domain.size - 1].filter { $0 < domain.size })).sorted()
        for limit in [Int.max, 0] {
            let segment = try SegmentCommitment<Blake3Hasher, E>(
                coefficients: coefficients, domain: domain, extensionDegree: degree, threads: threads, storeLimit: limit)
            #expect(segment.isStored == (limit == Int.max))
            #expect(segment.tree.root == root, "limit \(limit), threads \(threads)")
            #expect(segment.rows(at: positions, threads: threads) == positions.map { p in evaluations.map { $0[p] } })
            let scratch = segment.makeCosetScratch()
            defer { scratch?.deallocate() }
            for t in [0, blowup - 1] {
                let coset: [E] = segment.withCoset(t, scratch: scratch, threads: threads) { p in
                    (0..<(coefficients.count * n)).map { p[$0] }
                }
                let expected = evaluations.flatMap { column in (0..<n).map { column[$0 * blowup + t] } }
                #expect(coset == expected, "coset \(t), limit \(limit)")
            }
        }
    }

    @Test(arguments: [1, 2, 3])
    func baseColumnsMatchThePlainExtension(threads: Int) throws {
        try Self.check(Self.columns(width: 5, rows: 64, seed: 1) { Felt($0.next()) }, blowup: 8, degree: 2, threads: threads)
        try Self.check(Self.columns(width: 1, rows: 1, seed: 2) { Felt($0.next()) }, blowup: 4, degree: 2, threads: threads)
    }

    @Test(arguments: [1, 2])
    func extensionColumnsMatchThePlainExtension(threads: Int) throws {
        let make: (inout SplitMix64) -> QuadFelt = { QuadFelt(Felt($0.next()), Felt($0.next())) }
        try Self.check(Self.columns(width: 3, rows: 32, seed: 3, make: make), blowup: 16, degree: 2, threads: threads)
        try Self.check(Self.columns(width: 2, rows: 16, seed: 4, make: make), blowup: 2, degree: 1, threads: threads)
    }

    @Test(arguments: [1, 2])
    func streamedProofsAreByteIdentical(threads: Int) throws {
        let fib = FibonacciAIR.trace(rows: 256)
        let fibAIR = FibonacciAIR(rows: 256, result: fib.result)
        let permutationAIR = PermutationAIR(rows: 64, first: 1)
        let permutation = PermutationAIR.trace(rows: 64)
        let rpo = RPOChainAIR.make(rows: 64)
        let rpoOptions = ProofOptions(
            numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7, hashFunction: .rpo256)
        let cases: [(String, () throws -> [UInt8], () throws -> [UInt8])] = [
            ("fib", { try ProofCodec.encode(Prover.prove(air: fibAIR, trace: fib.trace, options: fastOptions, threads: threads, timings: nil, checkTrace: true)) },
             { try ProofCodec.encode(Prover.prove(air: fibAIR, trace: fib.trace, options: fastOptions, threads: threads, timings: nil, checkTrace: true, budget: ExtensionBudget(bytes: 0))) }),
            ("permutation", { try ProofCodec.encode(Prover.prove(air: permutationAIR, trace: permutation, options: fastOptions, threads: threads, timings: nil, checkTrace: true)) },
             { try ProofCodec.encode(Prover.prove(air: permutationAIR, trace: permutation, options: fastOptions, threads: threads, timings: nil, checkTrace: true, budget: ExtensionBudget(bytes: 0))) }),
            ("rpo chain", { try ProofCodec.encode(Prover.prove(air: rpo.1, trace: rpo.0, options: rpoOptions, threads: threads, timings: nil, checkTrace: true)) },
             { try ProofCodec.encode(Prover.prove(air: rpo.1, trace: rpo.0, options: rpoOptions, threads: threads, timings: nil, checkTrace: true, budget: ExtensionBudget(bytes: 0))) }),
        ]
        for (name, stored, streamed) in cases {
            let a = try stored()
            let b = try streamed()
            #expect(a == b, "\(name)")
        }
        try Verifier.verify(proofBytes: ProofCodec.encode(
            Prover.prove(air: permutationAIR, trace: permutation, options: fastOptions, threads: threads, timings: nil, checkTrace: true, budget: ExtensionBudget(bytes: 0))),
            air: permutationAIR)
    }

    /// Digests of proofs made before the coset-by-coset commitment: the protocol did not change.
    @Test func proofsMatchThoseOfTheWholeDomainProver() throws {
        let fib = FibonacciAIR.trace(rows: 1 << 10)
        let fibAIR = FibonacciAIR(rows: 1 << 10, result: fib.result)
        let permutationAIR = PermutationAIR(rows: 64, first: 1)
        let fibBytes = try ProofCodec.encode(Prover.prove(air: fibAIR, trace: fib.trace, options: .default, threads: 2))
        let permutationBytes = try ProofCodec.encode(
            Prover.prove(air: permutationAIR, trace: PermutationAIR.trace(rows: 64), options: fastOptions, threads: 1))
        let fibDigest = Blake3.hash(fibBytes).description
        let permutationDigest = Blake3.hash(permutationBytes).description
        #expect(fibDigest == "a23984827d6a93819be7d5996ec7db0815108176855e6e3553d66ed225bf1381")
        #expect(permutationDigest == "134445a16a2b6e6108f96536adaba12b2a5d240b6af913030ee49c4bfcda91c2")
    }
}
