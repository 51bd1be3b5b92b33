import Logging
import Synchronization
import Wire

/// One bound ROUTER socket on its own event-driven thread (a ``ZMQSocketThread``).
///
/// Received envelopes go to `onMessage` on the socket's thread (it must be quick and hand real
/// work to a task); replies queued with ``reply(_:to:)`` wake the thread and leave at once.
final class ZMQRouterThread: Sendable {
    let name: String
    private let context: ZMQContext
    private let endpoint: String
    private let security: ZMQLinkSecurity
    private let logger: Logger
    private let thread = Mutex<ZMQSocketThread?>(nil)

    init(name: String, context: ZMQContext, endpoint: String, security: ZMQLinkSecurity = .plaintext, logger: Logger) {
        self.name = name
        self.context = context
        self.endpoint = endpoint
        self.security = security
        self.logger = logger
    }

    /// Binds and starts the thread; returns the endpoint actually bound (a `*` port resolved).
    func start(onMessage: @escaping @Sendable (ZMQEnvelope) -> Void) async throws -> String {
        let socket = try ZMQSocket(context: context, type: .router)
        try socket.setLinger(.zero)
        try socket.apply(security)
        let bound = try socket.bind(endpoint)
        let name = self.name, logger = self.logger
        let started = try ZMQSocketThread(
            name: "zmq-\(name)", socket: socket,
            onReadable: { socket in
                while true {
                    do {
                        guard let envelope = try socket.receiveEnvelope(timeout: .zero) else { return }
                        onMessage(envelope)
                    } catch let error as ZMQFrameError {
                        logger.warning("malformed message dropped", metadata: ["endpoint": "\(name)", "error": "\(error)"])
                    } catch {
                        logger.error("receive failed", metadata: ["endpoint": "\(name)", "error": "\(error)"])
                        return
                    }
                }
            },
            onError: { error in
                logger.warning("socket error", metadata: ["endpoint": "\(name)", "error": "\(error)"])
            })
        thread.withLock { $0 = started }
        return bound
    }

    /// Queues `payload` for the peer of `envelope`; the socket's thread sends it at once.
    func reply(_ payload: [UInt8], to envelope: ZMQEnvelope) {
        let frames = envelope.hasDelimiter ? [envelope.identity, [], payload] : [envelope.identity, payload]
        thread.withLock { $0 }?.send(frames)
    }

    /// Sends what is queued, closes the socket and waits until it is closed.
    func stop() async {
        await thread.withLock { $0 }?.stop()
    }
}
