import SwiftProtobuf

/// A message received on a ROUTER: who sent it, and the one payload frame (a serialized protobuf message).
///
/// Convention between our processes: a DEALER sends `[payload]` and the ROUTER receives
/// `[identity, payload]`. A REQ socket (or a DEALER imitating one) sends `[empty, payload]`, which the
/// ROUTER receives as `[identity, empty, payload]`; ``hasDelimiter`` remembers that so ``ZMQSocket/reply(_:to:)``
/// answers in the same shape.
public struct ZMQEnvelope: Sendable, Hashable {
    /// The sender's routing identity (first frame on a ROUTER); reply to it.
    public let identity: [UInt8]
    /// Whether the sender put an empty delimiter frame before the payload (REQ style).
    public let hasDelimiter: Bool
    /// The payload frame, undecoded (decoding may fail and the sender still deserves an answer).
    public let payload: [UInt8]
    /// The sender's IP address on tcp, for loopback checks; `nil` on other transports.
    public let peerAddress: ZMQPeerAddress?

    /// Creates an envelope; normally made by ``ZMQSocket/receiveEnvelope(timeout:)``.
    public init(identity: [UInt8], hasDelimiter: Bool, payload: [UInt8], peerAddress: ZMQPeerAddress?) {
        self.identity = identity
        self.hasDelimiter = hasDelimiter
        self.payload = payload
        self.peerAddress = peerAddress
    }

    /// Decodes the payload as `M` (throws SwiftProtobuf's decoding error for malformed bytes).
    public func decode<M: Message>(as type: M.Type = M.self) throws -> M {
        try M(serializedBytes: payload)
    }
}

/// A multipart message that does not have the shape a wire helper expects.
public struct ZMQFrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The number of frames received.
    public let frameCount: Int
    /// What was expected, e.g. `"[identity, payload]"`.
    public let expected: String

    public var description: String { "expected frames \(expected), got \(frameCount) frame(s)" }
}

/// Protobuf messages over ZeroMQ: one serialized `SwiftProtobuf.Message` per payload frame.
extension ZMQSocket {
    /// Sends `message` as the last frame after `prefix` frames (e.g. a topic on PUB, an identity on ROUTER).
    public func send<M: Message>(_ message: M, after prefix: [[UInt8]] = []) throws {
        let payload: [UInt8] = try message.serializedBytes()
        try send(prefix + [payload])
    }

    /// Receives one message and decodes its last frame as `M`; `nil` on timeout.
    /// Earlier frames (topic, delimiter) are ignored. For DEALER, SUB, REQ and REP sockets.
    public func receive<M: Message>(_ type: M.Type, timeout: Duration? = nil) throws -> M? {
        guard let frames = try receive(timeout: timeout) else { return nil }
        guard let payload = frames.last else { throw ZMQFrameError(frameCount: 0, expected: "[…, payload]") }
        return try M(serializedBytes: payload)
    }

    /// ROUTER: receives `[identity, payload]` or `[identity, empty, payload]`; `nil` on timeout.
    /// - Throws: ``ZMQFrameError`` for any other shape (the message is consumed), ``ZMQError`` for socket errors.
    public func receiveEnvelope(timeout: Duration? = nil) throws -> ZMQEnvelope? {
        guard let (frames, peer) = try receiveWithPeerAddress(timeout: timeout) else { return nil }
        switch frames.count {
        case 2:
            return ZMQEnvelope(identity: frames[0], hasDelimiter: false, payload: frames[1], peerAddress: peer)
        case 3 where frames[1].isEmpty:
            return ZMQEnvelope(identity: frames[0], hasDelimiter: true, payload: frames[2], peerAddress: peer)
        default:
            throw ZMQFrameError(frameCount: frames.count, expected: "[identity, (empty,) payload]")
        }
    }

    /// ROUTER: sends `message` back to the sender of `envelope`, with a delimiter if it used one.
    public func reply<M: Message>(_ message: M, to envelope: ZMQEnvelope) throws {
        try send(message, to: envelope.identity, delimiter: envelope.hasDelimiter)
    }

    /// ROUTER: sends `message` to the peer with routing `identity`, as `[identity, (empty,) payload]`.
    public func send<M: Message>(_ message: M, to identity: [UInt8], delimiter: Bool = false) throws {
        try send(message, after: delimiter ? [identity, []] : [identity])
    }
}
