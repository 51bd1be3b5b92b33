import Testing
@testable import STARK

/// The vector butterflies must give the scalar ones' values bit for bit, whichever kernel this
/// machine prefers: field operations on edge values, then whole transforms of every size.
@Suite struct NTTLanesTests {
    static let edges: [UInt64] = [0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, 0x1_0000_0001, Felt.modulus - 1, Felt.modulus - 2,
                                  Felt.modulus - 0xFFFF_FFFF, 0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_0000_0000]

    @Test func laneArithmeticMatchesTheScalarField() {
        var rng = SplitMix64(seed: 17)
        var values = Self.edges.map { Felt($0) }
        for _ in 0..<500 { values.append(Felt(rng.next() % Felt.modulus)) }
        let width = NTTLanes.width
        for (i, a) in values.enumerated() {
            // Each lane pairs a with a different b.
            let bs = (0..<width).map { values[(i * 7 + $0 * 13) % values.count] }
            let va = NTTLanes.Vector(repeating: a.value)
            var vb = NTTLanes.Vector(repeating: 0)
            for k in 0..<width { vb[k] = bs[k].value }
            let sum = NTTLanes.add(va, vb), difference = NTTLanes.sub(va, vb), product = NTTLanes.mul(va, vb)
            for k in 0..<width {
                #expect(sum[k] == (a + bs[k]).value, "\(a) + \(bs[k])")
                #expect(difference[k] == (a - bs[k]).value, "\(a) − \(bs[k])")
                #expect(product[k] == (a * bs[k]).value, "\(a) · \(bs[k])")
            }
        }
    }

    @Test func transformsMatchTheScalarButterfliesAtEverySize() {
        var rng = SplitMix64(seed: 23)
        for logN in 1...14 {
            let n = 1 << logN
            let input = (0..<n).map { i in i < Self.edges.count ? Felt(Self.edges[i]) : Felt(rng.next() % Felt.modulus) }
            for inverseRoots in [false, true] {
                for threads in [1, 2] {
                    var scalar = input, vector = input
                    scalar.withUnsafeMutableBufferPointer { NTT.transform($0, inverseRoots: inverseRoots, threads: threads, lanes: false) }
                    vector.withUnsafeMutableBufferPointer { NTT.transform($0, inverseRoots: inverseRoots, threads: threads, lanes: true) }
                    #expect(scalar == vector, "2^\(logN), inverse \(inverseRoots), \(threads) thread(s)")
                }
            }
        }
        // Extension elements: pairs of base elements under the same twiddles.
        for logN in 1...12 {
            let n = 1 << logN
            let input = (0..<n).map { i in
                QuadFelt(Felt(i < Self.edges.count ? Self.edges[i] : rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus))
            }
            for inverseRoots in [false, true] {
                var scalar = input, vector = input
                scalar.withUnsafeMutableBufferPointer { NTT.transform($0, inverseRoots: inverseRoots, threads: 2, lanes: false) }
                vector.withUnsafeMutableBufferPointer { NTT.transform($0, inverseRoots: inverseRoots, threads: 2, lanes: true) }
                #expect(scalar == vector, "extension 2^\(logN), inverse \(inverseRoots)")
            }
        }
        // The scalar kernel is the reference: it evaluates the polynomial.
        let coefficients = (0..<64).map { _ in Felt(rng.next() % Felt.modulus) }
        var evaluations = coefficients
        evaluations.withUnsafeMutableBufferPointer { NTT.transform($0, inverseRoots: false, threads: 1, lanes: true) }
        let omega = Felt.rootOfUnity(logSize: 6)
        for i in [0, 1, 5, 63] {
            let x = omega.power(UInt64(i))
            #expect(evaluations[i] == coefficients.reversed().reduce(Felt.zero) { $0 * x + $1 })
        }
    }
}
