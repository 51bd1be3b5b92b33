/// A 256-bit hash output as four little-endian 64-bit words.
///
/// For RPO256 the words are canonical field elements (the Miden `Word`); for BLAKE3 they are the
/// 32 output bytes read as little-endian words. Serialized as 32 bytes.
@frozen
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    @inlinable @inline(__always)
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public static let zero = Digest(0, 0, 0, 0)

    /// The four words in order.
    @inlinable
    public var words: [UInt64] { [w0, w1, w2, w3] }

    /// The 32 bytes, little-endian word by word.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] {
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(k)))) }
        }
        return out
    }

    public var description: String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
