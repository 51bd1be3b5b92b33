import CZMQ

/// How one ZeroMQ link is secured: plaintext (the loopback default) or CURVE.
///
/// A CURVE server (a scheduler's job endpoint, the metrics exporter's event endpoint) has its own
/// key pair and a ZAP domain its ``ZMQAuthenticator`` checks clients under; a CURVE client (a proxy,
/// a publisher) has its own pair and the server's public key.
public enum ZMQLinkSecurity: Sendable, Hashable {
    case plaintext
    case curveServer(ZMQCurveKeyPair, domain: String)
    case curveClient(ZMQCurveKeyPair, serverKey: String)

    /// Whether the link is encrypted and authenticated.
    public var isCurve: Bool { self != .plaintext }
}

extension ZMQSocket {
    /// Applies `security` to this socket; call before `bind`/`connect`.
    public func apply(_ security: ZMQLinkSecurity) throws(ZMQError) {
        switch security {
        case .plaintext:
            return
        case .curveServer(let pair, let domain):
            try setInt32Option(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
            try setBytesOption(ZMQ_CURVE_SECRETKEY, Array(pair.secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
            try setBytesOption(ZMQ_ZAP_DOMAIN, Array(domain.utf8), name: "ZMQ_ZAP_DOMAIN")
        case .curveClient(let pair, let serverKey):
            try setBytesOption(ZMQ_CURVE_SERVERKEY, Array(serverKey.utf8), name: "ZMQ_CURVE_SERVERKEY")
            try setBytesOption(ZMQ_CURVE_PUBLICKEY, Array(pair.publicKey.utf8), name: "ZMQ_CURVE_PUBLICKEY")
            try setBytesOption(ZMQ_CURVE_SECRETKEY, Array(pair.secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
        }
    }
}

/// A bound CURVE endpoint's keys: its own pair and the client public keys it accepts.
public struct ZMQCurveServerKeys: Sendable, Hashable {
    public let keyPair: ZMQCurveKeyPair
    public let allowedClients: Set<String>

    public init(keyPair: ZMQCurveKeyPair, allowedClients: Set<String>) {
        self.keyPair = keyPair
        self.allowedClients = allowedClients
    }
}
