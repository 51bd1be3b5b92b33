import CZMQ
import Foundation

/// A ZeroMQ CURVE key pair (Curve25519) in Z85 text, 40 characters per key, as `zmq_setsockopt`
/// takes it and `ctl keygen` writes it.
public struct ZMQCurveKeyPair: Sendable, Hashable {
    /// The public key: given to peers (a scheduler's to its proxies, a proxy's to the scheduler's allow list).
    public let publicKey: String
    /// The secret key: stays on its host (file mode 0600 or a secret in the orchestrator).
    public let secretKey: String

    /// A fresh random key pair.
    public static func generate() throws(ZMQCurveKeyError) -> ZMQCurveKeyPair {
        guard zmq_has("curve") != 0 else { throw .unsupported }
        var publicKey = [CChar](repeating: 0, count: 41), secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw .unsupported }
        return ZMQCurveKeyPair(publicKey: String(cString: publicKey), secretKey: String(cString: secretKey))
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The pair belonging to `secretKey` (its public key derived from it).
    public init(secretKey: String) throws(ZMQCurveKeyError) {
        let secret = try Self.checked(secretKey, role: "secret key")
        guard zmq_has("curve") != 0 else { throw .unsupported }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secret) == 0 else { throw .malformed(role: "secret key", reason: "not a Z85 Curve25519 key") }
        self.init(publicKey: String(cString: publicKey), secretKey: secret)
    }

    /// `text` trimmed, if it is a 40-character Z85 key (32 bytes); otherwise a clear error naming `role`.
    public static func checked(_ text: String, role: String) throws(ZMQCurveKeyError) -> String {
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard key.utf8.count == 40 else {
            throw .malformed(role: role, reason: "\(key.utf8.count) characters, a Z85 CURVE key has 40")
        }
        var decoded = [UInt8](repeating: 0, count: 32)
        guard key.utf8.allSatisfy({ z85Alphabet.contains($0) }), zmq_z85_decode(&decoded, key) != nil else {
            throw .malformed(role: role, reason: "not Z85 text")
        }
        return key
    }

    private static let z85Alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
}

/// Why a CURVE key or key file was refused.
public enum ZMQCurveKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libzmq was built without CURVE (no libsodium/tweetnacl).
    case unsupported
    /// A key that is not 40 characters of Z85.
    case malformed(role: String, reason: String)
    /// A key file that cannot be read or holds no key.
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case .unsupported: "this libzmq has no CURVE support (zmq_has(\"curve\") is false)"
        case .malformed(let role, let reason): "bad CURVE \(role): \(reason)"
        case .file(let path, let reason): "CURVE key file \(path): \(reason)"
        }
    }
}
