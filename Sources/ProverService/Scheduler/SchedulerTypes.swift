import Foundation
import GRPCCore
import Rollup
import Wire

/// A scheduler's settings (`MRP_MAX_QUEUE_ITEMS`, `MRP_MAX_RETRIES_PER_REQUEST`,
/// `MRP_HEALTH_CHECK_INTERVAL`, the proof type and the state file).
public struct SchedulerConfiguration: Sendable {
    /// The one proof type this scheduler's pool proves.
    public var kind: ProofKind
    /// How many jobs may wait for a worker (jobs being proven do not count). Full → RESOURCE_EXHAUSTED.
    public var maxQueueItems: Int
    /// Extra attempts after the first one (1 means at most 2 attempts in all).
    public var maxRetries: Int
    /// Time between two health checks of a healthy (or not yet checked) worker.
    public var healthCheckInterval: Duration
    /// First re-probe delay of an unhealthy worker; it doubles after every failed probe.
    public var backoffBase: Duration
    /// Longest delay between two probes of an unhealthy worker.
    public var backoffMax: Duration
    /// How long a worker that has never answered a probe counts as starting (health UNKNOWN,
    /// re-probed every ``startupProbeInterval``, a debug log line per failed probe) before it is
    /// reported unhealthy: a worker started beside the scheduler is not "unhealthy" while it binds.
    public var startupGrace: Duration
    /// Time between two probes of a starting worker.
    public var startupProbeInterval: Duration
    /// Where the worker registry is persisted (JSON); nil keeps it in memory only.
    public var stateFile: String?
    /// The version workers must match as `~MAJOR.MINOR`.
    public var version: String

    public init(
        kind: ProofKind, maxQueueItems: Int = 10, maxRetries: Int = 1, healthCheckInterval: Duration = .seconds(10),
        backoffBase: Duration = .seconds(1), backoffMax: Duration = .seconds(300), stateFile: String? = nil,
        version: String = ServiceVersion.current, startupGrace: Duration = .seconds(30), startupProbeInterval: Duration = .milliseconds(250)
    ) {
        self.kind = kind
        self.maxQueueItems = max(0, maxQueueItems)
        self.maxRetries = max(0, maxRetries)
        self.healthCheckInterval = healthCheckInterval
        self.backoffBase = backoffBase
        self.backoffMax = max(backoffMax, backoffBase)
        self.startupGrace = max(.zero, startupGrace)
        self.startupProbeInterval = max(.milliseconds(1), startupProbeInterval)
        self.stateFile = stateFile
        self.version = version
    }

    /// True when `other` has the same major and minor version as `version` (`~MAJOR.MINOR`).
    public func isCompatible(version other: String) -> Bool {
        func majorMinor(_ text: String) -> (Int, Int)? {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix(while: \.isNumber)) else { return nil }
            return (major, minor)
        }
        guard let mine = majorMinor(version), let theirs = majorMinor(other) else { return false }
        return mine == theirs
    }
}

/// A worker's `host:port`, validated.
public struct WorkerAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Parses `host:port` (an optional `http://` prefix is accepted); nil when malformed.
    public init?(_ text: String) {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("http://") { text.removeFirst("http://".count) }
        if text.hasSuffix("/") { text.removeLast() }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }),
              let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = WorkerAddress(text) else {
            throw Swift.DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad worker address \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Parses a comma-separated list (`MRP_PROXY_WORKERS_LIST`); throws naming the first bad entry.
    public static func list(_ text: String) throws(SchedulerError) -> [WorkerAddress] {
        var result: [WorkerAddress] = []
        for item in text.split(separator: ",") {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let address = WorkerAddress(trimmed) else { throw .invalidAddress(trimmed) }
            if !result.contains(address) { result.append(address) }
        }
        return result
    }
}

/// Errors of the scheduler's control operations.
public enum SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    case stateFile(String)
    case connection(String)

    public var description: String {
        switch self {
        case .invalidAddress(let text): return "invalid worker address '\(text)' (expected host:port)"
        case .stateFile(let text): return "worker state file: \(text)"
        case .connection(let text): return "cannot create worker connection: \(text)"
        }
    }
}

/// One proving job: what to prove and by when.
public struct SchedulerJob: Sendable {
    public var requestID: String
    public var kind: ProofKind
    public var payload: [UInt8]
    public var deadline: ContinuousClock.Instant

    public init(requestID: String, kind: ProofKind, payload: [UInt8], deadline: ContinuousClock.Instant) {
        self.requestID = requestID
        self.kind = kind
        self.payload = payload
        self.deadline = deadline
    }
}

/// How a job ended: the proof (and the worker that made it) or the gRPC error for the client.
public struct JobOutcome: Sendable {
    public var result: Result<[UInt8], RPCError>
    /// The worker of the last attempt, if any.
    public var worker: WorkerAddress?
    /// Attempts made on workers (0 when the job never reached one).
    public var attempts: Int
    /// Time spent waiting for workers.
    public var queueTime: Duration

    /// The gRPC status code: nil for success.
    public var code: RPCError.Code? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    /// The proof bytes on success.
    public var proof: [UInt8]? { try? result.get() }
}

/// What a health probe found: the health service answered SERVING and the status said this, or it failed.
public enum WorkerProbe: Sendable, Equatable {
    /// Health SERVING; the status reports a version and proof type (nil: a type this build does not know).
    case serving(version: String, kind: ProofKind?)
    /// The health check or status call failed: no answer (unreachable, timed out) or an error.
    case failed(String)
    /// The worker answered that it is not SERVING (a draining worker): alive, but takes no new jobs.
    case notServing(String)
}

/// A worker's health as the scheduler sees it.
public enum WorkerHealth: String, Sendable, Equatable {
    case unknown, healthy, unhealthy

    /// The public API's value.
    public var wire: RemoteProver_WorkerHealthStatus {
        switch self {
        case .unknown: return .unknown
        case .healthy: return .healthy
        case .unhealthy: return .unhealthy
        }
    }
}

/// One worker in a status snapshot.
public struct SchedulerWorkerStatus: Sendable, Equatable {
    public var address: WorkerAddress
    public var health: WorkerHealth
    public var version: String?
    public var kind: ProofKind?
    public var busy: Bool
    /// Attempts sent to this worker.
    public var requests: Int
    /// Why it is unhealthy, if it is.
    public var reason: String?
}

/// Counters since start: what the metrics layer exports.
public struct SchedulerCounters: Sendable, Equatable {
    /// Jobs that reached a worker at least once.
    public var accepted = 0
    /// Jobs that ended with a proof.
    public var succeeded = 0
    /// Jobs that were queued or proven and ended with an error (queue-full refusals are not counted here).
    public var failed = 0
    /// Extra attempts made after a retryable failure.
    public var retries = 0
    /// Submissions refused because the queue was full.
    public var queueFullDrops = 0
    /// Queued jobs removed because their deadline passed.
    public var queueExpired = 0
    public var deadlineExceeded = 0
}

/// A snapshot of the scheduler: workers, queue and counters.
public struct SchedulerStatus: Sendable {
    public var kind: ProofKind
    public var version: String
    public var workers: [SchedulerWorkerStatus]
    public var queueSize: Int
    public var queueCapacity: Int
    public var counters: SchedulerCounters

    /// The worker with this address, if registered.
    public func worker(_ address: String) -> SchedulerWorkerStatus? {
        workers.first { $0.address.description == address }
    }
}

/// Hooks the metrics layer attaches to; every closure is called on the scheduler and must be quick.
public struct SchedulerEvents: Sendable {
    /// (code: nil for success, latency since submit, time queued, worker of the last attempt)
    public var requestFinished: @Sendable (_ code: RPCError.Code?, _ latency: Duration, _ queueTime: Duration, _ worker: WorkerAddress?) -> Void
    /// A submission refused before reaching a worker ("queue_full", "deadline", "wrong_proof_type", "cancelled").
    public var requestRejected: @Sendable (_ reason: String) -> Void
    /// A job is retried after a failure on `worker`.
    public var requestRetried: @Sendable (_ worker: WorkerAddress, _ reason: String) -> Void
    /// The queue's size changed.
    public var queueState: @Sendable (_ size: Int, _ capacity: Int) -> Void
    /// An attempt on a worker ended.
    public var workerProved: @Sendable (_ worker: WorkerAddress, _ seconds: Double, _ success: Bool) -> Void
    /// A worker's health changed.
    public var workerHealthChanged: @Sendable (_ worker: WorkerAddress, _ health: WorkerHealth) -> Void

    public init(
        requestFinished: @escaping @Sendable (RPCError.Code?, Duration, Duration, WorkerAddress?) -> Void = { _, _, _, _ in },
        requestRejected: @escaping @Sendable (String) -> Void = { _ in },
        requestRetried: @escaping @Sendable (WorkerAddress, String) -> Void = { _, _ in },
        queueState: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        workerProved: @escaping @Sendable (WorkerAddress, Double, Bool) -> Void = { _, _, _ in },
        workerHealthChanged: @escaping @Sendable (WorkerAddress, WorkerHealth) -> Void = { _, _ in }
    ) {
        self.requestFinished = requestFinished
        self.requestRejected = requestRejected
        self.requestRetried = requestRetried
        self.queueState = queueState
        self.workerProved = workerProved
        self.workerHealthChanged = workerHealthChanged
    }

    /// No hooks.
    public static var none: SchedulerEvents { SchedulerEvents() }
}
