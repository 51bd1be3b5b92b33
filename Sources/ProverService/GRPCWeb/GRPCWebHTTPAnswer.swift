import Foundation
import GRPCCore
import NIOHTTP1

/// One whole HTTP response of the gRPC-Web listener: status line, headers and body.
struct GRPCWebHTTPAnswer: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: [UInt8]

    /// A gRPC reply as gRPC-Web: HTTP 200, the initial metadata as headers, each message as a
    /// frame and the status in a trailers frame (0x80). A reply without messages is trailers-only:
    /// its status goes in the headers and the body is empty. Text mode base64-encodes the body.
    static func grpc(_ reply: GRPCWebReply, text: Bool, extraHeaders: [(String, String)]) -> GRPCWebHTTPAnswer {
        var headers = [("content-type", text ? GRPCWebContentType.textProto : GRPCWebContentType.binaryProto)] + extraHeaders
        headers += GRPCWebFraming.headerFields(reply.metadata).map { ($0.name, $0.value) }
        var body: [UInt8] = []
        if reply.messages.isEmpty {
            headers += GRPCWebFraming.statusFields(reply.status, reply.trailers).map { ($0.name, $0.value) }
        } else {
            for message in reply.messages { body += GRPCWebFraming.frame(GRPCWebFraming.messageFlag, message) }
            body += GRPCWebFraming.frame(GRPCWebFraming.trailersFlag, GRPCWebFraming.trailerBlock(reply.status, reply.trailers))
        }
        if text && !body.isEmpty { body = Array(GRPCWebBase64.encode(body).utf8) }
        return GRPCWebHTTPAnswer(status: .ok, headers: headers, body: body)
    }

    /// A plain-text HTTP error for requests that are not gRPC-Web at all (wrong method or
    /// content type, refused origin): no gRPC client would read a grpc-status there.
    static func plain(_ status: HTTPResponseStatus, _ message: String, extraHeaders: [(String, String)] = []) -> GRPCWebHTTPAnswer {
        GRPCWebHTTPAnswer(status: status, headers: [("content-type", "text/plain; charset=utf-8")] + extraHeaders, body: Array((message + "\n").utf8))
    }
}

/// The gRPC-Web content types: binary frames or base64 text, with the protobuf codec.
enum GRPCWebContentType {
    static let binaryProto = "application/grpc-web+proto"
    static let textProto = "application/grpc-web-text+proto"

    /// Whether a request's `content-type` is gRPC-Web text (true), binary (false) or neither (nil).
    static func isText(_ contentType: String) -> Bool? {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch base {
        case "application/grpc-web", "application/grpc-web+proto": return false
        case "application/grpc-web-text", "application/grpc-web-text+proto": return true
        default: return nil
        }
    }
}
