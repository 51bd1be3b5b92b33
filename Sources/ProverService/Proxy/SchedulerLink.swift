import Foundation
import Logging
import SwiftProtobuf
import Synchronization
import Wire

/// A proxy's connection to one scheduler's job endpoint: a ZeroMQ DEALER socket owned by one
/// thread, an outbox the async side fills, and the waiters for replies (jobs by request id,
/// status queries in order).
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
        var outbox: [[UInt8]] = []
        var jobs: [String: CheckedContinuation<Mrp_Internal_V1_JobResult, any Error>] = [:]
        var statusWaiters: [CheckedContinuation<Mrp_Internal_V1_SchedulerStatus, any Error>] = []
        var closed = false
    }

    public let endpoint: String
    private let state = Mutex(State())
    private let logger: Logger

    /// Connects to `endpoint` (e.g. tcp://127.0.0.1:8084) and starts the socket thread.
    public init(endpoint: String, context: ZMQContext, logger: Logger) throws {
        self.endpoint = endpoint
        self.logger = logger
        let socket = try ZMQSocket(context: context, type: .dealer)
        try socket.setLinger(.zero)
        try socket.connect(endpoint)
        let box = UncheckedSocket(socket)
        let thread = Thread { [self] in self.loop(box.socket) }
        thread.name = "scheduler-link \(endpoint)"
        thread.start()
    }

    /// Sends a job and waits for its result.
    public func submit(_ job: Mrp_Internal_V1_Job) async throws -> Mrp_Internal_V1_JobResult {
        let frame = try Mrp_Internal_V1_SchedulerRequest.with { $0.job = job }.serializedBytes() as [UInt8]
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { s -> Bool in
                guard !s.closed else { return false }
                s.jobs[job.requestID] = continuation
                s.outbox.append(frame)
                return true
            }
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
                s.outbox.append(frame)
                return true
            }
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
        jobs.forEach { $0.resume(throwing: LinkError.closed) }
        statuses.forEach { $0.resume(throwing: LinkError.closed) }
    }

    private func loop(_ socket: ZMQSocket) {
        defer { socket.close() }
        while true {
            let (outgoing, closed) = state.withLock { s -> ([[UInt8]], Bool) in
                defer { s.outbox = [] }
                return (s.outbox, s.closed)
            }
            if closed { return }
            for frame in outgoing {
                do { try socket.send([frame]) } catch { logger.error("send to scheduler failed", metadata: ["error": "\(error)"]) }
            }
            do {
                guard let frames = try socket.receive(timeout: .milliseconds(5)), let payload = frames.last else { continue }
                deliver(payload)
            } catch {
                logger.error("receive from scheduler failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func deliver(_ payload: [UInt8]) {
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

/// Moves a socket into the thread that will own it (it is used by that thread only).
private struct UncheckedSocket: @unchecked Sendable {
    let socket: ZMQSocket
    init(_ socket: ZMQSocket) { self.socket = socket }
}
