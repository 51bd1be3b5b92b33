import Logging
import Synchronization
import Wire

/// The schedulers a proxy forwards to: jobs go round-robin, status is gathered from all.
public final class SchedulerPool: Sendable {
    public let links: [SchedulerLink]
    private let next = Mutex(0)

    public init(endpoints: [String], context: ZMQContext, security: ZMQLinkSecurity = .plaintext, logger: Logger) throws {
        precondition(!endpoints.isEmpty, "a proxy needs at least one scheduler")
        links = try endpoints.map { try SchedulerLink(endpoint: $0, context: context, security: security, logger: logger) }
    }

    /// The link the next job goes to.
    public func pick() -> SchedulerLink {
        let index = next.withLock { n -> Int in
            defer { n = (n + 1) % links.count }
            return n
        }
        return links[index]
    }

    /// Every scheduler's status (a scheduler that does not answer in `timeout` is skipped).
    public func statuses(timeout: Duration = .seconds(2)) async -> [Mrp_Internal_V1_SchedulerStatus] {
        var out: [Mrp_Internal_V1_SchedulerStatus] = []
        for link in links {
            if let status = await withTimeout(timeout, { try await link.status() }) { out.append(status) }
        }
        return out
    }

    public func close() { links.forEach { $0.close() } }
}

/// Runs `body` in its own task and returns its value, or nil once `timeout` passes first
/// (the body keeps running; it must end on its own, e.g. when its link is closed).
public func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let resumed = Mutex(false)
        let claim: @Sendable () -> Bool = { resumed.withLock { done in defer { done = true }; return !done } }
        Task {
            let value = try? await body()
            if claim() { continuation.resume(returning: value) }
        }
        Task {
            try? await Task.sleep(for: timeout)
            if claim() { continuation.resume(returning: nil) }
        }
    }
}
