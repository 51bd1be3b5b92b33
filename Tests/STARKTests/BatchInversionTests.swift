import Testing
@testable import STARK

/// Batch inversion: every short length, zeros anywhere, in place and out of place, base field and
/// extension.
@Suite struct BatchInversionTests {
    static func check<E: FieldElement>(_ values: [E], label: String) {
        let expected = values.map { $0 == E.zero ? E.zero : $0.inverse() }
        #expect(BatchInversion.invert(values) == expected, "\(label), out of place")
        var inPlace = values
        inPlace.withUnsafeMutableBufferPointer { BatchInversion.invert(UnsafeBufferPointer($0), into: $0) }
        #expect(inPlace == expected, "\(label), in place")
    }

    @Test func everyShortLengthInPlaceAndOutOfPlace() {
        var rng = SplitMix64(seed: 51)
        for n in 0...17 {
            for zeros in [false, true] {
                var base = (0..<n).map { _ in Felt(rng.next() % Felt.modulus) }
                var ext = (0..<n).map { _ in QuadFelt(Felt(rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus)) }
                if zeros {
                    for i in 0..<n where i % 3 == 0 || i == n - 1 { base[i] = .zero; ext[i] = .zero }
                }
                Self.check(base, label: "Felt, n \(n), zeros \(zeros)")
                Self.check(ext, label: "QuadFelt, n \(n), zeros \(zeros)")
            }
        }
    }
}
