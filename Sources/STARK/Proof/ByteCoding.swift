/// Appends little-endian values to a byte array.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { for k in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
    public mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
    public mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
    public mutating func felt(_ v: Felt) { u64(v.value) }
    public mutating func digest(_ d: Digest) { u64(d.w0); u64(d.w1); u64(d.w2); u64(d.w3) }
    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    /// The current length, for recording section boundaries.
    public var count: Int { bytes.count }
}

/// Reads little-endian values with bounds checks; every failure names what was being read.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws(StarkError) -> ArraySlice<UInt8> {
        guard n >= 0, remaining >= n else {
            throw .malformedProof("truncated while reading \(what()) at byte \(offset) (need \(n), have \(remaining))")
        }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    public mutating func u8(_ what: @autoclosure () -> String) throws(StarkError) -> UInt8 {
        try take(1, what()).first!
    }

    public mutating func u16(_ what: @autoclosure () -> String) throws(StarkError) -> UInt16 {
        let s = try take(2, what())
        return s.reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }

    public mutating func u64(_ what: @autoclosure () -> String) throws(StarkError) -> UInt64 {
        let s = try take(8, what())
        return s.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A canonical field element; values ≥ p are refused, never reduced.
    public mutating func felt(_ what: @autoclosure () -> String) throws(StarkError) -> Felt {
        let at = offset
        let v = try u64(what())
        guard let f = Felt(canonical: v) else {
            throw .malformedProof("\(what()) at byte \(at) is \(v), not a canonical field element (≥ p)")
        }
        return f
    }

    /// A 32-byte digest. With `canonicalWords` (RPO256 digests, words of field elements) every
    /// word must be below p: a word v and v + p would hash alike, so one is refused, never reduced.
    public mutating func digest(_ what: @autoclosure () -> String, canonicalWords: Bool = false) throws(StarkError) -> Digest {
        func word(_ k: Int) throws(StarkError) -> UInt64 {
            let at = offset
            let v = try u64(what())
            guard !canonicalWords || v < Felt.modulus else {
                throw .malformedProof("\(what()) word \(k) at byte \(at) is \(v), not a canonical field element (≥ p) as an RPO256 digest word must be")
            }
            return v
        }
        return Digest(try word(0), try word(1), try word(2), try word(3))
    }

    /// Fails unless every byte was consumed.
    public func finish(_ what: String) throws(StarkError) {
        guard remaining == 0 else { throw .malformedProof("\(remaining) unexpected trailing bytes after \(what)") }
    }
}
