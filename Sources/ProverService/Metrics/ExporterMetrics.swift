import Prometheus
import Synchronization
import Wire

/// The exporter's Prometheus metrics and the mapping from ``Mrp_Internal_V1_MetricEvent``s to them.
///
/// Every metric carries a `proof_type` label (`transaction`, `batch`, `block`). Series are created
/// lazily, when the first event that drives them arrives, so nothing is exported before it has been
/// observed. Thread-safe: ``apply(_:)`` may be called from any thread, concurrently with ``render()``.
public final class ExporterMetrics: Sendable {
    /// Metric names this exporter defines (the family names, without `_bucket`/`_sum`/`_count`).
    ///
    /// They follow Prometheus' naming conventions (checked by `promtool check metrics` in the
    /// tests): an `mrp_` prefix, counters end in `_total`, durations in `_seconds`, and nothing but
    /// a histogram ends in `_count`. ``referenceNames`` maps the reference proxy's names to these.
    public enum Name {
        public static let queueSize = "mrp_queue_size"
        public static let queueLatency = "mrp_queue_latency_seconds"
        public static let queueDrops = "mrp_queue_drops_total"
        public static let workers = "mrp_workers"
        public static let workerUnhealthy = "mrp_worker_unhealthy"
        public static let workersBusy = "mrp_workers_busy"
        public static let workerRequests = "mrp_worker_requests_total"
        public static let workerProvingSeconds = "mrp_worker_proving_seconds"
        public static let requests = "mrp_requests_total"
        public static let requestFailures = "mrp_request_failures_total"
        public static let requestRetries = "mrp_request_retries_total"
        public static let requestLatency = "mrp_request_latency_seconds"
        public static let rateLimitedRequests = "mrp_rate_limited_requests_total"
        public static let rateLimitViolations = "mrp_rate_limit_violations_total"
    }

    /// The reference proxy's metric name → ours (for porting dashboards and alerts).
    public static let referenceNames: KeyValuePairs<String, String> = [
        "queue_size": Name.queueSize, "queue_latency": Name.queueLatency, "queue_drop_count": Name.queueDrops,
        "worker_count": Name.workers, "worker_unhealthy": Name.workerUnhealthy, "worker_busy": Name.workersBusy,
        "worker_request_count": Name.workerRequests, "request_count": Name.requests,
        "request_failure_count": Name.requestFailures, "request_retries": Name.requestRetries,
        "request_latency": Name.requestLatency, "rate_limited_requests": Name.rateLimitedRequests,
        "rate_limit_violations": Name.rateLimitViolations,
    ]

    /// Every metric family this exporter can emit.
    public static let metricNames: [String] = [
        Name.queueSize, Name.queueLatency, Name.queueDrops, Name.workers, Name.workerUnhealthy,
        Name.workersBusy, Name.workerRequests, Name.workerProvingSeconds, Name.requests,
        Name.requestFailures, Name.requestRetries, Name.requestLatency, Name.rateLimitedRequests,
        Name.rateLimitViolations,
    ]

    /// Buckets (seconds) of the request latency and worker proving time histograms: from fast transaction
    /// proofs up to block proofs of several minutes.
    public static let latencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
    /// Buckets (seconds) of the queue latency histogram.
    public static let queueBuckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600]

    /// The registry holding every series; ``render()`` emits it.
    public let registry: PrometheusCollectorRegistry
    /// Workers last reported per proof type, so gauges of removed workers are unregistered.
    private let knownWorkers = Mutex<[String: Set<String>]>([:])
    /// The client addresses with a rate-limit violation series, per proof type, most recent kept.
    private let violators: Mutex<[String: RecentLabelValues]>
    private let applied = Atomic<Int>(0)

    /// Default for ``maxClientSeries``.
    public static let defaultMaxClientSeries = 100
    /// The most `client_address` series the rate-limit violation counter keeps per proof type: the
    /// most recent violators; a client not seen for the longest time gives its series up to a new one.
    public let maxClientSeries: Int

    /// Creates the metrics over `registry` (a fresh one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), maxClientSeries: Int = defaultMaxClientSeries) {
        self.registry = registry
        self.maxClientSeries = max(1, maxClientSeries)
        self.violators = Mutex([:])
    }

    /// How many events with a known payload have been applied.
    public var eventsApplied: Int { applied.load(ordering: .relaxed) }

    /// The Prometheus text exposition (format 0.0.4) of every series.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return buffer
    }

    /// Decodes one serialized ``Mrp_Internal_V1_MetricEvent`` and applies it.
    /// - Returns: whether the frame held an event with a known payload.
    @discardableResult
    public func apply(serialized frame: [UInt8]) throws -> Bool {
        let event = try Mrp_Internal_V1_MetricEvent(serializedBytes: frame)
        return apply(event)
    }

    /// Updates the metrics for one event.
    /// - Returns: false if the event had no (known) payload and was ignored.
    @discardableResult
    public func apply(_ event: Mrp_Internal_V1_MetricEvent) -> Bool {
        guard let payload = event.event else { return false }
        let proofType = Self.proofTypeLabel(event.proofType)
        let base = [("proof_type", proofType)]
        switch payload {
        case .requestFinished(let finished):
            counter(Name.requests, base, "Requests handled, finished or rejected").increment()
            histogram(Name.requestLatency, base, Self.latencyBuckets, "End-to-end request latency in seconds")
                .record(max(0, finished.latencySeconds))
            histogram(Name.queueLatency, base, Self.queueBuckets, "Time a request waited in the queue, in seconds")
                .record(max(0, finished.queueSeconds))
            if finished.grpcCode != 0 {
                failure(base, code: finished.grpcCode)
            }
        case .requestRejected(let rejected):
            counter(Name.requests, base, "Requests handled, finished or rejected").increment()
            failure(base, code: rejected.grpcCode)
            switch rejected.reason {
            case "queue_full":
                counter(Name.queueDrops, base, "Requests dropped because the queue was full").increment()
            case "rate_limited":
                counter(Name.rateLimitedRequests, base, "Requests rejected by the rate limiter").increment()
                violation(base, proofType: proofType, client: rejected.clientAddress.isEmpty ? "unknown" : rejected.clientAddress)
            default:
                break
            }
        case .requestRetried:
            counter(Name.requestRetries, base, "Requests retried on another worker").increment()
        case .queueState(let queue):
            gauge(Name.queueSize, base, "Requests waiting in the queue").set(to: Double(queue.size))
        case .workersState(let state):
            applyWorkers(state.workers, proofType: proofType, base: base)
        case .workerProved(let proved):
            let labels = base + [("worker_id", Self.workerLabel(proved.worker))]
            counter(Name.workerRequests, labels, "Proving requests handled per worker").increment()
            if proved.success {
                histogram(Name.workerProvingSeconds, labels, Self.latencyBuckets, "Successful proving time per worker, in seconds")
                    .record(max(0, proved.seconds))
            }
        }
        applied.add(1, ordering: .relaxed)
        return true
    }

    private func applyWorkers(_ workers: [Mrp_Internal_V1_WorkerState], proofType: String, base: [(String, String)]) {
        gauge(Name.workers, base, "Workers registered with the scheduler").set(to: Double(workers.count))
        gauge(Name.workersBusy, base, "Workers busy proving").set(to: Double(workers.filter(\.busy).count))
        var current = Set<String>()
        for worker in workers {
            let id = Self.workerLabel(worker.address)
            current.insert(id)
            gauge(Name.workerUnhealthy, base + [("worker_id", id)], "1 if the worker is unhealthy, else 0")
                .set(to: worker.health == .unhealthy ? 1.0 : 0.0)
        }
        let removed = knownWorkers.withLock { known -> Set<String> in
            let previous = known[proofType] ?? []
            known[proofType] = current
            return previous.subtracting(current)
        }
        for id in removed {
            registry.unregisterGauge(
                gauge(Name.workerUnhealthy, base + [("worker_id", id)], "1 if the worker is unhealthy, else 0"))
        }
    }

    /// Counts a rate-limit violation of `client`, keeping at most ``maxClientSeries`` client series.
    private func violation(_ base: [(String, String)], proofType: String, client: String) {
        let help = "Rate-limit violations per client address (the most recent violators only)"
        let evicted = violators.withLock { sets -> String? in
            var set = sets[proofType] ?? RecentLabelValues(capacity: maxClientSeries)
            defer { sets[proofType] = set }
            return set.touch(client)
        }
        if let evicted {
            registry.unregisterCounter(counter(Name.rateLimitViolations, base + [("client_address", evicted)], help))
        }
        counter(Name.rateLimitViolations, base + [("client_address", client)], help).increment()
    }

    private func failure(_ base: [(String, String)], code: Int32) {
        counter(
            Name.requestFailures, base + [("grpc_code", Self.grpcCodeName(code))],
            "Failed requests by gRPC status code"
        ).increment()
    }

    private func counter(_ name: String, _ labels: [(String, String)], _ help: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func gauge(_ name: String, _ labels: [(String, String)], _ help: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func histogram(_ name: String, _ labels: [(String, String)], _ buckets: [Double], _ help: String) -> ValueHistogram {
        registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels, buckets: buckets)
    }

    /// The `proof_type` label of an API proof type.
    public static func proofTypeLabel(_ type: RemoteProver_ProofType) -> String {
        switch type {
        case .transaction: return "transaction"
        case .batch: return "batch"
        case .block: return "block"
        case .UNRECOGNIZED(let value): return "unknown_\(value)"
        }
    }

    static func workerLabel(_ address: String) -> String { address.isEmpty ? "unknown" : address }

    /// The canonical gRPC status code name (`OK`, `RESOURCE_EXHAUSTED`, …) of a numeric code.
    public static func grpcCodeName(_ code: Int32) -> String {
        let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]
        return (0..<Int32(names.count)).contains(code) ? names[Int(code)] : "CODE_\(code)"
    }
}
