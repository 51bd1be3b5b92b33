import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Rollup
import STARK

/// A worker's settings: its one proof type, where it listens, and the prover's threads.
public struct WorkerConfiguration: Sendable {
    public static let defaultPort = 50051

    public var kind: ProofKind
    public var port: Int
    /// Bind 127.0.0.1 instead of 0.0.0.0.
    public var localhost: Bool
    public var threads: Int
    /// Proof options (the defaults unless a test or benchmark needs others).
    public var options: ProofOptions
    /// The version the worker reports (this build's unless a compatibility test needs another).
    public var version: String
    /// TLS on the worker's port (optionally requiring the scheduler's client certificate); nil = h2c.
    public var tls: ServerTLSSettings?

    public init(kind: ProofKind, port: Int = defaultPort, localhost: Bool = false, threads: Int, options: ProofOptions = .default,
                version: String = ServiceVersion.current, tls: ServerTLSSettings? = nil) {
        self.tls = tls
        self.kind = kind
        self.port = port
        self.localhost = localhost
        self.threads = threads
        self.options = options
        self.version = version
    }
}

/// Builds a worker's gRPC server: `Api/Prove`, `WorkerStatusApi/Status` and health.
public enum WorkerServer {
    public static func make(
        _ configuration: WorkerConfiguration, logger: Logger
    ) -> (server: GRPCServer<HTTP2ServerTransport.Posix>, health: HealthService, prove: WorkerProveService) {
        let prove = WorkerProveService(
            kind: configuration.kind, backend: ProvingBackend(options: configuration.options, threads: configuration.threads), logger: logger)
        let health = HealthService(services: ["remote_prover.Api", "remote_prover.WorkerStatusApi"])
        var transportConfig = HTTP2ServerTransport.Posix.Config.defaults
        transportConfig.rpc.maxRequestPayloadSize = PayloadLimits.messageBytes  // a batch witness is several MB
        transportConfig.connection.keepalive.clientBehavior = WorkerKeepalive.serverPolicy  // the scheduler's pings
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: configuration.localhost ? "127.0.0.1" : "0.0.0.0", port: configuration.port),
                transportSecurity: configuration.tls?.transportSecurity ?? .plaintext, config: transportConfig),
            services: [prove, WorkerStatusService(kind: configuration.kind.wire, version: configuration.version), health])
        return (server, health, prove)
    }
}
