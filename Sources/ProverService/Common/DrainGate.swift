import GRPCCore
import Synchronization

/// A server interceptor that lets a process drain: it counts the calls in flight to the gated
/// services and, once ``begin()`` has been called, refuses new ones with UNAVAILABLE (the server
/// keeps listening, so health and status still answer). Calls to other services pass untouched.
public final class DrainGate: ServerInterceptor, Sendable {
    /// Fully qualified names of the services whose calls are counted and refused (e.g. "remote_prover.Api").
    public let services: Set<String>
    private let refusal: String
    private let state = Mutex((draining: false, inFlight: 0))

    /// `refusal` is the UNAVAILABLE message new calls get while draining.
    public init(services: Set<String>, refusal: String) {
        self.services = services
        self.refusal = refusal
    }

    /// True once ``begin()`` has been called.
    public var isDraining: Bool { state.withLock { $0.draining } }

    /// Calls to the gated services not yet answered.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Refuses every new call to the gated services from now on.
    public func begin() { state.withLock { $0.draining = true } }

    /// Waits until no gated call is in flight or `limit` has passed; true when none is left.
    public func waitUntilIdle(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while inFlight > 0 {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: min(.milliseconds(10), ContinuousClock.now.duration(to: deadline)))
        }
        return true
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard services.contains(context.descriptor.service.fullyQualifiedService) else { return try await next(request, context) }
        let admitted = state.withLock { state -> Bool in
            guard !state.draining else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else { throw RPCError(code: .unavailable, message: refusal) }
        // A unary handler has produced its whole response when `next` returns.
        defer { state.withLock { $0.inFlight -= 1 } }
        return try await next(request, context)
    }
}
