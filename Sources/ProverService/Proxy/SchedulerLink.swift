import Foundation
import Logging
import SwiftProtobuf
import Synchronization
import Wire

/// A proxy's connection to one scheduler's job endpoint: a ZeroMQ DEALER socket on its own
/// event-driven thread (``ZMQSocketThread``: a request wakes it and leaves at once, a reply is
/// delivered as soon as it arrives), and the waiters for replies (jobs by request id, status
/// queries in order).
public final class SchedulerLink: Sendable {
    public enum LinkError: Error, CustomStringConvertible {
        case closed
        case malformedReply(String)
        public var description: String {
            switch self {
            case .closed: return "the scheduler link is closed"
            case .malformedReply(let m): return "malformed reply from the scheduler: \(m)"
            }
        }
    }

    private struct State {
        var jobs: [String: CheckedContinuation<Mrp_Internal_V1_JobResult, any Error>] = [:]
        var statusWaiters: [CheckedContinuation<Mrp_Internal_V1_SchedulerStatus, any Error>] = []
        var closed = false
    }

    public let endpoint: String
    private let state = Mutex(State())
    private let logger: Logger
    private let thread: ZMQSocketThread

    /// Connects to `endpoint` (e.g. tcp://127.0.0.1:8084), CURVE when `security` says so, and starts the socket thread.
    public init(endpoint: String, context: ZMQContext, security: ZMQLinkSecurity = .plaintext, logger: Logger) throws {
        self.endpoint = endpoint
        self.logger = logger
        let socket = try ZMQSocket(context: context, type: .dealer)
        try socket.setLinger(.zero)
        try socket.apply(security)
        try socket.connect(endpoint)
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
            onError: { error in logger.error("scheduler link socket error", metadata: ["error": "\(error)"]) })
        replies.attach(self)
    }

    deinit { thread.requestStop() }

    /// Sends a job and waits for its result.
    public func submit(_ job: Mrp_Internal_V1_Job) async throws -> Mrp_Internal_V1_JobResult {
        let frame = try Mrp_Internal_V1_SchedulerRequest.with { $0.job = job }.serializedBytes() as [UInt8]
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { s -> Bool in
                guard !s.closed else { return false }
                s.jobs[job.requestID] = continuation
                return true
            }
            if accepted { thread.send([frame]) }
            if !accepted { continuation.resume(throwing: LinkError.closed) }
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
            let accepted = state.withLock { s -> Bool in
                guard !s.closed else { return false }
                s.statusWaiters.append(continuation)
                return true
            }
            if accepted { thread.send([frame]) }
            if !accepted { continuation.resume(throwing: LinkError.closed) }
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

/// Hands replies from the socket thread to the link (which owns the thread, so it is set after
/// the thread starts; held weakly so the thread does not keep the link alive).
private final class ReplySink: Sendable {
    private struct WeakLink { weak var link: SchedulerLink? }
    private let target = Mutex(WeakLink())

    func attach(_ link: SchedulerLink) { target.withLock { $0.link = link } }

    func deliver(_ payload: [UInt8]) {
        target.withLock { $0.link }?.deliver(payload)
    }
}
