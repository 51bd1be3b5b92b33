import GRPCCore

/// The gRPC-Web body format: length-prefixed frames (a flag byte, a 4-byte big-endian length,
/// the payload). Flag 0x00 is a message, 0x80 the trailers; bit 0x01 marks a compressed message,
/// which this server does not accept (it advertises no `grpc-accept-encoding`).
public enum GRPCWebFraming {
    public static let messageFlag: UInt8 = 0x00
    public static let trailersFlag: UInt8 = 0x80
    public static let compressedFlag: UInt8 = 0x01

    /// A body that is not a sequence of well-formed uncompressed message frames.
    public struct FrameError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The messages of a request body, in order. Every byte must belong to a whole frame.
    public static func messages(in body: [UInt8]) throws(FrameError) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var offset = 0
        while offset < body.count {
            guard body.count - offset >= 5 else {
                throw FrameError(description: "truncated gRPC-Web frame header: \(body.count - offset) bytes at offset \(offset), a header is 5")
            }
            let flag = body[offset]
            let length = body[offset + 1 ..< offset + 5].reduce(0) { $0 << 8 | Int($1) }
            guard flag & compressedFlag == 0 else {
                throw FrameError(description: "compressed gRPC-Web frame at offset \(offset): compression is not supported")
            }
            guard flag == messageFlag else {
                throw FrameError(description: "unexpected gRPC-Web frame flag 0x\(String(flag, radix: 16)) at offset \(offset) in a request")
            }
            let start = offset + 5
            guard body.count - start >= length else {
                throw FrameError(description: "truncated gRPC-Web frame at offset \(offset): its header says \(length) bytes, \(body.count - start) follow")
            }
            messages.append(Array(body[start ..< start + length]))
            offset = start + length
        }
        return messages
    }

    /// One frame: `flag`, then the big-endian length of `payload`, then `payload`.
    public static func frame(_ flag: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [flag, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
    }

    /// The trailers frame's payload: `grpc-status`, `grpc-message` (percent-encoded) and the
    /// trailing metadata, as HTTP/1-style `name: value` lines each ending in CRLF.
    public static func trailerBlock(_ status: Status, _ metadata: Metadata) -> [UInt8] {
        statusFields(status, metadata).map { "\($0.name): \($0.value)\r\n" }.joined().utf8.map { $0 }
    }

    /// The status fields of a response: `grpc-status`, `grpc-message` when there is one, then the
    /// metadata (binary values base64-encoded under their `-bin` names).
    public static func statusFields(_ status: Status, _ metadata: Metadata) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("grpc-status", "\(status.code.rawValue)")]
        if !status.message.isEmpty { fields.append(("grpc-message", percentEncodedMessage(status.message))) }
        return fields + headerFields(metadata)
    }

    /// Metadata as header fields: lower-case names, binary (`-bin`) values in base64.
    public static func headerFields(_ metadata: Metadata) -> [(name: String, value: String)] {
        metadata.compactMap { entry in
            let name = entry.key.lowercased()
            guard !name.hasPrefix("grpc-status"), name != "grpc-message", name != "content-type" else { return nil }
            switch entry.value {
            case .string(let text): return (name, text)
            case .binary(let bytes): return (name, GRPCWebBase64.encode(bytes))
            }
        }
    }

    /// `grpc-message` encoding from the gRPC HTTP/2 spec: bytes outside printable ASCII, and `%`,
    /// become `%XX` of the UTF-8 encoding.
    public static func percentEncodedMessage(_ message: String) -> String {
        var out = ""
        for byte in message.utf8 {
            if byte >= 0x20 && byte <= 0x7e && byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
