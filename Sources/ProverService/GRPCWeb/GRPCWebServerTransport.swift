import GRPCCore
import NIOCore
import NIOPosix
import Synchronization

/// A gRPC server transport that speaks gRPC-Web (binary and text) over HTTP/1.1 and HTTP/2
/// (h2c with prior knowledge) with CORS, so browsers can call the services of a `GRPCServer`.
/// The server's own machinery runs every call — method routing, deserialization, `grpc-timeout`,
/// interceptors and the service handlers — exactly as for native gRPC; this transport only turns
/// HTTP requests into RPC streams and replies into gRPC-Web responses. Unary calls only: a
/// request's body is read whole (bounded) before the call starts, and its reply is sent whole.
public final class GRPCWebServerTransport: ServerTransport, Sendable {
    public typealias Bytes = [UInt8]

    private struct State {
        var calls: AsyncStream<GRPCWebCall>.Continuation?
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        var address: Result<SocketAddress, any Error>?
        var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
    }

    public let configuration: GRPCWebConfiguration
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    public init(configuration: GRPCWebConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// The address the listener bound (its real port when configured with port 0).
    public var listeningAddress: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                state.withLock { state in
                    if let address = state.address { continuation.resume(with: address) } else { state.addressWaiters.append(continuation) }
                }
            }
        }
    }

    public func listen(
        streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
    ) async throws {
        let (calls, continuation) = AsyncStream.makeStream(of: GRPCWebCall.self)
        let settings = GRPCWebHTTPHandler.Settings(
            cors: GRPCWebCORSPolicy(allowedOrigins: configuration.allowedOrigins, maxAgeSeconds: configuration.preflightMaxAgeSeconds),
            maxRequestBodyBytes: configuration.maxRequestBodyBytes,
            dispatch: { call in
                if case .enqueued = continuation.yield(call) { return true }
                return false
            })
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [self] child in
                    track(child)
                    return child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(GRPCWebProtocolSniffer(settings: settings))
                    }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            continuation.finish()
            resolveAddress(.failure(error))
            throw error
        }
        let alreadyShuttingDown = state.withLock { state in
            state.calls = continuation
            state.serverChannel = channel
            return state.shuttingDown
        }
        resolveAddress(channel.localAddress.map { .success($0) } ?? .failure(GRPCWebSettingError(description: "the gRPC-Web listener has no address")))
        if alreadyShuttingDown { beginGracefulShutdown() }

        // Every call runs to its end; the stream ends on graceful shutdown (or cancellation).
        await withDiscardingTaskGroup { tasks in
            for await call in calls {
                tasks.addTask { await Self.run(call, streamHandler) }
            }
        }
        try? await channel.close()
        let open = state.withLock { state in Array(state.connections.values) }
        for connection in open { connection.close(promise: nil) }
    }

    /// Stops accepting connections and calls; calls already received finish and are answered.
    public func beginGracefulShutdown() {
        let (channel, calls) = state.withLock { state in
            state.shuttingDown = true
            return (state.serverChannel, state.calls)
        }
        channel?.close(promise: nil)
        calls?.finish()
    }

    private func track(_ connection: any Channel) {
        let id = ObjectIdentifier(connection)
        state.withLock { $0.connections[id] = connection }
        connection.closeFuture.whenComplete { [self] _ in
            _ = state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }

    private func resolveAddress(_ result: Result<SocketAddress, any Error>) {
        let waiters = state.withLock { state in
            state.address = result
            defer { state.addressWaiters = [] }
            return state.addressWaiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Runs one call through the gRPC server's stream handler and sends its reply.
    private static func run(
        _ call: GRPCWebCall, _ streamHandler: @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
    ) async {
        let (inbound, input) = AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>.makeStream()
        input.yield(.metadata(call.metadata))
        for message in call.messages { input.yield(.message(message)) }
        input.finish()
        let collector = GRPCWebReplyCollector()
        let stream = RPCStream(descriptor: call.descriptor, inbound: RPCAsyncSequence(wrapping: inbound),
                               outbound: RPCWriter.Closable(wrapping: collector))
        let context = ServerContext(descriptor: call.descriptor, remotePeer: call.remotePeer, localPeer: call.localPeer,
                                    cancellation: call.cancellation)
        await streamHandler(stream, context)
        call.respond(collector.reply)
    }
}
