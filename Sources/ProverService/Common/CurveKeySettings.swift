import Foundation
import Wire

/// Reads one process's CURVE keys from its flags and its ``CurveKeyVariables`` /
/// ``CurveAllowListVariables``.
///
/// For the scheduler, the secret key comes from `--curve-secret-key-file`, else the file named by
/// `MRP_SCHEDULER_CURVE_SECRET_KEY_FILE` (what `ctl keygen` writes), else the Z85 key in
/// `MRP_SCHEDULER_CURVE_SECRET_KEY` (an orchestrator's secret mapped to a variable); a bound
/// endpoint's allowed clients from `--curve-allowed-clients`, else the file named by
/// `MRP_SCHEDULER_CURVE_ALLOWED_CLIENTS_FILE`, else comma-separated keys in
/// `MRP_SCHEDULER_CURVE_ALLOWED_CLIENTS`.
public struct CurveKeySettings: Sendable {
    public let keys: CurveKeyVariables
    /// A bound endpoint's allow-list variables; nil for a process that only connects.
    public let allowedClients: CurveAllowListVariables?

    public init(keys: CurveKeyVariables, allowedClients: CurveAllowListVariables? = nil) {
        self.keys = keys
        self.allowedClients = allowedClients
    }

    /// The key pair from `file` (the flag) or the key variables; nil if none is given.
    public func keyPair(file: String?) throws(ZMQCurveKeyError) -> ZMQCurveKeyPair? {
        if let path = file ?? Configuration.environment(keys.secretKeyFile) { return try ZMQCurveKeyFiles.readSecret(path) }
        let variable = keys.secretKey
        if let key = Configuration.environment(variable) {
            do { return try ZMQCurveKeyPair(secretKey: key) } catch { throw .malformed(role: "secret key in \(variable)", reason: "\(error)") }
        }
        return nil
    }

    /// Where the allowed client keys come from: `file` (the flag) or the allow-list variables; nil if none is given.
    public func allowList(file: String?) -> CurveAllowList? {
        if let file { return .file(file) }
        guard let allowedClients else { return nil }
        if let path = Configuration.environment(allowedClients.file) { return .file(path) }
        return Configuration.environment(allowedClients.keys) == nil ? nil : .variable(allowedClients.keys)
    }

    /// A bound endpoint's CURVE settings (own pair and allowed client keys), or nil for plaintext
    /// where ``LinkSecurityPolicy`` allows it on `endpoint`; both halves or neither.
    public func server(keyFile: String?, allowedFile: String?, endpoint: String, insecure: Bool, link: String) throws -> CurveServerSettings? {
        let pair = try keyPair(file: keyFile)
        switch (pair, allowList(file: allowedFile)) {
        case (let pair?, let allowList?):
            return CurveServerSettings(keys: ZMQCurveServerKeys(keyPair: pair, allowedClients: try allowList.load()), allowList: allowList)
        case (nil, nil):
            try LinkSecurityPolicy.checkPlaintext(
                endpoint: endpoint, insecure: insecure, link: link,
                keysHint: "give --curve-secret-key-file and --curve-allowed-clients (ctl keygen writes keys)")
            return nil
        case (nil, _?): throw LinkSecurityError(message: "--curve-allowed-clients needs this process's own key: --curve-secret-key-file")
        case (_?, nil): throw LinkSecurityError(message: "--curve-secret-key-file needs the client keys it accepts: --curve-allowed-clients")
        }
    }
}

/// A bound CURVE endpoint's keys and where its allow list was read from (to read it again on SIGHUP).
public struct CurveServerSettings: Sendable, Hashable {
    public let keys: ZMQCurveServerKeys
    public let allowList: CurveAllowList
}

/// The source of a bound endpoint's allowed client keys: a file of public keys, one per line, or a
/// variable holding them comma-separated.
public enum CurveAllowList: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case variable(String)

    /// The keys it lists now (at least one).
    public func load() throws(ZMQCurveKeyError) -> Set<String> {
        switch self {
        case .file(let path): return try ZMQCurveKeyFiles.readPublicKeys(path)
        case .variable(let name):
            var keys = Set<String>()
            for item in (Configuration.environment(name) ?? "").split(separator: ",") {
                keys.insert(try ZMQCurveKeyPair.checked(String(item), role: "public key in \(name)"))
            }
            guard !keys.isEmpty else { throw .malformed(role: "allowed client keys in \(name)", reason: "no key listed") }
            return keys
        }
    }

    public var description: String {
        switch self {
        case .file(let path): return path
        case .variable(let name): return "$\(name)"
        }
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
                try LinkSecurityPolicy.checkPlaintext(endpoint: endpoint, insecure: insecure, link: "\(link) \(endpoint)", keysHint: keysHint)
            }
            return .plaintext
        case (nil, _?): throw LinkSecurityError(message: "the \(link) has the server's public key but no key of this process: --curve-secret-key-file")
        case (_?, nil): throw LinkSecurityError(message: "the \(link) needs the server's public key as well (\(keysHint))")
        }
    }

    /// A publisher's (proxy's, scheduler's) metric-event link: CURVE signed with `pair` when the
    /// exporter's public key (or a file holding it) is given by `exporterKey` (the flag) or
    /// `MRP_METRICS_PUBLIC_KEY`; else plaintext where ``LinkSecurityPolicy`` allows it.
    public static func metricEventLink(
        exporterKey: String?, pair: ZMQCurveKeyPair?, endpoint: String?, insecure: Bool, variables: MetricEventLinkVariables
    ) throws -> ZMQLinkSecurity {
        let serverKey = try (exporterKey ?? Configuration.environment(variables.exporterPublicKey)).map(ZMQCurveKeyFiles.publicKey)
        return try clientSecurity(
            pair: serverKey == nil ? nil : pair, serverKey: serverKey, endpoints: endpoint.map { [$0] } ?? [], insecure: insecure,
            link: "metric event link", keysHint: "give --curve-secret-key-file and --metrics-public-key")
    }
}
