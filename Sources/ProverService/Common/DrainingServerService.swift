import GRPCCore
import Logging
import ServiceLifecycle

/// Runs a gRPC server (the proxy's) as a swift-service-lifecycle service with a bounded graceful
/// shutdown (see ``DrainSettings``):
///
/// 1. At once: `onShutdown` runs (health NOT_SERVING) and the server stops accepting: it sends
///    GOAWAY, closes its listener and takes no new calls; calls in flight go on.
/// 2. Grace period: the server closes as soon as its last call has ended.
/// 3. Final step: calls still in flight when the grace period ends are cancelled; the watchdog
///    exits the process with status 1 if the server has not closed `shutdownTimeout` later.
public struct DrainingGRPCServerService<Transport: ServerTransport>: Service {
    public let server: GRPCServer<Transport>
    public let settings: DrainSettings
    private let logger: Logger
    private let onShutdown: @Sendable () -> Void

    public init(server: GRPCServer<Transport>, settings: DrainSettings, logger: Logger, onShutdown: @escaping @Sendable () -> Void = {}) {
        self.server = server
        self.settings = settings
        self.logger = logger
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        let (server, settings, logger, onShutdown) = (self.server, self.settings, self.logger, self.onShutdown)
        let serving = Task { try await server.serve() }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await serving.value
            } onGracefulShutdown: {
                ShutdownWatchdog.arm(after: settings.gracePeriod + settings.shutdownTimeout, logger: logger)
                onShutdown()
                logger.info("draining: health NOT_SERVING, no new calls", metadata: [
                    "grace_period": "\(settings.gracePeriod)", "shutdown_timeout": "\(settings.shutdownTimeout)",
                ])
                server.beginGracefulShutdown()
                Task {
                    try await Task.sleep(for: settings.gracePeriod)
                    logger.warning("grace period over: cancelling the calls still in flight")
                    serving.cancel()
                }
            }
        } onCancel: {
            serving.cancel()
        }
        logger.info("server closed")
    }
}
