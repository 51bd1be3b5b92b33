import Foundation
import Logging
import Synchronization
import Wire

/// Receives ``Mrp_Internal_V1_MetricEvent``s on a bound ZeroMQ SUB socket and applies them to
/// ``ExporterMetrics``.
///
/// The socket lives on one dedicated thread for its whole life (libzmq sockets are not thread-safe).
/// Publishers (proxies, schedulers) connect their PUB sockets to the bound endpoint. Every frame of
/// every message is decoded as one event; undecodable frames are logged and skipped.
public final class MetricEventSubscriber: Sendable {
    private struct State {
        var stopping = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let metrics: ExporterMetrics
    private let logger: Logger
    private let state = Mutex(State())
    private let decodeErrors = Atomic<Int>(0)
    /// How long one receive waits before checking for a stop request.
    private let pollInterval: Duration

    /// Creates a subscriber feeding `metrics`.
    public init(metrics: ExporterMetrics, logger: Logger, pollInterval: Duration = .milliseconds(100)) {
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Frames that could not be decoded as a metric event so far.
    public var decodeErrorCount: Int { decodeErrors.load(ordering: .relaxed) }

    /// Starts the receiving thread, binds `endpoint` on it and returns the endpoint actually bound
    /// (so `tcp://127.0.0.1:*` yields the chosen port). Throws if the bind fails.
    public func start(endpoint: String) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            let thread = Thread { [self] in
                self.loop(endpoint: endpoint, ready: continuation)
            }
            thread.name = "metrics-sub"
            thread.start()
        }
    }

    /// Asks the receiving thread to stop and waits until it has closed its socket.
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                state.stopping = true
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func loop(endpoint: String, ready: CheckedContinuation<String, any Error>) {
        defer { finish() }
        let context: ZMQContext
        let socket: ZMQSocket
        let bound: String
        do {
            context = try ZMQContext()
            socket = try ZMQSocket(context: context, type: .sub)
            try socket.subscribe()
            bound = try socket.bind(endpoint)
        } catch {
            ready.resume(throwing: error)
            return
        }
        ready.resume(returning: bound)
        defer {
            socket.close()
            context.close()
        }
        while !isStopping {
            let frames: [[UInt8]]?
            do {
                frames = try socket.receive(timeout: pollInterval)
            } catch {
                if error.isInterrupted || error.isTimeout { continue }
                logger.error("metric event socket failed", metadata: ["error": "\(error)"])
                return
            }
            for frame in frames ?? [] {
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
