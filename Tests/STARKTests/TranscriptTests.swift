import Testing
@testable import STARK

@Suite struct TranscriptTests {
    @Test func drawsDependOnEverythingAbsorbed() {
        var a = Transcript<Blake3Hasher>(seed: [1, 2, 3])
        var b = Transcript<Blake3Hasher>(seed: [1, 2, 3])
        #expect(a.drawFelt() == b.drawFelt())
        a.absorb(Digest(1, 0, 0, 0))
        b.absorb(Digest(2, 0, 0, 0))
        #expect(a.drawExtension(degree: 2) != b.drawExtension(degree: 2))
        var c = Transcript<Blake3Hasher>(seed: [1, 2, 4])
        var d = Transcript<Blake3Hasher>(seed: [1, 2, 3])
        #expect(c.drawFelt() != d.drawFelt())
    }

    @Test func positionsAreSortedUniqueAndInRange() {
        var t = Transcript<RPO256Hasher>(seed: [9])
        let positions = t.drawPositions(64, domainSize: 128)
        #expect(positions == Array(Set(positions)).sorted())
        #expect(positions.allSatisfy { $0 >= 0 && $0 < 128 })
        #expect(positions.count > 20)
    }

    @Test func grindingIsDeterministicAndChecked() {
        let t = Transcript<Blake3Hasher>(seed: [42])
        let nonce = t.grind(bits: 10, threads: 1)
        #expect(t.grind(bits: 10, threads: 2) == nonce)
        #expect(t.acceptsProofOfWork(nonce: nonce, bits: 10))
        // The smallest solution: nothing below it works.
        #expect((0..<nonce).allSatisfy { !t.acceptsProofOfWork(nonce: $0, bits: 10) })
    }
}
