import GRPCCore

/// The message sizes every hop of a proof request accepts (proxy → scheduler → worker and back).
///
/// A 64-transaction batch witness is about 7 MB and a block proof may reach 16 MiB, while
/// grpc-swift-2 refuses messages over 4 MiB by default: each gRPC server and client on the path
/// raises its limit to `messageBytes`. ZeroMQ (proxy ⇄ scheduler) has no message limit by default
/// and the project sets none.
public enum PayloadLimits {
    /// The default largest witness a proxy accepts: 64 MiB.
    public static let defaultMaxPayloadBytes = 64 << 20
    /// The largest gRPC message any hop accepts: the default witness limit plus 1 MiB for the
    /// protobuf framing, so that a proxy's own size check answers first with a clear message.
    public static let messageBytes = defaultMaxPayloadBytes + (1 << 20)

    /// Call options that let a client send and receive messages up to `bytes`.
    public static func callOptions(_ base: CallOptions = .defaults, bytes: Int = messageBytes) -> CallOptions {
        var options = base
        options.maxRequestMessageBytes = bytes
        options.maxResponseMessageBytes = bytes
        return options
    }
}
