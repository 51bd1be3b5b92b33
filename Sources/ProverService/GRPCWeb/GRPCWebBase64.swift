/// Base64 for gRPC-Web text mode (`application/grpc-web-text`). Decoding accepts what clients
/// send: a concatenation of independently padded chunks (padding may appear mid-body) and
/// ignores ASCII whitespace.
public enum GRPCWebBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// A text body that is not valid base64.
    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index ..< min(index + 3, bytes.count)]
            let b0 = chunk[chunk.startIndex]
            let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
            let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: [UInt8]) throws(DecodingError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var group: [UInt8] = []
        var position = 0
        for character in text {
            position += 1
            if character == 0x20 || character == 0x0a || character == 0x0d || character == 0x09 { continue }
            group.append(character)
            guard group.count == 4 else { continue }
            var values: [UInt8] = []
            var padding = 0
            for symbol in group {
                if symbol == UInt8(ascii: "=") { padding += 1; continue }
                guard padding == 0, let value = sextet(symbol) else {
                    throw DecodingError(description: "invalid base64 in the gRPC-Web text body near byte \(position)")
                }
                values.append(value)
            }
            guard padding <= 2 else { throw DecodingError(description: "invalid base64 padding in the gRPC-Web text body near byte \(position)") }
            out.append(values[0] << 2 | values[1] >> 4)
            if values.count > 2 { out.append(values[1] << 4 | values[2] >> 2) }
            if values.count > 3 { out.append(values[2] << 6 | values[3]) }
            group.removeAll(keepingCapacity: true)
        }
        guard group.isEmpty else {
            throw DecodingError(description: "the gRPC-Web text body's base64 ends in an incomplete group of \(group.count) characters")
        }
        return out
    }

    private static func sextet(_ symbol: UInt8) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): symbol - UInt8(ascii: "A")
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): symbol - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): symbol - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
