import Foundation
import Logging
import SwiftProtobuf
import Synchronization
import Wire

/// A proxy's connection to one scheduler's job endpoint: a ZeroMQ DEALER socket on its own
/// event-driven thread (``ZMQSocketThread``: a request wakes it and leaves at once, a reply is
/// delivered as soon as it arrives), and the waiters for replies (jobs by request id, status
/// queries in order).
///
/// A scheduler that refuses the handshake (its CURVE allow list lacks this proxy's key) fails the
/// calls waiting on the link and every later one at once, naming the refusal, until the link's
/// next attempt gets in: it connects again 1 s after a refusal, doubling up to 30 s
/// (``ZMQHandshakeRecovery``), so a key added to the scheduler's list (and SIGHUP) takes effect
/// without restarting the proxy. Each change is logged once (warning on refusal, notice on admission).
public final class SchedulerLink: Sendable {
    public enum LinkError: Error, CustomStringConvertible {
        case closed
        case malformedReply(String)
        /// The scheduler refused this proxy's handshake; `reason` says how.
        case refused(endpoint: String, reason: ZMQHandshakeRefusal)
        public var description: String {
            switch self {
            case .closed: return "the scheduler link is closed"
            case .malformedReply(let m): return "malformed reply from the scheduler: \(m)"
            case .refused(let endpoint, .authentication):
                return "the scheduler at \(endpoint) refused this proxy's CURVE key (not on its allow list); the proxy retries the link"
            case .refused(let endpoint, let reason):
                return "the scheduler at \(endpoint) refused this proxy's handshake: \(reason); the proxy retries the link"
            }
        }
    }

    private struct State {
        var jobs: [String: CheckedContinuation<Mrp_Internal_V1_JobResult, any Error>] = [:]
        var statusWaiters: [CheckedContinuation<Mrp_Internal_V1_SchedulerStatus, any Error>] = []
        var closed = false
        /// Set while the scheduler refuses this proxy (from a refusal to the next admission).
        var refusal: LinkError?
    }

    public let endpoint: String
    private let state = Mutex(State())
    private let logger: Logger
    private let thread: ZMQSocketThread

    /// Connects to `endpoint` (e.g. tcp://127.0.0.1:8084), CURVE when `security` says so, and starts
    /// the socket thread (which connects again after a refused handshake).
    public init(endpoint: String, context: ZMQContext, security: ZMQLinkSecurity = .plaintext, logger: Logger) throws {
        self.endpoint = endpoint
        self.logger = logger
        let socket = try ZMQSocket(context: context, type: .dealer)
        try socket.setLinger(.zero)
        try socket.apply(security)
        let replies = ReplySink()
        thread = try ZMQSocketThread(
            name: "scheduler-link \(endpoint)", socket: socket,
            onReadable: { socket in
                while true {
                    do {
                        guard let frames = try socket.receive(timeout: .zero) else { return }
                        if let payload = frames.last { replies.deliver(payload) }
                    } catch {
                        logger.error("receive from scheduler failed", metadata: ["error": "\(error)"])
                        return
                    }
                }
            },
            onError: { error in logger.error("scheduler link socket error", metadata: ["error": "\(error)"]) },
            recovery: ZMQHandshakeRecovery(endpoint: endpoint) { outcome in replies.handshake(outcome) })
        replies.attach(self)
    }

    deinit { thread.requestStop() }

    /// Sends a job and waits for its result.
    public func submit(_ job: Mrp_Internal_V1_Job) async throws -> Mrp_Internal_V1_JobResult {
        let frame = try Mrp_Internal_V1_SchedulerRequest.with { $0.job = job }.serializedBytes() as [UInt8]
        return try await withCheckedThrowingContinuation { continuation in
            let refusal = state.withLock { s -> LinkError? in
                guard !s.closed else { return .closed }
                if let refusal = s.refusal { return refusal }
                s.jobs[job.requestID] = continuation
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) } else { thread.send([frame]) }
        }
    }

    /// Abandons the wait for a job (the client went away); a late result is dropped.
    public func abandon(requestID: String) -> Bool {
        guard let continuation = state.withLock({ $0.jobs.removeValue(forKey: requestID) }) else { return false }
        continuation.resume(throwing: CancellationError())
        return true
    }

    /// Asks the scheduler for its status.
    public func status() async throws -> Mrp_Internal_V1_SchedulerStatus {
        let frame = try Mrp_Internal_V1_SchedulerRequest.with { $0.status = Mrp_Internal_V1_StatusQuery() }.serializedBytes() as [UInt8]
        return try await withCheckedThrowingContinuation { continuation in
            let refusal = state.withLock { s -> LinkError? in
                guard !s.closed else { return .closed }
                if let refusal = s.refusal { return refusal }
                s.statusWaiters.append(continuation)
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) } else { thread.send([frame]) }
        }
    }

    /// Stops the socket thread and fails every waiter.
    public func close() {
        let (jobs, statuses) = state.withLock { s -> ([CheckedContinuation<Mrp_Internal_V1_JobResult, any Error>], [CheckedContinuation<Mrp_Internal_V1_SchedulerStatus, any Error>]) in
            s.closed = true
            defer { s.jobs = [:]; s.statusWaiters = [] }
            return (Array(s.jobs.values), s.statusWaiters)
        }
        thread.requestStop()
        jobs.forEach { $0.resume(throwing: LinkError.closed) }
        statuses.forEach { $0.resume(throwing: LinkError.closed) }
    }

    /// A refusal fails every waiter (their messages are lost with the refused connection) and the
    /// calls until the next admission; each change of state is logged once.
    fileprivate func handshake(_ outcome: ZMQHandshakeOutcome) {
        switch outcome {
        case .refused(let reason, let retryIn):
            let error = LinkError.refused(endpoint: endpoint, reason: reason)
            let (changed, jobs, statuses) = state.withLock { s in
                let changed = s.refusal?.description != error.description
                s.refusal = error
                defer { s.jobs = [:]; s.statusWaiters = [] }
                return (changed, Array(s.jobs.values), s.statusWaiters)
            }
            let metadata: Logger.Metadata = [
                "scheduler": "\(endpoint)", "reason": "\(reason)", "retry_in": "\(retryIn)", "calls_failed": "\(jobs.count)",
            ]
            if changed {
                logger.warning("scheduler refused this proxy; calls fail UNAVAILABLE until a retry gets in", metadata: metadata)
            } else {
                logger.debug("scheduler refused this proxy again", metadata: metadata)
            }
            jobs.forEach { $0.resume(throwing: error) }
            statuses.forEach { $0.resume(throwing: error) }
        case .admitted:
            let wasRefused = state.withLock { s in
                defer { s.refusal = nil }
                return s.refusal != nil
            }
            if wasRefused {
                logger.notice("scheduler admitted this proxy after refusing it", metadata: ["scheduler": "\(endpoint)"])
            }
        }
    }

    fileprivate func deliver(_ payload: [UInt8]) {
        guard let reply = try? Mrp_Internal_V1_SchedulerReply(serializedBytes: payload) else {
            logger.error("undecodable reply from the scheduler", metadata: ["bytes": "\(payload.count)"])
            return
        }
        switch reply.reply {
        case .result(let result):
            state.withLock { $0.jobs.removeValue(forKey: result.requestID) }?.resume(returning: result)
        case .status(let status):
            let waiter = state.withLock { s in s.statusWaiters.isEmpty ? nil : s.statusWaiters.removeFirst() }
            waiter?.resume(returning: status)
        case nil:
            logger.error("empty reply from the scheduler")
        }
    }
}

/// Hands replies and handshake outcomes from the socket thread to the link (which owns the
/// thread, so it is set after the thread starts; held weakly so the thread does not keep the link
/// alive). An outcome that comes before the link is attached is kept and handed over then.
private final class ReplySink: Sendable {
    private struct Target {
        weak var link: SchedulerLink?
        var early: ZMQHandshakeOutcome?
    }
    private let target = Mutex(Target())

    func attach(_ link: SchedulerLink) {
        let early = target.withLock { t in
            defer { t.link = link; t.early = nil }
            return t.early
        }
        if let early { link.handshake(early) }
    }

    func deliver(_ payload: [UInt8]) {
        target.withLock { $0.link }?.deliver(payload)
    }

    func handshake(_ outcome: ZMQHandshakeOutcome) {
        let link = target.withLock { t -> SchedulerLink? in
            if t.link == nil { t.early = outcome }
            return t.link
        }
        link?.handshake(outcome)
    }
}
