import Testing
@testable import STARK

/// The unreduced sum of extension-times-base products equals the sum of field products.
@Suite struct QuadAccumulatorTests {
    static func naive(_ terms: [(QuadFelt, Felt)]) -> QuadFelt {
        terms.reduce(QuadFelt.zero) { $0 + $1.0.scaled(by: $1.1) }
    }

    static func accumulated(_ terms: [(QuadFelt, Felt)]) -> QuadFelt {
        var sum = QuadAccumulator()
        for (c, v) in terms { sum.add(c, times: v) }
        return sum.value
    }

    @Test func randomTermsMatchFieldArithmetic() {
        var rng = SplitMix64(seed: 11)
        func felt() -> Felt { Felt(rng.next() % Felt.modulus) }
        for count in [0, 1, 2, 7, 88, 1000] {
            let terms = (0..<count).map { _ in (QuadFelt(felt(), felt()), felt()) }
            #expect(Self.accumulated(terms) == Self.naive(terms), "\(count) terms")
        }
    }

    /// Largest products, many of them: the word sums carry into their upper halves again and again.
    @Test func extremeTermsSumExactly() {
        let top = Felt(Felt.modulus - 1)
        for count in [1, 2, 3, 5000] {
            let terms = [(QuadFelt, Felt)](repeating: (QuadFelt(top, top), top), count: count)
            #expect(Self.accumulated(terms) == Self.naive(terms), "\(count) terms of (p−1)²")
        }
        let mixed: [(QuadFelt, Felt)] = (0..<4000).map { i in
            (QuadFelt(Felt(Felt.modulus - 1 - UInt64(i)), Felt(UInt64(1) << 63)), Felt(Felt.modulus - 2 - UInt64(i % 3)))
        }
        #expect(Self.accumulated(mixed) == Self.naive(mixed))
    }
}
