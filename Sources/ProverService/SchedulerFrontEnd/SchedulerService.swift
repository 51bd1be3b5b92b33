import Logging
import ServiceLifecycle

/// Runs a ``Scheduler`` (its health loop) and its ``SchedulerFrontEnd`` as one swift-service-lifecycle
/// service: binds, reports readiness, serves, and on graceful shutdown stops accepting, drains (with
/// `drain` settings: see ``SchedulerFrontEnd/drain(_:)``; without, at once), cancels what is left
/// and closes every socket.
public struct SchedulerService: Service {
    /// The front end (and, through it, the scheduler) this service runs.
    public let frontEnd: SchedulerFrontEnd
    private let onReady: @Sendable (_ jobs: String, _ control: String) -> Void
    /// The grace period and shutdown timeout; nil stops at once.
    public let drain: DrainSettings?

    /// `onReady` is called once both endpoints are bound, with the bound endpoints.
    public init(
        frontEnd: SchedulerFrontEnd, drain: DrainSettings? = nil,
        onReady: @escaping @Sendable (_ jobs: String, _ control: String) -> Void = { _, _ in }
    ) {
        self.frontEnd = frontEnd
        self.drain = drain
        self.onReady = onReady
    }

    public func run() async throws {
        let endpoints = try await frontEnd.start()
        onReady(endpoints.jobs, endpoints.control)
        let scheduler = frontEnd.scheduler
        let frontEnd = self.frontEnd
        await withDiscardingTaskGroup { group in
            group.addTask { await scheduler.run() }
            group.addTask { await frontEnd.run() }
            // Returns at graceful shutdown (throws at cancellation); either way the loops end.
            let signalled = (try? await gracefulShutdown()) != nil
            if signalled, let drain {
                ShutdownWatchdog.arm(after: drain.gracePeriod + drain.shutdownTimeout, logger: frontEnd.logger)
                await frontEnd.drain(drain)
            }
            group.cancelAll()
        }
        await frontEnd.stop()
    }
}
