import GRPCCore

/// One gRPC-Web request decoded from HTTP, ready for the gRPC server: the method, the request
/// metadata (headers), the messages of its body, the peers, a cancellation handle (fired when the
/// client goes away) and where to send the reply (back on the connection's event loop).
struct GRPCWebCall: Sendable {
    let descriptor: MethodDescriptor
    let metadata: Metadata
    let messages: [[UInt8]]
    let remotePeer: String
    let localPeer: String
    let cancellation: ServerContext.RPCCancellationHandle
    let respond: @Sendable (GRPCWebReply) -> Void
}

/// What the gRPC server answered for one call: initial metadata, messages, status and trailers.
struct GRPCWebReply: Sendable {
    var metadata: Metadata = [:]
    var messages: [[UInt8]] = []
    var status: Status
    var trailers: Metadata = [:]

    /// An error answered before any message: becomes a trailers-only response.
    static func error(_ code: Status.Code, _ message: String) -> GRPCWebReply {
        GRPCWebReply(status: Status(code: code, message: message))
    }
}
