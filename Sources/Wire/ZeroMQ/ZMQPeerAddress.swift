/// The IP address of the peer that sent a message, as libzmq reports it (`zmq_msg_gets(msg, "Peer-Address")`).
///
/// Only tcp connections have one (not `inproc://` or `ipc://`). Use it to refuse control commands from
/// anywhere but loopback.
public struct ZMQPeerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address text, e.g. `"127.0.0.1"` or `"::1"`.
    public let ip: String

    /// Wraps an address string as libzmq reports it.
    public init(_ ip: String) { self.ip = ip }

    /// True for IPv4 `127.0.0.0/8`, IPv6 `::1`, and IPv4-mapped `::ffff:127.x.y.z`.
    public var isLoopback: Bool {
        var text = ip.lowercased()
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text == "::1" || text == "0:0:0:0:0:0:0:1" { return true }
        if text.hasPrefix("::ffff:") { text = String(text.dropFirst(7)) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    public var description: String { ip }
}

extension ZMQSocket {
    /// Like ``receive(timeout:)``, and also returns the sending peer's IP address (for tcp; `nil` for
    /// other transports). On a ROUTER this tells a control endpoint who is calling.
    public func receiveWithPeerAddress(
        timeout: Duration? = nil
    ) throws(ZMQError) -> (frames: [[UInt8]], peerAddress: ZMQPeerAddress?)? {
        guard let message = try receiveMessage(timeout: timeout, wantPeerAddress: true) else { return nil }
        return (message.frames, message.peerAddress.map(ZMQPeerAddress.init))
    }
}
