import Foundation
import GRPCCore
import NIOCore
import NIOHTTP1

/// Serves gRPC-Web requests arriving as HTTP/1-style parts (an HTTP/1.1 connection, or one HTTP/2
/// stream through NIO's HTTP/2-to-HTTP/1 codec). Answers CORS preflights and every request it
/// can refuse by itself (refused origin, wrong method or content type, oversized or malformed
/// body) without involving the gRPC server; hands the rest to `dispatch` as a `GRPCWebCall` and
/// writes the reply when it comes back.
final class GRPCWebHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the handler needs from its server, shared by all connections.
    struct Settings: Sendable {
        let cors: GRPCWebCORSPolicy
        let maxRequestBodyBytes: Int
        /// Hands a call to the gRPC server; false once the server is shutting down.
        let dispatch: @Sendable (GRPCWebCall) -> Bool
    }

    private struct Request {
        var head: HTTPRequestHead
        var text: Bool
        var corsHeaders: [(String, String)]
        var body: [UInt8] = []
    }

    private enum State {
        case idle
        case collecting(Request)
        /// Answered (or to be answered) without reading the body: `answer` is written at the end
        /// of the request unless it was already sent.
        case draining(answer: GRPCWebHTTPAnswer?, keepAlive: Bool)
        case awaitingReply(ServerContext.RPCCancellationHandle, keepAlive: Bool)
    }

    private let settings: Settings
    private let isHTTP2: Bool
    private var state = State.idle

    init(settings: Settings, isHTTP2: Bool) {
        self.settings = settings
        self.isHTTP2 = isHTTP2
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): received(head, context: context)
        case .body(var buffer):
            guard case .collecting(var request) = state else { return }
            guard request.body.count + buffer.readableBytes <= settings.maxRequestBodyBytes else {
                refuseOversized(request.corsHeaders, context: context)
                return
            }
            state = .idle
            request.body += buffer.readBytes(length: buffer.readableBytes) ?? []
            state = .collecting(request)
        case .end:
            switch state {
            case .collecting(let request): complete(request, context: context)
            case .draining(let answer, let keepAlive):
                state = .idle
                if let answer { write(answer, keepAlive: keepAlive, context: context) } else if !keepAlive { context.close(promise: nil) }
            case .idle, .awaitingReply: break
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .awaitingReply(let cancellation, _) = state { cancellation.cancel() }
        state = .idle
        context.fireChannelInactive()
    }

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = isHTTP2 || head.isKeepAlive
        var corsHeaders: [(String, String)] = []
        if let origin = head.headers.first(name: "origin") {
            guard let allowed = settings.cors.allowOrigin(for: origin) else {
                state = .draining(answer: .plain(.forbidden, "origin \(origin) may not call this gRPC-Web endpoint"), keepAlive: keepAlive)
                return
            }
            corsHeaders = settings.cors.responseHeaders(allowOrigin: allowed)
            if head.method == .OPTIONS {
                let preflight = GRPCWebHTTPAnswer(status: .noContent, headers: settings.cors.preflightHeaders(allowOrigin: allowed), body: [])
                state = .draining(answer: preflight, keepAlive: keepAlive)
                return
            }
        }
        guard head.method == .POST else {
            let answer = GRPCWebHTTPAnswer.plain(.methodNotAllowed, "gRPC-Web calls are POST requests, not \(head.method.rawValue)",
                                                 extraHeaders: [("allow", "POST, OPTIONS")] + corsHeaders)
            state = .draining(answer: answer, keepAlive: keepAlive)
            return
        }
        let contentType = head.headers.first(name: "content-type") ?? ""
        guard let text = GRPCWebContentType.isText(contentType) else {
            let answer = GRPCWebHTTPAnswer.plain(
                .unsupportedMediaType,
                "content-type '\(contentType)' is not gRPC-Web: use \(GRPCWebContentType.binaryProto) or \(GRPCWebContentType.textProto)",
                extraHeaders: corsHeaders)
            state = .draining(answer: answer, keepAlive: keepAlive)
            return
        }
        if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > settings.maxRequestBodyBytes {
            state = .collecting(Request(head: head, text: text, corsHeaders: corsHeaders))
            refuseOversized(corsHeaders, context: context)
            return
        }
        state = .collecting(Request(head: head, text: text, corsHeaders: corsHeaders))
    }

    /// A body past the limit: answered at once with RESOURCE_EXHAUSTED; the rest of the body is
    /// read and dropped (HTTP/1.1, then the connection closes) or the stream is reset (HTTP/2).
    private func refuseOversized(_ corsHeaders: [(String, String)], context: ChannelHandlerContext) {
        guard case .collecting(let request) = state else { return }
        let reply = GRPCWebReply.error(.resourceExhausted,
                                       "request body exceeds the gRPC-Web limit of \(settings.maxRequestBodyBytes) bytes")
        state = .draining(answer: nil, keepAlive: false)
        write(.grpc(reply, text: request.text, extraHeaders: corsHeaders), keepAlive: false, context: context)
    }

    private func complete(_ request: Request, context: ChannelHandlerContext) {
        let keepAlive = isHTTP2 || request.head.isKeepAlive
        func refuse(_ code: Status.Code, _ message: String) {
            state = .idle
            write(.grpc(.error(code, message), text: request.text, extraHeaders: request.corsHeaders), keepAlive: keepAlive, context: context)
        }
        let parts = request.head.uri.split(separator: "?").first.map { $0.split(separator: "/", omittingEmptySubsequences: false) } ?? []
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            return refuse(.unimplemented, "no gRPC method at path '\(request.head.uri)': expected /package.Service/Method")
        }
        let messages: [[UInt8]]
        do {
            let body = request.text ? try GRPCWebBase64.decode(request.body) : request.body
            messages = try GRPCWebFraming.messages(in: body)
        } catch let error as GRPCWebBase64.DecodingError {
            return refuse(.invalidArgument, "\(error)")
        } catch {
            return refuse(.internalError, "\(error)")
        }
        let metadata: Metadata
        do { metadata = try Self.metadata(from: request.head.headers) } catch { return refuse(.invalidArgument, "\(error)") }

        let cancellation = ServerContext.RPCCancellationHandle()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let corsHeaders = request.corsHeaders
        let text = request.text
        let call = GRPCWebCall(
            descriptor: MethodDescriptor(fullyQualifiedService: String(parts[1]), method: String(parts[2])),
            metadata: metadata, messages: messages,
            remotePeer: Self.peer(context.channel.parent?.remoteAddress ?? context.channel.remoteAddress),
            localPeer: Self.peer(context.channel.parent?.localAddress ?? context.channel.localAddress),
            cancellation: cancellation,
            respond: { reply in
                eventLoop.execute {
                    guard case .awaitingReply(_, let keepAlive) = handler.value.state else { return }
                    handler.value.state = .idle
                    handler.value.write(.grpc(reply, text: text, extraHeaders: corsHeaders), keepAlive: keepAlive, context: boundContext.value)
                }
            })
        state = .awaitingReply(cancellation, keepAlive: keepAlive)
        guard settings.dispatch(call) else {
            return refuse(.unavailable, "the proxy is shutting down")
        }
    }

    private func write(_ answer: GRPCWebHTTPAnswer, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(answer.headers)
        headers.replaceOrAdd(name: "content-length", value: "\(answer.body.count)")
        if !isHTTP2 && !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
        if !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if isHTTP2, case .draining = state {
            // An HTTP/2 stream whose body we refuse: reset it once the answer is out.
            written.whenComplete { _ in context.close(promise: nil) }
        } else if !keepAlive, case .idle = state {
            written.whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Request headers as gRPC metadata, without the HTTP-only ones.
    static func metadata(from headers: HTTPHeaders) throws(GRPCWebSettingError) -> Metadata {
        let httpOnly: Set<String> = [
            "host", "connection", "content-length", "content-type", "accept", "accept-encoding", "accept-language", "origin",
            "referer", "user-agent", "te", "keep-alive", "transfer-encoding", "upgrade", "cache-control", "pragma", "cookie",
        ]
        var metadata = Metadata()
        for (name, value) in headers {
            let key = name.lowercased()
            if httpOnly.contains(key) || key.hasPrefix("sec-") || key.hasPrefix(":") { continue }
            if key.hasSuffix("-bin") {
                guard let bytes = try? GRPCWebBase64.decode(Array(value.utf8)) else {
                    throw GRPCWebSettingError(description: "header '\(key)' ends in -bin but its value is not base64")
                }
                metadata.addBinary(bytes, forKey: key)
            } else {
                metadata.addString(value, forKey: key)
            }
        }
        return metadata
    }

    /// A peer in gRPC's notation ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000"), which the rate
    /// limiter keys on.
    static func peer(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        switch address {
        case .v4: return "ipv4:\(address.ipAddress ?? ""):\(address.port ?? 0)"
        case .v6: return "ipv6:[\(address.ipAddress ?? "")]:\(address.port ?? 0)"
        case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
        }
    }
}
