import NIOCore
import NIOHTTP1
import NIOHTTP2

/// The first handler of every gRPC-Web connection: reads until it can tell an HTTP/2
/// prior-knowledge connection (h2c, the client preface `PRI * HTTP/2.0…`) from HTTP/1.1, then
/// builds the pipeline for that protocol, hands it the bytes read so far and removes itself.
final class GRPCWebProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let settings: GRPCWebHTTPHandler.Settings
    private var buffered: ByteBuffer?

    init(settings: GRPCWebHTTPHandler.Settings) {
        self.settings = settings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil { buffered = incoming } else { buffered!.writeBuffer(&incoming) }
        guard let bytes = buffered else { return }
        let seen = bytes.readableBytesView.prefix(Self.preface.count)
        let isPrefix = seen.elementsEqual(Self.preface.prefix(seen.count))
        if isPrefix && seen.count < Self.preface.count { return }
        do {
            try configure(http2: isPrefix, context: context)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        buffered = nil
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func configure(http2: Bool, context: ChannelHandlerContext) throws {
        let settings = self.settings
        let pipeline = context.pipeline.syncOperations
        if http2 {
            _ = try pipeline.configureHTTP2Pipeline(
                mode: .server, connectionConfiguration: .init(), streamConfiguration: .init()
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandlers([
                        HTTP2FramePayloadToHTTP1ServerCodec(),
                        GRPCWebHTTPHandler(settings: settings, isHTTP2: true),
                    ])
                }
            }
        } else {
            try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true,
                                                     withServerUpgrade: nil, withErrorHandling: true)
            try pipeline.addHandler(GRPCWebHTTPHandler(settings: settings, isHTTP2: false))
        }
    }
}
