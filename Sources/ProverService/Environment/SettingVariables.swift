import STARK

/// The variables every service process reads: its log level and the event-loop executor's settings.
public struct ProcessVariables: EnvironmentVariableGroup {
    /// The log level (`LOG_LEVEL` is accepted too).
    public let log = "MRP_LOG"
    public let eventLoopThreads = "MRP_EVENT_LOOP_THREADS"
    public let eventLoopExecutor = "MRP_EVENT_LOOP_EXECUTOR"
    public init() {}
}

/// A draining service's shutdown settings (``DrainSettings``).
public struct DrainVariables: EnvironmentVariableGroup {
    public let gracePeriod = "MRP_GRACE_PERIOD"
    public let shutdownTimeout = "MRP_GRACEFUL_SHUTDOWN_TIMEOUT"
    public init() {}
}

/// What the STARK prover reads in a proving process: its memory budget, its heap retention and the
/// hash and NTT kernels' overrides (the engine reads these itself; the names are listed here for the
/// process's checks).
public struct ProverVariables: EnvironmentVariableGroup {
    public let memoryBudget = ExtensionBudget.environmentVariable
    public let heapRetention = HeapRetention.environmentVariable
    public let rpo256Kernel = "MRP_RPO256_KERNEL"
    public let blake3Kernel = "MRP_BLAKE3_KERNEL"
    public let nttKernel = "MRP_NTT_KERNEL"
    public init() {}
}

/// A gRPC server's TLS files (``ServerTLSSettings``), named after a prefix such as `MRP_WORKER_TLS`.
public struct ServerTLSVariables: EnvironmentVariableGroup {
    public let certificate: String
    public let key: String
    public let clientCA: String
    public init(prefix: String) {
        certificate = prefix + "_CERT_FILE"
        key = prefix + "_KEY_FILE"
        clientCA = prefix + "_CLIENT_CA_FILE"
    }
}

/// A process's own CURVE secret key (``CurveKeySettings``), named after a prefix such as
/// `MRP_SCHEDULER_CURVE`: a file (what `ctl keygen` writes) or the Z85 key itself.
public struct CurveKeyVariables: EnvironmentVariableGroup {
    public let secretKeyFile: String
    public let secretKey: String
    public init(prefix: String) {
        secretKeyFile = prefix + "_SECRET_KEY_FILE"
        secretKey = prefix + "_SECRET_KEY"
    }
}

/// The client keys a bound CURVE endpoint admits (``CurveAllowList``), named after the same prefix
/// as its ``CurveKeyVariables``: a file of keys or comma-separated keys.
public struct CurveAllowListVariables: EnvironmentVariableGroup {
    public let file: String
    public let keys: String
    public init(prefix: String) {
        file = prefix + "_ALLOWED_CLIENTS_FILE"
        keys = prefix + "_ALLOWED_CLIENTS"
    }
}

/// A metric-event publisher's (proxy's, scheduler's) link to the metrics exporter.
public struct MetricEventLinkVariables: EnvironmentVariableGroup {
    public let endpoint = "MRP_METRICS_EVENTS_ENDPOINT"
    /// The exporter's CURVE public key, or a file holding it.
    public let exporterPublicKey = "MRP_METRICS_PUBLIC_KEY"
    public init() {}
}
