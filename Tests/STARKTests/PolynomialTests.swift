import Testing
@testable import STARK

@Suite struct PolynomialTests {
    /// O(n²) evaluation on the subgroup, the reference for the NTT.
    func naiveDFT<E: FieldElement>(_ coefficients: [E]) -> [E] {
        let n = coefficients.count
        let w = Felt.rootOfUnity(logSize: log2Exact(n))
        return (0..<n).map { i in
            let x = w.power(UInt64(i))
            var acc = E.zero
            for c in coefficients.reversed() { acc = acc.scaled(by: x) + c }
            return acc
        }
    }

    @Test(arguments: [1, 2, 4, 8, 16, 64, 256])
    func forwardMatchesNaive(size: Int) {
        var rng = SplitMix64(seed: UInt64(size))
        let coefficients = (0..<size).map { _ in rng.felt() }
        var fast = coefficients
        NTT.forward(&fast)
        #expect(fast == naiveDFT(coefficients))
        let ext = (0..<size).map { _ in rng.quad() }
        var fastExt = ext
        NTT.forward(&fastExt)
        #expect(fastExt == naiveDFT(ext))
    }

    @Test(arguments: [8192, 1 << 13 + 1 << 13])
    func blockedLayersMatchNaiveOnLargerSizes(size: Int) {
        // Sizes above the 2^12 cache block exercise both butterfly loops; check a few outputs naively.
        var rng = SplitMix64(seed: 7)
        let coefficients = (0..<size).map { _ in rng.felt() }
        var fast = coefficients
        NTT.forward(&fast, threads: 2)
        let w = Felt.rootOfUnity(logSize: log2Exact(size))
        for i in [0, 1, 5, size / 2 + 3, size - 1] {
            #expect(fast[i] == Polynomial.evaluate(coefficients, at: w.power(UInt64(i))))
        }
    }

    @Test(arguments: [1 << 12, 1 << 16, 1 << 20, 1 << 24])
    func inverseUndoesForward(size: Int) {
        var rng = SplitMix64(seed: UInt64(size) &* 3)
        let values = (0..<size).map { _ in rng.felt() }
        var roundTrip = values
        NTT.forward(&roundTrip, threads: 2)
        NTT.inverse(&roundTrip, threads: 2)
        #expect(roundTrip == values)
    }

    @Test func threadCountDoesNotChangeResults() {
        var rng = SplitMix64(seed: 99)
        let values = (0..<(1 << 15)).map { _ in rng.felt() }
        var one = values, two = values, three = values
        NTT.forward(&one, threads: 1)
        NTT.forward(&two, threads: 2)
        NTT.forward(&three, threads: 3)
        #expect(one == two && two == three)
    }

    @Test(arguments: [2, 4, 8, 32])
    func cosetExtensionEvaluatesOnTheCoset(blowup: Int) {
        var rng = SplitMix64(seed: UInt64(blowup))
        let coefficients = (0..<32).map { _ in rng.felt() }
        let offset = Felt.multiplicativeGenerator
        let lde = coefficients.withUnsafeBufferPointer {
            Polynomial.cosetEvaluations(coefficients: $0, blowup: blowup, offset: offset, threads: 2)
        }
        let w = Felt.rootOfUnity(logSize: log2Exact(32 * blowup))
        for i in stride(from: 0, to: lde.count, by: 7) {
            #expect(lde[i] == Polynomial.evaluate(coefficients, at: offset * w.power(UInt64(i))))
        }
        var back = lde
        back.withUnsafeMutableBufferPointer { Polynomial.interpolateCoset($0, offset: offset, threads: 1) }
        #expect(Array(back[..<32]) == coefficients)
        #expect(back[32...].allSatisfy { $0.isZero })
    }

    @Test func divisionByVanishingPolynomial() {
        var rng = SplitMix64(seed: 5)
        let q = (0..<20).map { _ in rng.felt() }
        // p = q·(x^8 − 1)
        var vanishing = [Felt](repeating: .zero, count: 9)
        vanishing[0] = -Felt.one
        vanishing[8] = .one
        let p = Polynomial.multiply(q, vanishing)
        #expect(Polynomial.divideByVanishing(p, subgroupSize: 8) == q)
        var notDivisible = p
        notDivisible[3] += .one
        #expect(Polynomial.divideByVanishing(notDivisible, subgroupSize: 8) == nil)
        // p vanishes on the subgroup of order 8.
        let w = Felt.rootOfUnity(logSize: 3)
        for i in 0..<8 { #expect(Polynomial.evaluate(p, at: w.power(UInt64(i))).isZero) }
    }

    @Test func evaluationAtExtensionPoint() {
        let coefficients: [Felt] = [3, 0, 2]  // 3 + 2x²
        let x = QuadFelt(Felt(5), Felt(7))
        #expect(Polynomial.evaluate(coefficients, at: x) == QuadFelt(Felt(3)) + (x * x).scaled(by: 2))
    }
}
