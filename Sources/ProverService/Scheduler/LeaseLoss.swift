import Synchronization

/// The signal that a leased worker was lost mid-job: its health check failed while it was proving.
///
/// A worker whose host or link goes down sends nothing more, so the call to it would otherwise
/// wait for the job's deadline. The scheduler's health loop signals the lease; the attempt ends
/// at once and the job is retried on another worker.
final class LeaseLoss: Sendable {
    private struct State {
        var reason: String?
        var waiter: CheckedContinuation<String?, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Marks the lease lost (the first reason wins) and wakes the attempt waiting on it.
    func signal(_ reason: String) {
        let waiter = state.withLock { s -> CheckedContinuation<String?, Never>? in
            guard s.reason == nil else { return nil }
            s.reason = reason
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: reason)
    }

    /// The reason once the lease is lost; nil when the waiting task is cancelled first.
    func wait() async -> String? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                let ready = state.withLock { s -> String?? in
                    if let reason = s.reason { return .some(reason) }
                    if s.cancelled { return .some(nil) }
                    s.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<String?, Never>? in
                s.cancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
