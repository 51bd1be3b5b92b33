/// The `MRP_*` variables `worker` reads.
public struct WorkerEnvironment: EnvironmentVariableGroup {
    public let proofType = "MRP_WORKER_PROOF_TYPE"
    public let port = "MRP_WORKER_PORT"
    public let localhost = "MRP_WORKER_LOCALHOST"
    public let threads = "MRP_WORKER_THREADS"
    public let tls = ServerTLSVariables(prefix: "MRP_WORKER_TLS")
    public let drain = DrainVariables()
    public let prover = ProverVariables()
    public let process = ProcessVariables()
    public init() {}
}

/// The `MRP_*` variables `scheduler` reads.
public struct SchedulerEnvironment: EnvironmentVariableGroup {
    public let proofType = "MRP_PROOF_TYPE"
    public let jobHost = "MRP_SCHEDULER_HOST"
    public let jobPort = "MRP_SCHEDULER_PORT"
    public let controlPort = "MRP_CONTROL_PORT"
    public let workers = "MRP_PROXY_WORKERS_LIST"
    public let discoverWorkers = "MRP_SCHEDULER_DISCOVER_WORKERS"
    public let discoveryInterval = "MRP_SCHEDULER_DISCOVERY_INTERVAL"
    public let maxQueueItems = "MRP_MAX_QUEUE_ITEMS"
    public let maxRetries = "MRP_MAX_RETRIES_PER_REQUEST"
    public let healthCheckInterval = "MRP_HEALTH_CHECK_INTERVAL"
    public let connectionTimeout = "MRP_CONNECTION_TIMEOUT"
    public let workerStartupGrace = "MRP_WORKER_STARTUP_GRACE"
    public let stateFile = "MRP_SCHEDULER_STATE_FILE"
    public let controlToken = "MRP_CONTROL_TOKEN"
    public let insecure = "MRP_SCHEDULER_INSECURE"
    public let workerTLS = "MRP_SCHEDULER_WORKER_TLS"
    public let workerTLSCAFile = "MRP_SCHEDULER_WORKER_TLS_CA_FILE"
    public let workerTLSCertFile = "MRP_SCHEDULER_WORKER_TLS_CERT_FILE"
    public let workerTLSKeyFile = "MRP_SCHEDULER_WORKER_TLS_KEY_FILE"
    public let curve = CurveKeyVariables(prefix: "MRP_SCHEDULER_CURVE")
    public let curveAllowedClients = CurveAllowListVariables(prefix: "MRP_SCHEDULER_CURVE")
    public let metrics = MetricEventLinkVariables()
    public let drain = DrainVariables()
    public let process = ProcessVariables()
    public init() {}
}

/// The `MRP_*` variables `proxy` reads.
public struct ProxyEnvironment: EnvironmentVariableGroup {
    public let proofType = "MRP_PROOF_TYPE"
    public let port = "MRP_PORT"
    public let statusPort = "MRP_STATUS_PORT"
    public let localhost = "MRP_PROXY_LOCALHOST"
    public let schedulers = "MRP_SCHEDULER_ENDPOINTS"
    public let timeout = "MRP_TIMEOUT"
    public let maxRequestsPerSecond = "MRP_MAX_REQ_PER_SEC"
    public let maxPayloadBytes = "MRP_MAX_PAYLOAD_BYTES"
    public let insecure = "MRP_PROXY_INSECURE"
    public let schedulerPublicKey = "MRP_SCHEDULER_PUBLIC_KEY"
    public let grpcWebPort = "MRP_GRPC_WEB_PORT"
    public let grpcWebAllowedOrigins = "MRP_GRPC_WEB_ALLOWED_ORIGINS"
    public let tls = ServerTLSVariables(prefix: "MRP_PROXY_TLS")
    public let curve = CurveKeyVariables(prefix: "MRP_PROXY_CURVE")
    public let metrics = MetricEventLinkVariables()
    public let drain = DrainVariables()
    public let process = ProcessVariables()
    public init() {}
}

/// The `MRP_*` variables `metrics-exporter` reads.
public struct MetricsExporterEnvironment: EnvironmentVariableGroup {
    public let port = "MRP_METRICS_PORT"
    public let localhost = "MRP_METRICS_LOCALHOST"
    public let eventsEndpoint = "MRP_METRICS_EVENTS_ENDPOINT"
    public let insecure = "MRP_METRICS_INSECURE"
    public let maxClientSeries = "MRP_METRICS_MAX_CLIENT_SERIES"
    public let curve = CurveKeyVariables(prefix: "MRP_METRICS_CURVE")
    public let curveAllowedClients = CurveAllowListVariables(prefix: "MRP_METRICS_CURVE")
    public let process = ProcessVariables()
    public init() {}
}

/// The `MRP_*` variables `ctl` reads (its service-facing commands; local proving reads the prover's).
public struct CtlEnvironment: EnvironmentVariableGroup {
    public let proxyPort = "MRP_PORT"
    public let proxyTLSCAFile = "MRP_TLS_CA_FILE"
    public let controlPort = "MRP_CONTROL_PORT"
    public let controlToken = "MRP_CONTROL_TOKEN"
    public let workers = "MRP_PROXY_WORKERS_LIST"
    public let prover = ProverVariables()
    public init() {}
}

/// Every executable's variables by executable name: what packaging and manifest checks compare
/// against (the service executables print theirs with the hidden `--print-environment` flag).
public enum ServiceEnvironment {
    public static let byExecutable: [String: any EnvironmentVariableGroup] = [
        "worker": WorkerEnvironment(), "scheduler": SchedulerEnvironment(), "proxy": ProxyEnvironment(),
        "metrics-exporter": MetricsExporterEnvironment(), "ctl": CtlEnvironment(),
    ]

    /// The names of `group`, one per line (what `--print-environment` prints).
    public static func listing(_ group: some EnvironmentVariableGroup) -> String {
        group.names.joined(separator: "\n")
    }
}
