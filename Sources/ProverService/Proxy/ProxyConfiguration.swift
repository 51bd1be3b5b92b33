import Rollup

/// A proxy's settings (flags and `MRP_*` variables, see the `proxy` executable).
public struct ProxyConfiguration: Sendable {
    public static let defaultPort = 8082
    public static let defaultScheduler = "tcp://127.0.0.1:8084"
    /// The largest witness accepted unless configured: 64 MiB (`PayloadLimits`).
    public static let defaultMaxPayloadBytes = PayloadLimits.defaultMaxPayloadBytes

    public var kind: ProofKind
    public var port: Int
    /// A second port serving only ProxyStatusApi/Status and health, if set.
    public var statusPort: Int?
    /// Bind 127.0.0.1 instead of 0.0.0.0.
    public var localhost: Bool
    /// Scheduler job endpoints; jobs are spread over them round-robin.
    public var schedulers: [String]
    /// The longest a request may take (shortened by a client's grpc-timeout).
    public var timeout: Duration
    /// Requests per second per client IP (0 disables the limit).
    public var maxRequestsPerSecond: Double
    public var maxPayloadBytes: Int
    public var metricsEndpoint: String?
    /// TLS on the public and status ports (optionally requiring client certificates); nil = h2c.
    public var tls: ServerTLSSettings?

    public init(kind: ProofKind = .transaction, port: Int = defaultPort, statusPort: Int? = nil, localhost: Bool = false,
                schedulers: [String] = [defaultScheduler], timeout: Duration = .seconds(100), maxRequestsPerSecond: Double = 5,
                maxPayloadBytes: Int = defaultMaxPayloadBytes, metricsEndpoint: String? = nil, tls: ServerTLSSettings? = nil) {
        self.tls = tls
        self.kind = kind
        self.port = port
        self.statusPort = statusPort
        self.localhost = localhost
        self.schedulers = schedulers
        self.timeout = timeout
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.maxPayloadBytes = maxPayloadBytes
        self.metricsEndpoint = metricsEndpoint
    }
}
