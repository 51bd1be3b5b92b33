import ArgumentParser
import ProverService

/// The proxy's gRPC-Web settings from flags and `MRP_GRPC_WEB_*` variables: off unless a port is
/// given; bound like the gRPC port (127.0.0.1 with --localhost); its body limit sits above the
/// payload limit (frames, protobuf and base64 text overhead) so an oversized witness gets the
/// Prove service's own clear message.
enum GRPCWebSettings {
    static func configuration(port: Int?, allowedOrigins: String?, proxy: ProxyConfiguration,
                              variables: ProxyEnvironment, env: (String) -> String?) throws -> GRPCWebConfiguration? {
        let portText = port.map(String.init) ?? env(variables.grpcWebPort)
        guard let portText, !portText.isEmpty else { return nil }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ValidationError("--grpc-web-port / MRP_GRPC_WEB_PORT must be a port number 1–65535, not '\(portText)'")
        }
        let origins: [String]
        do {
            origins = try GRPCWebConfiguration.parseAllowedOrigins(allowedOrigins ?? env(variables.grpcWebAllowedOrigins) ?? "*")
        } catch {
            throw ValidationError("\(error)")
        }
        return GRPCWebConfiguration(
            host: proxy.localhost ? "127.0.0.1" : "0.0.0.0", port: port, allowedOrigins: origins,
            maxRequestBodyBytes: (proxy.maxPayloadBytes + (1 << 20)) / 3 * 4 + 64)
    }
}
