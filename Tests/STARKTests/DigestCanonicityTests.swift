import Testing
@testable import STARK
import STARKExamples

/// RPO256 digests are words of field elements: a word v and v + p would hash alike, so an
/// RPO256-committed proof must carry every digest word canonically (< p), as every other field
/// element. BLAKE3 digests are plain bytes and stay unconstrained.
@Suite struct DigestCanonicityTests {
    static let rows = 16
    static let statement = FibonacciAIR.trace(rows: rows)
    static let air = FibonacciAIR(rows: rows, result: statement.result)
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4,
                                      friRemainderMaxDegree: 0, hashFunction: .rpo256)
    static let proof = try! Prover.prove(air: air, trace: statement.trace, options: options, threads: 1)
    static let encoded = ProofCodec.encodeWithSections(proof)

    static func section(_ name: String) -> Range<Int> { encoded.sections.first { $0.name == name }!.range }

    static func u16(_ bytes: [UInt8], at offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }

    static func word(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    static func writing(_ value: UInt64, at offset: Int, in bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for k in 0..<8 { out[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        return out
    }

    /// Byte offsets of digest words to corrupt, with the name the decoder must report: the main
    /// root, the first FRI root, the last Merkle node of the main openings and of FRI layer 0.
    static var targets: [(name: String, offset: Int)] {
        let bytes = encoded.bytes
        let commitments = section("commitments")
        // main root (32) ‖ composition root (32) ‖ FRI root count u16 ‖ FRI roots.
        let friRoots = commitments.lowerBound + 64 + 2
        #expect(u16(bytes, at: friRoots - 2) == proof.friRoots.count && proof.friRoots.count > 0)
        let main = section("main-queries")
        let fri = section("fri-layer-0-queries")
        #expect(!proof.mainOpening.proof.isEmpty && !proof.friOpenings[0].proof.isEmpty)
        return [("main trace root", commitments.lowerBound + 8), ("FRI layer roots[0]", friRoots + 24),
                ("main trace queries Merkle nodes[\(proof.mainOpening.proof.count - 1)]", main.upperBound - 32),
                ("FRI layer 0 Merkle nodes[\(proof.friOpenings[0].proof.count - 1)]", fri.upperBound - 16)]
    }

    @Test func canonicalProofDecodesAndVerifies() throws {
        #expect(try ProofCodec.decode(Self.encoded.bytes) == Self.proof)
        try Verifier.verify(proofBytes: Self.encoded.bytes, air: Self.air, minimumSecurity: 0)
    }

    @Test func nonCanonicalDigestWordsAreRefusedByName() throws {
        let bytes = Self.encoded.bytes
        for (name, offset) in Self.targets {
            var values: [UInt64] = [.max, Felt.modulus]
            let w = Self.word(bytes, at: offset)
            if w < (1 << 32) - 1 { values.append(w + Felt.modulus) }
            for value in values {
                let corrupted = Self.writing(value, at: offset, in: bytes)
                do {
                    _ = try ProofCodec.decode(corrupted)
                    Issue.record("\(name): decoded a digest word \(value) ≥ p")
                } catch {
                    #expect(error.description.contains(name), "\(error)")
                    #expect(error.description.contains("byte \(offset)"), "\(error)")
                    #expect(error.description.contains("not a canonical field element"), "\(error)")
                }
                #expect(throws: StarkError.self) { try Verifier.verify(proofBytes: corrupted, air: Self.air, minimumSecurity: 0) }

                // The same bytes under BLAKE3 options: digests are bytes, any value decodes.
                var blake = corrupted
                let hashByte = Self.section("context").lowerBound + 7
                #expect(blake[hashByte] == HashFunction.rpo256.rawValue)
                blake[hashByte] = HashFunction.blake3.rawValue
                #expect((try? ProofCodec.decode(blake)) != nil, "\(name) under BLAKE3")
            }
        }
    }

    /// The Merkle check itself refuses a non-canonical RPO256 node instead of reducing it, so a
    /// `StarkProof` built in memory (not decoded) cannot slip one through either.
    @Test func merkleVerificationRefusesNonCanonicalRPONodes() {
        let leaves = (0..<8).map { Digest(UInt64($0), 1, 2, 3) }
        let tree = MerkleTree<RPO256Hasher>(leaves: leaves)
        let proof = tree.open(positions: [0])
        #expect(proof[0] == leaves[1])
        #expect(MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 8, positions: [0], leaves: [leaves[0]], proof: proof))
        for k in 0..<4 {
            var forged = proof
            switch k {
            case 0: forged[0].w0 += Felt.modulus
            case 1: forged[0].w1 += Felt.modulus
            case 2: forged[0].w2 += Felt.modulus
            default: forged[2].w3 = forged[2].w3 < (1 << 32) - 1 ? forged[2].w3 + Felt.modulus : .max
            }
            #expect(!MerkleTree<RPO256Hasher>.verify(root: tree.root, leafCount: 8, positions: [0], leaves: [leaves[0]], proof: forged), "word \(k)")
        }
        var rootPlusP = tree.root
        if rootPlusP.w0 < (1 << 32) - 1 { rootPlusP.w0 += Felt.modulus } else { rootPlusP.w0 = .max }
        #expect(!MerkleTree<RPO256Hasher>.verify(root: rootPlusP, leafCount: 8, positions: [0], leaves: [leaves[0]], proof: proof))
        // BLAKE3 digests are bytes: any word is a valid node.
        let blake = MerkleTree<Blake3Hasher>(leaves: leaves.map { Digest($0.w0 | 0xFFFF_FFFF_0000_0000, $0.w1, $0.w2, $0.w3) })
        #expect(MerkleTree<Blake3Hasher>.verify(root: blake.root, leafCount: 8, positions: [3], leaves: [blake.leaf(3)], proof: blake.open(positions: [3])))
    }
}
