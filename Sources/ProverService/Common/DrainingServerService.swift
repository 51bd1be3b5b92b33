import GRPCCore
import Logging
import ServiceLifecycle

/// Runs a gRPC server (the proxy's) as a swift-service-lifecycle service with a bounded graceful
/// shutdown (see ``DrainSettings``):
///
/// 1. At once: `onShutdown` runs (health NOT_SERVING) and the ``DrainGate`` refuses new calls with
///    UNAVAILABLE; the server keeps listening, so health and status still answer.
/// 2. Grace period: calls in flight go on; the step ends as soon as the last one has been answered.
/// 3. Final step: the server shuts down (GOAWAY, listener closed); calls still in flight are
///    cancelled by it. The watchdog exits the process with status 1 if the server has not closed
///    `shutdownTimeout` after the grace period.
public struct DrainingGRPCServerService<Transport: ServerTransport>: Service {
    public let server: GRPCServer<Transport>
    public let gate: DrainGate
    public let settings: DrainSettings
    private let logger: Logger
    private let onShutdown: @Sendable () -> Void

    /// `gate` must be among the server's interceptors.
    public init(
        server: GRPCServer<Transport>, gate: DrainGate, settings: DrainSettings, logger: Logger,
        onShutdown: @escaping @Sendable () -> Void = {}
    ) {
        self.server = server
        self.gate = gate
        self.settings = settings
        self.logger = logger
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        let (server, gate, settings, logger, onShutdown) = (self.server, self.gate, self.settings, self.logger, self.onShutdown)
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            ShutdownWatchdog.arm(after: settings.gracePeriod + settings.shutdownTimeout, logger: logger)
            onShutdown()
            gate.begin()
            logger.info("draining: health NOT_SERVING, new calls refused", metadata: [
                "calls_in_flight": "\(gate.inFlight)", "grace_period": "\(settings.gracePeriod)",
                "shutdown_timeout": "\(settings.shutdownTimeout)",
            ])
            Task {
                if await gate.waitUntilIdle(within: settings.gracePeriod) {
                    logger.info("drained: every call answered")
                } else {
                    logger.warning("grace period over: cancelling the calls still in flight", metadata: ["calls": "\(gate.inFlight)"])
                }
                server.beginGracefulShutdown()
            }
        }
        logger.info("server closed")
    }
}
