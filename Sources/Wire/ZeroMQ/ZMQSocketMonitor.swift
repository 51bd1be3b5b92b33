import CZMQ
import Synchronization

/// One event a socket monitor reported (`zmq_socket_monitor`): what happened, its value (an errno,
/// a file descriptor, a ZAP status code…) and the endpoint it concerns.
public struct ZMQMonitorEvent: Sendable, Hashable {
    /// The `ZMQ_EVENT_*` constant.
    public let event: Int32
    public let value: UInt32
    public let endpoint: String

    /// A handshake completed (`ZMQ_EVENT_HANDSHAKE_SUCCEEDED`).
    public static let handshakeSucceeded = ZMQ_EVENT_HANDSHAKE_SUCCEEDED
    /// The peer's ZAP handler refused the handshake; the value is its status code, e.g. 400
    /// (`ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`).
    public static let handshakeFailedAuth = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
    /// The handshake broke the protocol; the value is a `ZMQ_PROTOCOL_ERROR_*` code
    /// (`ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`).
    public static let handshakeFailedProtocol = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL

    /// Decodes the two frames a monitor sends: 2 bytes of event and 4 of value (native order), then the endpoint.
    init?(frames: [[UInt8]]) {
        guard frames.count >= 2, frames[0].count >= 6 else { return nil }
        (event, value) = frames[0].withUnsafeBytes {
            (Int32($0.loadUnaligned(as: UInt16.self)), $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        }
        endpoint = String(decoding: frames[1], as: UTF8.self)
    }
}

extension ZMQSocket {
    /// Numbers the monitors' inproc addresses within the process.
    private static let monitorCount = Atomic<Int>(0)

    /// Starts reporting this socket's `events` (a mask of `ZMQ_EVENT_*`) and returns the PAIR socket
    /// that receives them (read it with ``receiveMonitorEvent()``; close it after this socket).
    public func monitor(events: Int32) throws(ZMQError) -> ZMQSocket {
        let number = Self.monitorCount.wrappingAdd(1, ordering: .relaxed).oldValue
        let address = "inproc://mrp-monitor-\(number)"
        let handle = try handle("zmq_socket_monitor(\(address))")
        guard zmq_socket_monitor(handle, address, events) == 0 else { throw ZMQError.last("zmq_socket_monitor(\(address))") }
        let receiver = try ZMQSocket(context: context, type: .pair)
        try receiver.connect(address)
        return receiver
    }

    /// On a monitor's PAIR socket: the next event, or nil when none is waiting (never blocks).
    public func receiveMonitorEvent() throws(ZMQError) -> ZMQMonitorEvent? {
        while let frames = try receive(timeout: .zero) {
            if let event = ZMQMonitorEvent(frames: frames) { return event }
        }
        return nil
    }
}
