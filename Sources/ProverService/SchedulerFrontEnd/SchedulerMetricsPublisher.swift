import Foundation
import GRPCCore
import Logging
import Rollup
import SwiftProtobuf
import Synchronization
import Wire

/// Publishes a scheduler's ``SchedulerEvents`` as `MetricEvent`s (one protobuf per frame) on a ZeroMQ
/// PUB socket that connects to the metrics exporter's SUB endpoint (`MRP_METRICS_EVENTS_ENDPOINT`).
///
/// The socket and its thread are a shared ``MetricEventPublisher``; this type maps the scheduler's
/// events to messages. Events published while the exporter is not connected are dropped (PUB semantics).
public final class SchedulerMetricsPublisher: Sendable {
    /// The exporter's endpoint this publisher connects to.
    public let endpoint: String
    /// The proof type stamped on every event.
    public let kind: ProofKind
    private let context: ZMQContext
    private let security: ZMQLinkSecurity
    private let logger: Logger
    private let sourceName: Mutex<String>
    private let publisher = Mutex<MetricEventPublisher?>(nil)
    private let scheduler = Mutex<Scheduler?>(nil)

    /// A publisher for `endpoint`; call ``start()`` to connect. `source` is e.g. `"scheduler:8084"`.
    public init(
        context: ZMQContext, endpoint: String, source: String, kind: ProofKind, security: ZMQLinkSecurity = .plaintext,
        logger: Logger = Logger(label: "scheduler.metrics")
    ) {
        self.context = context
        self.security = security
        self.endpoint = endpoint
        self.kind = kind
        self.logger = logger
        self.sourceName = Mutex(source)
    }

    /// The `source` field of the events.
    public var source: String {
        get { sourceName.withLock { $0 } }
        set { sourceName.withLock { $0 = newValue } }
    }

    /// Starts the socket's thread and connects (ZeroMQ connects in the background).
    public func start() async throws {
        guard publisher.withLock({ $0 == nil }) else { return }
        let started = try MetricEventPublisher(endpoint: endpoint, source: source, context: context, security: security, logger: logger)
        publisher.withLock { $0 = started }
    }

    /// Stops the thread (pending events are sent first, best effort) and closes the socket.
    public func stop() async {
        publisher.withLock { $0 }?.close()
    }

    /// Lets health changes publish the full workers state (the scheduler is created after its events).
    public func attach(_ scheduler: Scheduler) {
        self.scheduler.withLock { $0 = scheduler }
    }

    /// Queues one event (source and proof type are filled in).
    public func publish(_ event: Mrp_Internal_V1_MetricEvent.OneOf_Event) {
        var message = Mrp_Internal_V1_MetricEvent()
        message.source = source
        message.proofType = kind.wire
        message.event = event
        publisher.withLock { $0 }?.publish(message)
    }

    /// Publishes the queue and workers state of a status snapshot.
    public func publishState(_ status: SchedulerStatus) {
        publish(.queueState(.with {
            $0.size = UInt32(clamping: status.queueSize)
            $0.capacity = UInt32(clamping: status.queueCapacity)
        }))
        publish(.workersState(.with { $0.workers = status.workers.map(\.wire) }))
    }

    /// The hooks to pass to ``Scheduler/init(configuration:workers:connectionFactory:events:logger:)``.
    public var events: SchedulerEvents {
        SchedulerEvents(
            requestFinished: { [self] code, latency, queueTime, worker in
                publish(.requestFinished(.with {
                    $0.grpcCode = Int32(code?.rawValue ?? 0)
                    $0.latencySeconds = latency.inSeconds
                    $0.queueSeconds = queueTime.inSeconds
                    $0.worker = worker?.description ?? ""
                }))
            },
            requestRejected: { [self] reason in
                publish(.requestRejected(.with {
                    $0.reason = reason
                    $0.grpcCode = Int32(Self.code(forRejection: reason).rawValue)
                }))
            },
            requestRetried: { [self] worker, reason in
                publish(.requestRetried(.with {
                    $0.worker = worker.description
                    $0.reason = reason
                }))
            },
            queueState: { [self] size, capacity in
                publish(.queueState(.with {
                    $0.size = UInt32(clamping: size)
                    $0.capacity = UInt32(clamping: capacity)
                }))
            },
            workerProved: { [self] worker, seconds, success in
                publish(.workerProved(.with {
                    $0.worker = worker.description
                    $0.seconds = seconds
                    $0.success = success
                }))
            },
            workerHealthChanged: { [self] _, _ in
                guard let scheduler = self.scheduler.withLock({ $0 }) else { return }
                Task { self.publishState(await scheduler.status()) }
            })
    }

    /// The gRPC code a client gets for a rejection reason of the scheduler.
    static func code(forRejection reason: String) -> RPCError.Code {
        switch reason {
        case "queue_full": return .resourceExhausted
        case "deadline": return .deadlineExceeded
        case "wrong_proof_type": return .invalidArgument
        case "cancelled": return .cancelled
        default: return .unknown
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension SchedulerWorkerStatus {
    /// The internal protocol's view of this worker.
    public var wire: Mrp_Internal_V1_WorkerState {
        .with {
            $0.address = address.description
            $0.version = version ?? ""
            $0.health = health.wire
            $0.busy = busy
            if let kind { $0.proofType = kind.wire }
            $0.requests = UInt64(max(0, requests))
            $0.lastError = reason ?? ""
        }
    }
}

extension SchedulerStatus {
    /// The internal protocol's view of this snapshot.
    public var wire: Mrp_Internal_V1_SchedulerStatus {
        .with {
            $0.version = version
            $0.proofType = kind.wire
            $0.queueSize = UInt32(clamping: queueSize)
            $0.queueCapacity = UInt32(clamping: queueCapacity)
            $0.workers = workers.map(\.wire)
        }
    }
}
