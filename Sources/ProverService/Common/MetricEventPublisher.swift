import Logging
import SwiftProtobuf
import Wire

/// Publishes `MetricEvent`s on a ZeroMQ PUB socket connected to the metrics exporter's events
/// endpoint. The socket lives on its own event-driven thread (``ZMQSocketThread``); `publish`
/// only queues and wakes it (never blocks a request). At most 10,000 events wait; more are dropped.
public final class MetricEventPublisher: Sendable {
    public let source: String
    private let thread: ZMQSocketThread

    /// Connects to `endpoint` (CURVE when `security` says so); events carry `source` (e.g. "proxy:8082").
    public init(endpoint: String, source: String, context: ZMQContext, security: ZMQLinkSecurity = .plaintext, logger: Logger) throws {
        self.source = source
        let socket = try ZMQSocket(context: context, type: .pub)
        try socket.setLinger(.zero)
        try socket.apply(security)
        try socket.connect(endpoint)
        thread = try ZMQSocketThread(
            name: "metrics-publisher", socket: socket, maxQueued: 10_000, onReadable: nil,
            onError: { error in logger.debug("metric event dropped", metadata: ["error": "\(error)"]) })
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
