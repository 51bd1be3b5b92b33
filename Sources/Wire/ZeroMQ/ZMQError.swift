import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the operation that failed, the `errno` it left and libzmq's text for it.
///
/// Every throwing function of the ZeroMQ layer throws this type (protobuf decoding aside), so callers
/// can match on ``code`` (for example ``isTimeout`` or ``isHostUnreachable``) instead of parsing text.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value libzmq reported (`zmq_errno()`), or the one this layer chose for misuse.
    public let code: Int32
    /// libzmq's description of ``code`` (`zmq_strerror`).
    public let message: String
    /// What was being done, for example `"zmq_bind(tcp://127.0.0.1:*)"`.
    public let operation: String

    /// Creates an error for `operation` with an explicit `errno` value; the message comes from `zmq_strerror`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.message = String(cString: zmq_strerror(code))
        self.operation = operation
    }

    /// The error libzmq left in `zmq_errno()` after `operation` failed.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }

    /// The operation would block or timed out (`EAGAIN`): a send or receive timeout, or a full queue with `dontWait`.
    public var isTimeout: Bool { code == EAGAIN }

    /// A ROUTER socket with ``ZMQSocket/setRouterMandatory(_:)`` was asked to send to an unknown peer (`EHOSTUNREACH`).
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }

    /// The call was interrupted by a signal (`EINTR`); the layer retries these itself where it can.
    public var isInterrupted: Bool { code == EINTR }

    /// The socket (or its context) has been closed (`ENOTSOCK`, or libzmq's `ETERM`).
    public var isClosed: Bool { code == ENOTSOCK || code == ZMQError.etermCode }

    /// libzmq's own `ETERM` value (`ZMQ_HAUSNUMERO + 53`).
    static let etermCode: Int32 = 156_384_712 + 53

    public var description: String { "\(operation) failed: \(message) (errno \(code))" }
}
