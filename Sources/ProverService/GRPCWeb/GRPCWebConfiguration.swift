import Foundation

/// Settings of a proxy's gRPC-Web listener (`--grpc-web-port`, `MRP_GRPC_WEB_PORT`,
/// `MRP_GRPC_WEB_ALLOWED_ORIGINS`): where it listens, which browser origins may call it, and the
/// largest request body it reads.
public struct GRPCWebConfiguration: Sendable {
    /// CORS preflight results may be cached this long by browsers (Chromium caps it at 2 hours).
    public static let defaultPreflightMaxAgeSeconds = 7200

    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Origins allowed by CORS, exact `scheme://host[:port]`, or `*` for any.
    public var allowedOrigins: [String]
    /// The largest request body read, in bytes on the wire (frames, or base64 text), before the
    /// request is refused with RESOURCE_EXHAUSTED.
    public var maxRequestBodyBytes: Int
    public var preflightMaxAgeSeconds: Int

    public init(host: String = "0.0.0.0", port: Int, allowedOrigins: [String] = ["*"], maxRequestBodyBytes: Int,
                preflightMaxAgeSeconds: Int = defaultPreflightMaxAgeSeconds) {
        self.host = host
        self.port = port
        self.allowedOrigins = allowedOrigins
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.preflightMaxAgeSeconds = preflightMaxAgeSeconds
    }

    /// Parses `MRP_GRPC_WEB_ALLOWED_ORIGINS`: comma-separated origins or `*`. Each must be `*` or
    /// `http(s)://host[:port]` with no path.
    public static func parseAllowedOrigins(_ text: String) throws(GRPCWebSettingError) -> [String] {
        let origins = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !origins.isEmpty else { throw GRPCWebSettingError(description: "MRP_GRPC_WEB_ALLOWED_ORIGINS is empty: give * or origins such as https://wallet.example") }
        for origin in origins where origin != "*" {
            let rest: Substring
            if origin.hasPrefix("https://") { rest = origin.dropFirst(8) } else if origin.hasPrefix("http://") { rest = origin.dropFirst(7) } else {
                throw GRPCWebSettingError(description: "MRP_GRPC_WEB_ALLOWED_ORIGINS: '\(origin)' is not an origin (http://host[:port] or https://host[:port])")
            }
            guard !rest.isEmpty, !rest.contains("/") else {
                throw GRPCWebSettingError(description: "MRP_GRPC_WEB_ALLOWED_ORIGINS: '\(origin)' must be scheme://host[:port] with no path")
            }
        }
        return origins
    }
}

/// A gRPC-Web setting that cannot be used, naming the setting.
public struct GRPCWebSettingError: Error, CustomStringConvertible {
    public let description: String
}
