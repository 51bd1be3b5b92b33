import Testing
@testable import STARK

/// The unreduced evaluator against Horner's rule: base and extension points, base polynomials and
/// extension polynomials read as pairs of base ones (the out-of-domain step), one and several
/// parts, coefficients at the field's edge.
@Suite struct PointEvaluatorTests {
    func horner(_ coefficients: [QuadFelt], at x: QuadFelt) -> QuadFelt {
        coefficients.reversed().reduce(QuadFelt.zero) { $0 * x + $1 }
    }

    @Test(arguments: [1, 7, 1 << 13 + 5])
    func matchesHornerAtBaseAndExtensionPoints(length: Int) {
        var rng = SplitMix64(seed: UInt64(length))
        let edges: [UInt64] = [Felt.modulus - 1, 0, Felt.modulus - 0xFFFF_FFFF, 1]
        let base = (0..<3).map { _ in (0..<length).map { i in Felt(i < edges.count ? edges[i] : rng.next() % Felt.modulus) } }
        let quad = (0..<2).map { _ in (0..<length).map { _ in QuadFelt(Felt(rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus)) } }
        let quadPoints = [QuadFelt(Felt(rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus)),
                          QuadFelt(Felt(Felt.modulus - 1), Felt(Felt.modulus - 1)), QuadFelt(Felt(3), .zero)]
        let basePoints = [Felt(rng.next() % Felt.modulus), Felt(Felt.modulus - 1)]
        for threads in [1, 2] {
            // Base polynomials at extension points.
            let atQuad = withColumnPointers(base) { PointEvaluator.evaluate($0, stride: 1, length: length, at: quadPoints, threads: threads) }
            for (q, z) in quadPoints.enumerated() {
                for k in 0..<base.count {
                    #expect(atQuad[q * base.count + k] == horner(base[k].map { QuadFelt($0) }, at: z), "length \(length), point \(q), poly \(k)")
                }
            }
            // Base polynomials at base points.
            let atBase = withColumnPointers(base) { PointEvaluator.evaluate($0, stride: 1, length: length, at: basePoints, threads: threads) }
            for (q, x) in basePoints.enumerated() {
                for k in 0..<base.count {
                    #expect(QuadFelt(atBase[q * base.count + k]) == horner(base[k].map { QuadFelt($0) }, at: QuadFelt(x)))
                }
            }
            // Extension polynomials as pairs of base polynomials: P(z) = P₀(z) + φ·P₁(z).
            let parts = withColumnPointers(quad) { pointers in
                let bases = pointers.flatMap { p in (0..<2).map { UnsafeRawPointer(p).assumingMemoryBound(to: Felt.self) + $0 } }
                return PointEvaluator.evaluate(bases, stride: 2, length: length, at: quadPoints, threads: threads)
            }
            for (q, z) in quadPoints.enumerated() {
                for k in 0..<quad.count {
                    let value = parts[q * 4 + 2 * k] + QuadFelt(.zero, .one) * parts[q * 4 + 2 * k + 1]
                    #expect(value == horner(quad[k], at: z), "length \(length), point \(q), extension poly \(k)")
                }
            }
        }
    }
}
