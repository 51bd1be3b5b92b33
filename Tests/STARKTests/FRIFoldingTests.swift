import Testing
@testable import STARK

/// The FRI fold (log2(f) halvings) against the definition Σ_j (α/x)^j·u_j with
/// u_j = (1/f)·Σ_k ξ^{−jk}·P(x·ξ^k), the inverse DFT of the row.
@Suite struct FRIFoldingTests {
    @Test func foldEqualsInverseDFTDefinitionForEveryFactor() {
        var rng = SplitMix64(seed: 41)
        func quad() -> QuadFelt { QuadFelt(Felt(rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus)) }
        for f in [2, 4, 8, 16] {
            let folding = FRIFolding(factor: f)
            let xiInverse = Felt.rootOfUnity(logSize: f.trailingZeroBitCount).inverse()
            let fInverse = Felt(UInt64(f)).inverse()
            for _ in 0..<20 {
                let values = (0..<f).map { _ in quad() }
                let x = Felt(rng.next() % (Felt.modulus - 1) + 1)
                let alpha = quad()
                let ratio = alpha.scaled(by: x.inverse())
                var expected = QuadFelt.zero
                var power = QuadFelt.one
                for j in 0..<f {
                    var u = QuadFelt.zero
                    for k in 0..<f { u += values[k].scaled(by: fInverse * xiInverse.power(UInt64(j * k))) }
                    expected += power * u
                    power = power * ratio
                }
                let folded = values.withUnsafeBufferPointer { folding.fold($0, xInverse: x.inverse(), alpha: alpha) }
                #expect(folded == expected, "factor \(f)")
            }
        }
    }
}
