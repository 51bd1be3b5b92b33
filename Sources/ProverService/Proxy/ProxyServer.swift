import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Wire

/// Builds a proxy's gRPC servers: the main one (`Api/Prove`, `ProxyStatusApi/Status`, health) and,
/// when a status port is configured, a second one with status and health only; when gRPC-Web is
/// configured, a gRPC-Web server running the same Prove and Status service instances (one rate
/// limiter for both protocols). `gate` (the drain's, see ``DrainGate``) intercepts the `Api` calls
/// of the main server and of the gRPC-Web server.
public enum ProxyServer {
    public static func make(
        _ configuration: ProxyConfiguration, pool: SchedulerPool, metrics: MetricEventPublisher?, logger: Logger,
        gate: DrainGate? = nil, grpcWeb: GRPCWebConfiguration? = nil
    ) -> (servers: [GRPCServer<HTTP2ServerTransport.Posix>], health: HealthService, grpcWeb: GRPCServer<GRPCWebServerTransport>?) {
        let health = HealthService(services: ["remote_prover.Api", "remote_prover.ProxyStatusApi"])
        let status = ProxyStatusService(configuration: configuration, pool: pool)
        let prove = ProxyProveService(configuration: configuration, pool: pool, metrics: metrics, logger: logger)
        let host = configuration.localhost ? "127.0.0.1" : "0.0.0.0"
        // The transport's own limit sits above ours so an oversized payload gets our clear message.
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = configuration.maxPayloadBytes + (1 << 20)
        var servers = [GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: host, port: configuration.port), transportSecurity: configuration.tls?.transportSecurity ?? .plaintext, config: config),
            services: [prove, status, health], interceptors: gate.map { [$0] } ?? [])]
        if let statusPort = configuration.statusPort {
            servers.append(GRPCServer(
                transport: .http2NIOPosix(address: .ipv4(host: host, port: statusPort), transportSecurity: configuration.tls?.transportSecurity ?? .plaintext),
                services: [status, health]))
        }
        let web = grpcWeb.map {
            GRPCServer(transport: GRPCWebServerTransport(configuration: $0), services: [prove, status], interceptors: gate.map { [$0] } ?? [])
        }
        return (servers, health, web)
    }
}
