import GRPCCore
import Logging
import ServiceLifecycle

/// A worker's graceful shutdown (see ``DrainSettings``), from the signal to the closed server:
///
/// 1. At once: health reports NOT_SERVING and every new `Prove` gets UNAVAILABLE (the scheduler
///    places it on another worker); the server keeps listening so health and status still answer.
/// 2. Grace period: the proof in hand runs on; the step ends as soon as it is done (at once when idle).
/// 3. Final step: a proof still running is cancelled (its caller gets UNAVAILABLE), then the server
///    stops accepting connections and closes once its calls have ended. The watchdog exits the
///    process with status 1 if this has not happened `shutdownTimeout` after the grace period.
public enum WorkerShutdown {
    /// Runs the three steps; returns once the server has been told to close.
    public static func perform(
        server: GRPCServer<some ServerTransport>, health: HealthService, drain: WorkerDrain, settings: DrainSettings,
        logger: Logger
    ) async {
        drain.begin()
        health.markNotServing()
        logger.info("draining: health NOT_SERVING, new proofs refused", metadata: [
            "proof_in_hand": "\(drain.hasProofInHand)", "grace_period": "\(settings.gracePeriod)",
            "shutdown_timeout": "\(settings.shutdownTimeout)",
        ])
        if await drain.waitUntilIdle(within: settings.gracePeriod) {
            logger.info("drained: no proof in hand")
        } else if drain.cancelProofInHand(reason: "the worker's grace period (\(settings.gracePeriod)) ended") {
            logger.warning("grace period over: cancelling the proof in hand")
            let stopped = await drain.waitUntilIdle(within: settings.shutdownTimeout)
            logger.info(stopped ? "cancelled proof stopped" : "cancelled proof still running at the shutdown timeout")
        }
        logger.info("closing the server")
        server.beginGracefulShutdown()
    }
}

/// Runs a worker's gRPC server as a swift-service-lifecycle service whose graceful shutdown is
/// ``WorkerShutdown/perform(server:health:drain:settings:logger:)``, bounded by the watchdog at
/// grace period + shutdown timeout.
public struct WorkerService<Transport: ServerTransport>: Service {
    public let server: GRPCServer<Transport>
    public let health: HealthService
    public let drain: WorkerDrain
    public let settings: DrainSettings
    private let logger: Logger

    public init(server: GRPCServer<Transport>, health: HealthService, drain: WorkerDrain, settings: DrainSettings, logger: Logger) {
        self.server = server
        self.health = health
        self.drain = drain
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        let (server, health, drain, settings, logger) = (self.server, self.health, self.drain, self.settings, self.logger)
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            ShutdownWatchdog.arm(after: settings.gracePeriod + settings.shutdownTimeout, logger: logger)
            Task { await WorkerShutdown.perform(server: server, health: health, drain: drain, settings: settings, logger: logger) }
        }
        logger.info("server closed; exiting")
    }
}
