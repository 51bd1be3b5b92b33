import STARK

/// One change to a payload. Values are recorded, not just their effect, so that a case can be
/// described when it is reported.
public enum Mutation: Sendable, Equatable, CustomStringConvertible {
    /// Flips the bits at these absolute bit positions (byte·8 + bit).
    case flipBits([Int])
    /// Writes `bytes` from `offset` (as many as fit).
    case overwrite(offset: Int, bytes: [UInt8])
    /// Sets the 8-byte little-endian element at `offset` to `value` (≥ p, 2^64 − 1, or an alias v + p).
    case element(offset: Int, value: UInt64)
    /// Sets the count field at `offset` of `width` bytes to `value` (a length-prefix blow-up).
    case count(offset: Int, width: Int, value: UInt64)
    /// Keeps the first `length` bytes.
    case truncate(length: Int)
    /// Appends `bytes`.
    case append([UInt8])
    /// Removes a byte range.
    case delete(Range<Int>)
    /// Inserts a copy of `range` at `at`.
    case duplicate(Range<Int>, at: Int)
    /// Inserts `bytes` at `offset`.
    case insert(offset: Int, bytes: [UInt8])
    /// Exchanges two byte ranges (`first` before `second`, not overlapping).
    case swap(Range<Int>, Range<Int>)
    /// Replaces everything from `cut` with honest sample `sample` from its byte `from` on.
    case splice(cut: Int, sample: Int, from: Int)

    public var description: String {
        switch self {
        case .flipBits(let bits): "flip bit(s) \(bits.map { "\($0 / 8).\($0 % 8)" }.joined(separator: ","))"
        case let .overwrite(offset, bytes): "overwrite \(bytes.count) byte(s) at \(offset) with \(hex(bytes))"
        case let .element(offset, value): "element at \(offset) = 0x\(String(value, radix: 16))"
        case let .count(offset, width, value): "u\(8 * width) count at \(offset) = 0x\(String(value, radix: 16))"
        case .truncate(let length): "truncate to \(length) bytes"
        case .append(let bytes): "append \(bytes.count) byte(s) \(hex(bytes))"
        case .delete(let range): "delete bytes \(range.lowerBound)..<\(range.upperBound)"
        case let .duplicate(range, at): "duplicate bytes \(range.lowerBound)..<\(range.upperBound) at \(at)"
        case let .insert(offset, bytes): "insert \(bytes.count) byte(s) at \(offset): \(hex(bytes))"
        case let .swap(a, b): "swap bytes \(a.lowerBound)..<\(a.upperBound) and \(b.lowerBound)..<\(b.upperBound)"
        case let .splice(cut, sample, from): "splice at \(cut) with sample \(sample) from byte \(from)"
        }
    }

    /// Applies the mutation; offsets past the end are clamped, so every mutation applies to every payload.
    public func apply(to bytes: inout [UInt8], samples: [[UInt8]]) {
        let n = bytes.count
        switch self {
        case .flipBits(let bits):
            for b in bits where b / 8 < n { bytes[b / 8] ^= 1 << UInt8(b % 8) }
        case let .overwrite(offset, values):
            for (k, v) in values.enumerated() where offset + k < n { bytes[offset + k] = v }
        case let .element(offset, value):
            for k in 0..<8 where offset + k < n { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        case let .count(offset, width, value):
            for k in 0..<width where offset + k < n { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        case .truncate(let length):
            if length < n { bytes.removeSubrange(length...) }
        case .append(let extra):
            bytes.append(contentsOf: extra)
        case .delete(let range):
            bytes.removeSubrange(range.clamped(to: 0..<n))
        case let .duplicate(range, at):
            let copy = Array(bytes[range.clamped(to: 0..<n)])
            bytes.insert(contentsOf: copy, at: min(at, n))
        case let .insert(offset, values):
            bytes.insert(contentsOf: values, at: min(offset, n))
        case let .swap(a, b):
            guard a.upperBound <= b.lowerBound, b.upperBound <= n else { return }
            bytes = Array(bytes[..<a.lowerBound]) + bytes[b] + bytes[a.upperBound..<b.lowerBound] + bytes[a] + bytes[b.upperBound...]
        case let .splice(cut, sample, from):
            let other = samples[sample]
            bytes.removeSubrange(min(cut, n)...)
            bytes.append(contentsOf: other[min(from, other.count)...])
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    let shown = bytes.prefix(16).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    return bytes.count > 16 ? shown + "…" : shown
}
