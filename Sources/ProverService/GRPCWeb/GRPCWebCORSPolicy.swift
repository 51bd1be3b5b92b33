import NIOHTTP1

/// CORS for browser callers: which origins may call, and the headers of preflight answers and of
/// responses. Requests without an `Origin` (curl, servers) are not browsers and pass unchanged.
public struct GRPCWebCORSPolicy: Sendable {
    /// Request headers a gRPC-Web client may send (preflight `Access-Control-Allow-Headers`).
    public static let allowedRequestHeaders = "content-type, x-grpc-web, x-user-agent, grpc-timeout, traceparent, tracestate, x-request-id"
    /// Response headers a browser script may read: the status of trailers-only responses.
    public static let exposedResponseHeaders = "grpc-status, grpc-message"

    public let allowedOrigins: [String]
    public let maxAgeSeconds: Int

    public init(allowedOrigins: [String], maxAgeSeconds: Int) {
        self.allowedOrigins = allowedOrigins
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// The `Access-Control-Allow-Origin` value for `origin`, or nil if that origin may not call.
    public func allowOrigin(for origin: String) -> String? {
        if allowedOrigins.contains("*") { return "*" }
        return allowedOrigins.contains(where: { $0.lowercased() == origin.lowercased() }) ? origin : nil
    }

    /// Headers every response to an allowed browser request carries.
    func responseHeaders(allowOrigin: String) -> [(String, String)] {
        var headers = [("access-control-allow-origin", allowOrigin), ("access-control-expose-headers", Self.exposedResponseHeaders)]
        if allowOrigin != "*" { headers.append(("vary", "Origin")) }
        return headers
    }

    /// The headers of a preflight (`OPTIONS`) answer for an allowed origin.
    func preflightHeaders(allowOrigin: String) -> [(String, String)] {
        var headers = [
            ("access-control-allow-origin", allowOrigin),
            ("access-control-allow-methods", "POST, OPTIONS"),
            ("access-control-allow-headers", Self.allowedRequestHeaders),
            ("access-control-max-age", "\(maxAgeSeconds)"),
        ]
        if allowOrigin != "*" { headers.append(("vary", "Origin")) }
        return headers
    }
}
