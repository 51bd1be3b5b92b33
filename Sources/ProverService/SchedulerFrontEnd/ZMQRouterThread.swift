import Foundation
import Logging
import Synchronization
import Wire

/// A thread-safe queue of frames for a socket that lives on another thread: tasks push, the
/// socket's thread drains.
final class ZMQOutbox: Sendable {
    private let items = Mutex<[[[UInt8]]]>([])

    /// Queues one multipart message.
    func push(_ frames: [[UInt8]]) { items.withLock { $0.append(frames) } }

    /// Takes every queued message, oldest first.
    func drain() -> [[[UInt8]]] {
        items.withLock { items in
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
    }
}

/// One ROUTER socket on its own thread.
///
/// ZeroMQ sockets are not thread-safe, so the socket is created, bound, polled and closed on a
/// dedicated `Thread`. The loop polls with a short timeout; every round it hands received envelopes
/// to `onMessage` (on the socket's thread: it must be quick and hand real work to a task) and sends
/// the replies other tasks queued with ``reply(_:to:)``.
final class ZMQRouterThread: Sendable {
    let name: String
    private let context: ZMQContext
    private let endpoint: String
    private let pollInterval: Duration
    private let logger: Logger
    private let outbox = ZMQOutbox()
    private let stopping = Mutex(false)
    private let finished = Mutex(false)

    init(name: String, context: ZMQContext, endpoint: String, pollInterval: Duration, logger: Logger) {
        self.name = name
        self.context = context
        self.endpoint = endpoint
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Starts the thread and binds; returns the endpoint actually bound (a `*` port resolved).
    func start(onMessage: @escaping @Sendable (ZMQEnvelope) -> Void) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            let thread = Thread { [self] in
                self.loop(onMessage: onMessage, started: continuation)
            }
            thread.name = "zmq-\(name)"
            thread.start()
        }
    }

    /// Queues `message` for the peer of `envelope` (sent by the socket's thread within one poll interval).
    func reply(_ payload: [UInt8], to envelope: ZMQEnvelope) {
        outbox.push(envelope.hasDelimiter ? [envelope.identity, [], payload] : [envelope.identity, payload])
    }

    /// Stops the loop and waits (bounded) until the socket is closed.
    func stop() async {
        stopping.withLock { $0 = true }
        let limit = ContinuousClock.now + .seconds(2)
        while !finished.withLock({ $0 }) && ContinuousClock.now < limit {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func loop(onMessage: @Sendable (ZMQEnvelope) -> Void, started: CheckedContinuation<String, any Error>) {
        defer { finished.withLock { $0 = true } }
        let socket: ZMQSocket
        do {
            socket = try ZMQSocket(context: context, type: .router)
            try socket.setLinger(.zero)
            let bound = try socket.bind(endpoint)
            started.resume(returning: bound)
        } catch {
            started.resume(throwing: error)
            return
        }
        defer { socket.close() }
        while !stopping.withLock({ $0 }) {
            for frames in outbox.drain() {
                do { try socket.send(frames, dontWait: true) } catch {
                    logger.warning("reply not sent", metadata: ["endpoint": "\(name)", "error": "\(error)"])
                }
            }
            do {
                let ready = try ZMQPoller.readable([socket], timeout: pollInterval)
                guard !ready.isEmpty else { continue }
                // Drain what is waiting without blocking.
                while let envelope = try receiveEnvelope(socket) {
                    onMessage(envelope)
                }
            } catch let error as ZMQFrameError {
                logger.warning("malformed message dropped", metadata: ["endpoint": "\(name)", "error": "\(error)"])
            } catch {
                if stopping.withLock({ $0 }) { break }
                logger.error("socket error", metadata: ["endpoint": "\(name)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        // Last replies produced before the stop was requested.
        for frames in outbox.drain() { try? socket.send(frames, dontWait: true) }
    }

    private func receiveEnvelope(_ socket: ZMQSocket) throws -> ZMQEnvelope? {
        try socket.receiveEnvelope(timeout: .zero)
    }
}
