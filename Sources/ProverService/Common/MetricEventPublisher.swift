import Logging
import Synchronization
import SwiftProtobuf
import Wire

/// Publishes `MetricEvent`s on a ZeroMQ PUB socket connected to the metrics exporter's events
/// endpoint. The socket lives on its own event-driven thread (``ZMQSocketThread``); `publish`
/// only queues and wakes it (never blocks a request). At most 10,000 events wait; more are dropped.
/// An exporter that refuses this process's CURVE key is tried again 1 s later, doubling up to 30 s
/// (``ZMQHandshakeRecovery``); the refusal and the admission after it are logged.
public final class MetricEventPublisher: Sendable {
    public let source: String
    private let thread: ZMQSocketThread

    /// Connects to `endpoint` (CURVE when `security` says so); events carry `source` (e.g. "proxy:8082").
    public init(endpoint: String, source: String, context: ZMQContext, security: ZMQLinkSecurity = .plaintext, logger: Logger) throws {
        self.source = source
        let socket = try ZMQSocket(context: context, type: .pub)
        try socket.setLinger(.zero)
        try socket.apply(security)
        let refused = Mutex(false)
        thread = try ZMQSocketThread(
            name: "metrics-publisher", socket: socket, maxQueued: 10_000, onReadable: nil,
            onError: { error in logger.debug("metric event dropped", metadata: ["error": "\(error)"]) },
            recovery: ZMQHandshakeRecovery(endpoint: endpoint) { outcome in
                // Once per change: the first refusal, and the admission that ends a refusal.
                let wasRefused = refused.withLock { state in
                    defer { if case .refused = outcome { state = true } else { state = false } }
                    return state
                }
                switch outcome {
                case .refused(let reason, let retryIn) where !wasRefused:
                    logger.warning("metrics exporter refused this process; metric events are dropped until a retry gets in", metadata: [
                        "exporter": "\(endpoint)", "reason": "\(reason)", "retry_in": "\(retryIn)",
                    ])
                case .admitted where wasRefused:
                    logger.notice("metrics exporter admitted this process after refusing it", metadata: ["exporter": "\(endpoint)"])
                default:
                    break
                }
            })
    }

    deinit { thread.requestStop() }

    /// Queues an event (its source is filled in when empty).
    public func publish(_ event: Mrp_Internal_V1_MetricEvent) {
        var event = event
        if event.source.isEmpty { event.source = source }
        guard let bytes = try? event.serializedBytes() as [UInt8] else { return }
        thread.send([bytes])
    }

    /// Flushes what is queued and stops the thread.
    public func close() { thread.requestStop() }
}
