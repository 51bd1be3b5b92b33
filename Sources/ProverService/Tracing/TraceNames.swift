import Rollup

/// The span names the services emit, in one place so dashboards and tests agree.
///
/// One proof's trace: `proxy.prove` (server) → `proxy.checks`, `proxy.scheduler_round_trip` and, over
/// ZeroMQ, `scheduler.job` → `scheduler.queue_wait`, `scheduler.attempt` (one per worker tried) →
/// over gRPC, `worker.prove` → `worker.decode`, `worker.prove_stark`, `worker.encode`.
public enum TraceNames {
    /// A client's Prove call on a proxy, from arrival to the answer.
    public static let proxyRequest = "proxy.prove"
    /// The proxy's admission checks (rate limit, proof type, payload size).
    public static let proxyChecks = "proxy.checks"
    /// The proxy waiting for the scheduler's result (queue wait plus proving).
    public static let proxySchedulerRoundTrip = "proxy.scheduler_round_trip"
    /// A job on a scheduler, from its arrival to the result sent back.
    public static let schedulerJob = "scheduler.job"
    /// A job waiting for an idle healthy worker (once per attempt).
    public static let schedulerQueueWait = "scheduler.queue_wait"
    /// One attempt on one worker; a retried job has several.
    public static let schedulerAttempt = "scheduler.attempt"
    /// A worker's Prove call.
    public static let workerProve = "worker.prove"

    /// The span of one phase of a worker's proof.
    public static func workerPhase(_ phase: ProvingPhase) -> String {
        switch phase {
        case .decode: return "worker.decode"
        case .prove: return "worker.prove_stark"
        case .encode: return "worker.encode"
        }
    }
}

/// The attribute keys set on those spans.
public enum TraceAttributes {
    public static let requestID = "mrp.request_id"
    public static let proofType = "mrp.proof_type"
    public static let witnessBytes = "mrp.witness_bytes"
    public static let proofBytes = "mrp.proof_bytes"
    public static let client = "client.address"
    public static let scheduler = "mrp.scheduler"
    public static let worker = "mrp.worker"
    /// The attempt's number on an attempt span (1 = first), the count of attempts on a job span.
    public static let attempt = "mrp.attempt"
    public static let attempts = "mrp.attempts"
    public static let queueSeconds = "mrp.queue_seconds"
    /// "ok", or the gRPC status code name of the failure (e.g. "unavailable").
    public static let outcome = "mrp.outcome"
    /// The gRPC status code number of a failure.
    public static let grpcStatusCode = "rpc.grpc.status_code"
    /// Why the proxy refused a request (rate_limited, wrong_proof_type, ...).
    public static let refusal = "mrp.refusal"
}
