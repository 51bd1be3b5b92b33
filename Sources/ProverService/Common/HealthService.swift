import GRPCCore
import Synchronization
import Wire

/// The standard `grpc.health.v1.Health` service: reports SERVING for the whole server ("") and
/// for each named service it was given, until `markNotServing()` (on shutdown).
public final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol, Sendable {
    private let services: Set<String>
    private let serving = Mutex(true)

    public init(services: [String]) {
        self.services = Set(services + [""])
    }

    /// Flips every status to NOT_SERVING (graceful shutdown has begun).
    public func markNotServing() { serving.withLock { $0 = false } }

    func status(for service: String) -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        guard services.contains(service) else { return .serviceUnknown }
        return serving.withLock { $0 } ? .serving : .notServing
    }

    public func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        let status = status(for: request.service)
        if status == .serviceUnknown { throw RPCError(code: .notFound, message: "unknown service '\(request.service)'") }
        return .with { $0.status = status }
    }

    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
        // Poll the status once a second until the client goes away (cancellation comes through the context).
        while !context.cancellation.isCancelled && !Task.isCancelled {
            let now = status(for: request.service)
            if now != last {
                try await response.write(.with { $0.status = now })
                last = now
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
