import Logging
import Synchronization
import Wire

/// Receives ``Mrp_Internal_V1_MetricEvent``s on a bound ZeroMQ SUB socket and applies them to
/// ``ExporterMetrics``.
///
/// The socket lives on its own event-driven thread (``ZMQSocketThread``; libzmq sockets are not
/// thread-safe): it sleeps until events arrive or ``stop()`` wakes it. Publishers (proxies,
/// schedulers) connect their PUB sockets to the bound endpoint. Every frame of every message is
/// decoded as one event; undecodable frames are logged and skipped.
public final class MetricEventSubscriber: Sendable {
    private let metrics: ExporterMetrics
    private let logger: Logger
    private let running = Mutex<(thread: ZMQSocketThread, context: ZMQContext, authenticator: ZMQAuthenticator?)?>(nil)
    private let decodeErrors = Atomic<Int>(0)

    /// The ZAP domain publishers are checked under when the endpoint is CURVE.
    public static let curveDomain = "mrp-metrics"

    /// Creates a subscriber feeding `metrics`.
    public init(metrics: ExporterMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    /// Frames that could not be decoded as a metric event so far.
    public var decodeErrorCount: Int { decodeErrors.load(ordering: .relaxed) }

    /// Binds `endpoint`, starts the receiving thread and returns the endpoint actually bound (so
    /// `tcp://127.0.0.1:*` yields the chosen port). Throws if the bind fails.
    /// With `curve`, only publishers whose public key is allowed get their events in (ZAP, domain ``curveDomain``).
    public func start(endpoint: String, curve: ZMQCurveServerKeys? = nil) async throws -> String {
        let context = try ZMQContext()
        let logger = self.logger
        let authenticator = try curve.map { curve in
            try ZMQAuthenticator(context: context, domain: Self.curveDomain, allowedKeys: curve.allowedClients) { decision in
                guard decision.domain == Self.curveDomain, !decision.allowed else { return }
                logger.warning("publisher refused", metadata: ["address": "\(decision.address)", "key": "\(decision.clientKey ?? "-")", "reason": "\(decision.reason)"])
            }
        }
        let socket = try ZMQSocket(context: context, type: .sub)
        try socket.subscribe()
        if let curve { try socket.apply(.curveServer(curve.keyPair, domain: Self.curveDomain)) }
        let bound = try socket.bind(endpoint)
        let thread = try ZMQSocketThread(
            name: "metrics-sub", socket: socket,
            onReadable: { [self] socket in receiveAll(socket) },
            onError: { [logger] error in logger.error("metric event socket failed", metadata: ["error": "\(error)"]) })
        running.withLock { $0 = (thread, context, authenticator) }
        return bound
    }

    /// Replaces the publisher keys a CURVE endpoint admits (later handshakes only); nil for a
    /// plaintext endpoint or when not running.
    public func replaceAllowedClients(_ keys: Set<String>) -> ZMQAuthenticator.AllowListChange? {
        running.withLock { $0?.authenticator }?.replaceAllowedKeys(keys)
    }

    /// Stops the receiving thread, waits until it has closed its socket, and ends the context.
    public func stop() async {
        guard let (thread, context, authenticator) = running.withLock({ r in defer { r = nil }; return r }) else { return }
        await thread.stop()
        await authenticator?.stop()
        context.close()
    }

    /// Applies every event waiting on the socket (on the socket's thread).
    private func receiveAll(_ socket: ZMQSocket) {
        while true {
            let frames: [[UInt8]]
            do {
                guard let received = try socket.receive(timeout: .zero) else { return }
                frames = received
            } catch {
                logger.error("metric event receive failed", metadata: ["error": "\(error)"])
                return
            }
            for frame in frames {
                do {
                    try metrics.apply(serialized: frame)
                } catch {
                    decodeErrors.add(1, ordering: .relaxed)
                    logger.debug("undecodable metric event frame", metadata: ["bytes": "\(frame.count)", "error": "\(error)"])
                }
            }
        }
    }
}
