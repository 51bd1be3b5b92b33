import Foundation
import Wire

/// Reads CURVE keys for a process from its flags and `MRP_*` variables.
///
/// A secret key comes from a file (`…_FILE`, what `ctl keygen` writes) or from the variable itself
/// holding the Z85 text (an orchestrator's secret mapped to an environment variable).
public enum CurveKeySettings {
    /// The key pair from `file` (flag), the file named by `fileVariable`, or the key in `keyVariable`; nil if none given.
    public static func keyPair(file: String?, fileVariable: String, keyVariable: String) throws(ZMQCurveKeyError) -> ZMQCurveKeyPair? {
        if let path = file ?? Configuration.environment(fileVariable) { return try ZMQCurveKeyFiles.readSecret(path) }
        if let key = Configuration.environment(keyVariable) {
            do { return try ZMQCurveKeyPair(secretKey: key) } catch { throw .malformed(role: "secret key in \(keyVariable)", reason: "\(error)") }
        }
        return nil
    }

    /// Public keys from `file` (flag), the file named by `fileVariable`, or a comma-separated list in `listVariable`.
    public static func publicKeys(file: String?, fileVariable: String, listVariable: String) throws(ZMQCurveKeyError) -> Set<String>? {
        if let path = file ?? Configuration.environment(fileVariable) { return try ZMQCurveKeyFiles.readPublicKeys(path) }
        guard let list = Configuration.environment(listVariable) else { return nil }
        var keys = Set<String>()
        for item in list.split(separator: ",") {
            keys.insert(try ZMQCurveKeyPair.checked(String(item), role: "public key in \(listVariable)"))
        }
        return keys.isEmpty ? nil : keys
    }
}

extension CurveKeySettings {
    /// The security of a link this process connects: CURVE with its own pair and the server's public
    /// key, or plaintext where ``LinkSecurityPolicy`` allows it (loopback, or `insecure`).
    public static func clientSecurity(
        pair: ZMQCurveKeyPair?, serverKey: String?, endpoints: [String], insecure: Bool, link: String, keysHint: String
    ) throws(LinkSecurityError) -> ZMQLinkSecurity {
        switch (pair, serverKey) {
        case (let pair?, let serverKey?): return .curveClient(pair, serverKey: serverKey)
        case (nil, nil):
            for endpoint in endpoints {
                try LinkSecurityPolicy.checkPlaintext(
                    host: LinkSecurityPolicy.host(ofEndpoint: endpoint) ?? "127.0.0.1", insecure: insecure, link: "\(link) \(endpoint)", keysHint: keysHint)
            }
            return .plaintext
        case (nil, _?): throw LinkSecurityError(message: "the \(link) has the server's public key but no key of this process: --curve-secret-key-file")
        case (_?, nil): throw LinkSecurityError(message: "the \(link) needs the server's public key as well (\(keysHint))")
        }
    }
}

extension CurveKeySettings {
    /// The names a bound endpoint's CURVE settings are read from.
    public struct ServerVariables: Sendable {
        public let secretKeyFile: String, secretKey: String, allowedClientsFile: String, allowedClients: String
        public init(secretKeyFile: String, secretKey: String, allowedClientsFile: String, allowedClients: String) {
            self.secretKeyFile = secretKeyFile
            self.secretKey = secretKey
            self.allowedClientsFile = allowedClientsFile
            self.allowedClients = allowedClients
        }
    }

    /// A bound endpoint's CURVE settings (own pair and allowed client keys), or nil for plaintext
    /// where ``LinkSecurityPolicy`` allows it; both halves or neither.
    public static func serverCurve(
        keyFile: String?, allowedFile: String?, variables: ServerVariables, host: String, insecure: Bool, link: String
    ) throws -> ZMQCurveServerKeys? {
        let pair = try keyPair(file: keyFile, fileVariable: variables.secretKeyFile, keyVariable: variables.secretKey)
        let allowed = try publicKeys(file: allowedFile, fileVariable: variables.allowedClientsFile, listVariable: variables.allowedClients)
        switch (pair, allowed) {
        case (let pair?, let allowed?): return ZMQCurveServerKeys(keyPair: pair, allowedClients: allowed)
        case (nil, nil):
            try LinkSecurityPolicy.checkPlaintext(
                host: host, insecure: insecure, link: link,
                keysHint: "give --curve-secret-key-file and --curve-allowed-clients (ctl keygen writes keys)")
            return nil
        case (nil, _?): throw LinkSecurityError(message: "--curve-allowed-clients needs this process's own key: --curve-secret-key-file")
        case (_?, nil): throw LinkSecurityError(message: "--curve-secret-key-file needs the client keys it accepts: --curve-allowed-clients")
        }
    }
}
