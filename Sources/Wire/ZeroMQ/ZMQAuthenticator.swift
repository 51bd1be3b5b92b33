import CZMQ
import Synchronization

/// The ZAP handler (ZeroMQ RFC 27) of one context: decides which CURVE clients may connect.
///
/// libzmq asks it about every handshake on a socket of the same context that has a ZAP domain
/// (every ``ZMQLinkSecurity/curveServer(_:domain:)`` socket). Under `domain` only CURVE clients whose
/// public key is on the allow list get in; a plaintext peer never gets this far (the CURVE handshake
/// fails first). Sockets of other domains, which asked for no authentication (NULL), are let through.
/// Runs on its own ``ZMQSocketThread`` (a REP socket at `inproc://zeromq.zap.01`).
public final class ZMQAuthenticator: Sendable {
    /// One answer the handler gave, for logs and counters.
    public struct Decision: Sendable, Hashable {
        public let allowed: Bool
        public let domain: String
        public let mechanism: String
        /// The peer's IP address as libzmq reports it.
        public let address: String
        /// The client's public key (Z85), for CURVE.
        public let clientKey: String?
        public let reason: String
    }

    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// The allow list, shared with the handler's thread.
    private final class AllowList: Sendable {
        let keys: Mutex<Set<String>>
        init(_ keys: Set<String>) { self.keys = Mutex(keys) }
    }

    public let domain: String
    private let allowed: AllowList
    private let thread: ZMQSocketThread

    /// Binds the handler in `context` and starts answering; at most one per context.
    public init(
        context: ZMQContext, domain: String, allowedKeys: Set<String>,
        onDecision: @escaping @Sendable (Decision) -> Void = { _ in }
    ) throws(ZMQError) {
        self.domain = domain
        let allowed = AllowList(allowedKeys)
        self.allowed = allowed
        let socket = try ZMQSocket(context: context, type: .rep)
        try socket.setLinger(.zero)
        _ = try socket.bind(Self.endpoint)
        thread = try ZMQSocketThread(
            name: "zmq-zap", socket: socket,
            onReadable: { socket in
                while let request = try? socket.receive(timeout: .zero) {
                    let (reply, decision) = Self.answer(request, domain: domain, allowed: allowed.keys.withLock { $0 })
                    try? socket.send(reply)
                    if let decision { onDecision(decision) }
                }
            },
            onError: { _ in })
    }

    /// What replacing the allow list changed.
    public struct AllowListChange: Sendable, Hashable {
        /// Keys that may connect from now on and could not before.
        public let added: Set<String>
        /// Keys refused from now on (connections they already made stay up).
        public let removed: Set<String>
    }

    /// Replaces the allow list: every later handshake is decided by `keys`; peers already admitted
    /// stay connected.
    @discardableResult
    public func replaceAllowedKeys(_ keys: Set<String>) -> AllowListChange {
        allowed.keys.withLock { old in
            defer { old = keys }
            return AllowListChange(added: keys.subtracting(old), removed: old.subtracting(keys))
        }
    }

    /// Closes the handler's socket.
    public func stop() async {
        await thread.stop()
    }

    /// The reply frames for one ZAP request, and the decision if it was a well-formed request.
    static func answer(_ frames: [[UInt8]], domain: String, allowed: Set<String>) -> (reply: [[UInt8]], decision: Decision?) {
        // version, request id, domain, address, routing id, mechanism, credentials…
        guard frames.count >= 6 else {
            return ([Array("1.0".utf8), frames.count > 1 ? frames[1] : [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []], nil)
        }
        let text = { (i: Int) in String(decoding: frames[i], as: UTF8.self) }
        let requestDomain = text(2), address = text(3), mechanism = text(5)
        var clientKey: String?
        let allowedNow: Bool, reason: String
        if requestDomain != domain {
            allowedNow = mechanism == "NULL"
            reason = allowedNow ? "no authentication asked" : "unknown ZAP domain '\(requestDomain)'"
        } else if mechanism != "CURVE" {
            allowedNow = false
            reason = "mechanism \(mechanism), CURVE required"
        } else if frames.count < 7 || frames[6].count != 32 {
            allowedNow = false
            reason = "malformed CURVE credentials"
        } else {
            var z85 = [CChar](repeating: 0, count: 41)
            _ = frames[6].withUnsafeBufferPointer { zmq_z85_encode(&z85, $0.baseAddress, 32) }
            let key = String(cString: z85)
            clientKey = key
            allowedNow = allowed.contains(key)
            reason = allowedNow ? "key on the allow list" : "key not on the allow list"
        }
        let status = allowedNow ? "200" : "400"
        let reply: [[UInt8]] = [Array("1.0".utf8), frames[1], Array(status.utf8), Array(reason.utf8), Array((clientKey ?? "").utf8), []]
        return (reply, Decision(allowed: allowedNow, domain: requestDomain, mechanism: mechanism, address: address, clientKey: clientKey, reason: reason))
    }
}
