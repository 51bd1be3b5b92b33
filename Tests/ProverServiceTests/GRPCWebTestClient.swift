import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// A minimal HTTP client for gRPC-Web tests: raw HTTP/1.1 bytes over TCP, or one stream of an
/// HTTP/2 prior-knowledge (h2c) connection.
enum GRPCWebTestClient {
    enum Version: Sendable, CustomStringConvertible {
        case http1, http2
        var description: String { self == .http1 ? "HTTP/1.1" : "h2c" }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

        /// The body's gRPC-Web frames (flag, payload); text bodies are base64-decoded first.
        func frames() throws -> [(flag: UInt8, payload: [UInt8])] {
            var bytes = body
            if header("content-type")?.contains("grpc-web-text") == true {
                guard let data = Data(base64Encoded: Data(body)) else { throw TestClientError("text body is not base64") }
                bytes = [UInt8](data)
            }
            var frames: [(flag: UInt8, payload: [UInt8])] = []
            var offset = 0
            while offset < bytes.count {
                guard bytes.count - offset >= 5 else { throw TestClientError("truncated frame header in response") }
                let length = bytes[offset + 1 ..< offset + 5].reduce(0) { $0 << 8 | Int($1) }
                guard bytes.count - offset - 5 >= length else { throw TestClientError("truncated frame in response") }
                frames.append((bytes[offset], Array(bytes[offset + 5 ..< offset + 5 + length])))
                offset += 5 + length
            }
            return frames
        }

        /// The gRPC status fields: from the trailers frame, or from the headers of a trailers-only response.
        func grpcStatus() throws -> (code: Int?, message: String?) {
            if let trailer = try frames().first(where: { $0.flag == 0x80 }) {
                var fields: [String: String] = [:]
                for line in String(decoding: trailer.payload, as: UTF8.self).split(separator: "\r\n") {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (fields["grpc-status"].flatMap { Int($0) }, fields["grpc-message"]?.removingPercentEncoding)
            }
            return (header("grpc-status").flatMap { Int($0) }, header("grpc-message")?.removingPercentEncoding)
        }

        /// The payloads of the message frames.
        func messages() throws -> [[UInt8]] { try frames().filter { $0.flag == 0 }.map(\.payload) }
    }

    struct TestClientError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A body of one message frame.
    static func framed(_ message: [UInt8]) -> [UInt8] {
        let n = UInt32(message.count)
        return [0, UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + message
    }

    static func send(_ version: Version, port: Int, method: String = "POST", path: String,
                     headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Response {
        switch version {
        case .http1: try await sendHTTP1(port: port, method: method, path: path, headers: headers, body: body)
        case .http2: try await sendHTTP2(port: port, method: method, path: path, headers: headers, body: body)
        }
    }

    /// Writes the request as raw bytes with `Connection: close` and reads until the server closes.
    static func sendHTTP1(port: Int, method: String, path: String, headers: [(String, String)], body: [UInt8]) async throws -> Response {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        let raw = try await exchangeRaw(port: port, bytes: Array((request + "\r\n").utf8) + body)
        return try parseHTTP1(raw)
    }

    /// Sends `bytes` on a new TCP connection and returns everything read until the server closes it.
    static func exchangeRaw(port: Int, bytes: [UInt8]) async throws -> [UInt8] {
        let received = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RawCollector(done: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
        return try await received.futureResult.get()
    }

    /// Sends `bytes` on a new TCP connection and closes it without waiting for an answer.
    static func sendAndClose(port: Int, bytes: [UInt8]) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
        try await channel.close()
    }

    static func parseHTTP1(_ raw: [UInt8]) throws -> Response {
        guard let split = raw.indices.first(where: { raw[$0...].starts(with: [13, 10, 13, 10]) }) else {
            throw TestClientError("no end of headers in \(raw.count) bytes: \(String(decoding: raw, as: UTF8.self))")
        }
        let lines = String(decoding: raw[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestClientError("bad status line \(lines[0])") }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(raw[(split + 4)...])
        if let length = headers.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }) { body = Array(body.prefix(length)) }
        return Response(status: status, headers: headers, body: body)
    }

    /// One request on a new h2c (prior knowledge) connection.
    static func sendHTTP2(port: Int, method: String, path: String, headers: [(String, String)], body: [UInt8]) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        let multiplexer = try await channel.eventLoop.flatSubmit {
            channel.configureHTTP2Pipeline(mode: .client, connectionConfiguration: .init(), streamConfiguration: .init()) {
                $0.eventLoop.makeSucceededVoidFuture()
            }
        }.get()
        let response = channel.eventLoop.makePromise(of: Response.self)
        let stream = try await channel.eventLoop.flatSubmit {
            multiplexer.createStreamChannel { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandlers([
                        HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http), ResponseCollector(done: response),
                    ])
                }
            }
        }.get()
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "content-length", value: "\(body.count)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        stream.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty { stream.write(HTTPClientRequestPart.body(.byteBuffer(stream.allocator.buffer(bytes: body))), promise: nil) }
        stream.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return try await response.futureResult.get()
    }
}

/// Collects every byte of a connection and completes when the server closes it.
private final class RawCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var bytes: [UInt8] = []
    private let done: EventLoopPromise<[UInt8]>
    init(done: EventLoopPromise<[UInt8]>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    private var finished = false

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { finished = true; done.succeed(bytes) }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset after the answer arrived still counts as the answer.
        if !finished { finished = true; if bytes.isEmpty { done.fail(error) } else { done.succeed(bytes) } }
        context.close(promise: nil)
    }
}

/// Collects one HTTP response from an HTTP/2 stream (seen as HTTP/1 parts).
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private var response = GRPCWebTestClient.Response(status: 0, headers: [], body: [])
    private let done: EventLoopPromise<GRPCWebTestClient.Response>
    init(done: EventLoopPromise<GRPCWebTestClient.Response>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response.status = Int(head.status.code)
            response.headers = head.headers.map { ($0.name.lowercased(), $0.value) }
        case .body(var buffer): response.body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            finished = true
            done.succeed(response)
        }
    }

    private var finished = false

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { finished = true; done.fail(GRPCWebTestClient.TestClientError("the stream closed before the response ended")) }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !finished { finished = true; done.fail(error) }
        context.close(promise: nil)
    }
}
