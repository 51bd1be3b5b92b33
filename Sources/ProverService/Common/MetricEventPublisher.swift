import Foundation
import Logging
import SwiftProtobuf
import Synchronization
import Wire

/// Publishes `MetricEvent`s on a ZeroMQ PUB socket connected to the metrics exporter's events
/// endpoint. The socket lives on its own thread; `publish` only queues (never blocks a request).
public final class MetricEventPublisher: Sendable {
    private let outbox = Mutex<(events: [[UInt8]], closed: Bool)>(([], false))
    public let source: String

    /// Connects to `endpoint`; events carry `source` (e.g. "proxy:8082").
    public init(endpoint: String, source: String, context: ZMQContext, logger: Logger) throws {
        self.source = source
        let socket = try ZMQSocket(context: context, type: .pub)
        try socket.setLinger(.zero)
        try socket.connect(endpoint)
        let box = PublisherSocket(socket: socket)
        let thread = Thread { [self] in
            defer { box.socket.close() }
            while true {
                let (events, closed) = outbox.withLock { o -> ([[UInt8]], Bool) in
                    defer { o.events = [] }
                    return (o.events, o.closed)
                }
                for event in events {
                    do { try box.socket.send([event], dontWait: true) } catch { logger.debug("metric event dropped", metadata: ["error": "\(error)"]) }
                }
                if closed { return }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        thread.name = "metrics-publisher"
        thread.start()
    }

    /// Queues an event (its source is filled in when empty).
    public func publish(_ event: Mrp_Internal_V1_MetricEvent) {
        var event = event
        if event.source.isEmpty { event.source = source }
        guard let bytes = try? event.serializedBytes() as [UInt8] else { return }
        outbox.withLock { o in
            if !o.closed && o.events.count < 10_000 { o.events.append(bytes) }
        }
    }

    /// Flushes what is queued and stops the thread.
    public func close() { outbox.withLock { $0.closed = true } }
}

private struct PublisherSocket: @unchecked Sendable {
    let socket: ZMQSocket
}
