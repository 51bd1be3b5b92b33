import GRPCCore
import ServiceLifecycle

/// Runs a gRPC server as a swift-service-lifecycle service: graceful shutdown stops accepting
/// new RPCs and lets running ones finish.
public struct GRPCServerService<Transport: ServerTransport>: Service {
    public let server: GRPCServer<Transport>
    private let onShutdown: @Sendable () -> Void

    public init(server: GRPCServer<Transport>, onShutdown: @escaping @Sendable () -> Void = {}) {
        self.server = server
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            onShutdown()
            server.beginGracefulShutdown()
        }
    }
}
