/// Why a binary payload (witness or proven transaction) was refused by its decoder.
///
/// Every case carries the path of the field being read, in the form the messages print it:
/// components joined by ": ", e.g. "input note 3: asset 1: amount". The decoder never reduces
/// or clamps a value; it refuses it. In a file that imports Rollup this name shadows the standard
/// library's Codable error, which is then spelled `Swift.DecodingError`.
public enum DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload does not start with the magic tag of `expected`.
    case wrongMagic(expected: PayloadKind, found: [UInt8])
    /// The payload is of the right kind but a version this decoder does not read.
    case unsupportedVersion(kind: PayloadKind, found: UInt8, supported: UInt8)
    /// The payload ended at byte `offset` while `field` still needed `needed` bytes.
    case truncated(offset: Int, field: String, needed: Int, available: Int)
    /// `field` holds `value` ≥ p, which is not a canonical Goldilocks element.
    case nonCanonicalFelt(field: String, value: UInt64)
    /// An asset amount at or above 2^63.
    case amountTooLarge(field: String, amount: UInt64)
    /// `field` holds `value`, which must be below `limit` (e.g. a storage slot ≥ 256).
    case valueOutOfRange(field: String, value: UInt64, limit: UInt64)
    /// Under `context` (empty at top level), `count` items of `what`, more than `limit`.
    case tooMany(context: String, what: String, count: Int, limit: Int)
    /// `count` bytes remained after a complete payload of `kind` ending at byte `offset`.
    case trailingBytes(kind: PayloadKind, offset: Int, count: Int)

    public var description: String {
        switch self {
        case let .wrongMagic(expected, found):
            if let actual = PayloadKind.recognise(found) {
                return "this is a \(actual), expected \(expected)"
            }
            return "not a \(expected.name) payload: it starts with \(Self.render(found)), not \"\(expected.tag)\""
        case let .unsupportedVersion(kind, found, supported):
            return "\(kind) version \(found) is not supported; this decoder reads version \(supported)"
        case let .truncated(offset, field, needed, available):
            return "truncated at byte \(offset) while reading \(field) (need \(Self.bytes(needed)), have \(available))"
        case let .nonCanonicalFelt(field, value):
            return "\(field) is \(value), not a canonical field element (≥ p)"
        case let .amountTooLarge(field, amount):
            return "\(field) \(amount) ≥ 2^63"
        case let .valueOutOfRange(field, value, limit):
            return "\(field) \(value) ≥ \(limit)"
        case let .tooMany(context, what, count, limit):
            return (context.isEmpty ? "" : "\(context): ") + "\(count) \(what); at most \(limit)"
        case let .trailingBytes(kind, offset, count):
            return "\(Self.bytes(count)) of trailing data at byte \(offset), after a complete \(kind)"
        }
    }

    private static func bytes(_ n: Int) -> String { n == 1 ? "1 byte" : "\(n) bytes" }

    /// Hex bytes, plus the ASCII reading when every byte is printable: `4D 54 58 5A ("MTXZ")`.
    private static func render(_ tag: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        let hex = tag.map { String([digits[Int($0 >> 4)], digits[Int($0 & 15)]]) }.joined(separator: " ")
        guard !tag.isEmpty, tag.allSatisfy({ (0x20..<0x7F).contains($0) && $0 != 0x22 }) else { return hex }
        return "\(hex) (\"\(String(decoding: tag, as: UTF8.self))\")"
    }
}
