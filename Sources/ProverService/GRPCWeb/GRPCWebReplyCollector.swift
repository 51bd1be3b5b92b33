import GRPCCore
import Synchronization

/// The outbound side of a gRPC-Web call's RPC stream: gathers what the gRPC server writes
/// (metadata, messages, status) into one `GRPCWebReply`, since unary answers are sent whole.
final class GRPCWebReplyCollector: ClosableRPCWriterProtocol, Sendable {
    typealias Element = RPCResponsePart<[UInt8]>

    private struct State {
        var reply = GRPCWebReply(status: Status(code: .internalError, message: "the server ended the call without a status"))
        var sawStatus = false
    }

    private let state = Mutex(State())

    func write(_ element: Element) async throws {
        state.withLock { state in
            switch element {
            case .metadata(let metadata): state.reply.metadata = metadata
            case .message(let bytes): state.reply.messages.append(bytes)
            case .status(let status, let trailers):
                state.reply.status = status
                state.reply.trailers = trailers
                state.sawStatus = true
            }
        }
    }

    func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements { try await write(element) }
    }

    func finish() async {}

    func finish(throwing error: any Error) async {
        state.withLock { state in
            guard !state.sawStatus else { return }
            state.reply.status = Status(code: .internalError, message: "the call failed: \(error)")
            state.reply.messages = []
        }
    }

    var reply: GRPCWebReply { state.withLock { $0.reply } }
}
