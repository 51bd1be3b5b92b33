import Foundation
import Wire

/// When a ZeroMQ link must be CURVE: anything that leaves the host.
///
/// A scheduler's job endpoint bound on a non-loopback address, or a proxy's link to a scheduler on
/// another host, carries witnesses and proofs across the network: without CURVE keys the process
/// refuses to start unless the operator says `--insecure` (a private network they trust).
public enum LinkSecurityPolicy {
    /// The ZAP domain of scheduler job endpoints (the authenticator checks clients under it).
    public static let jobDomain = "mrp-jobs"

    /// 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil } && octets[0] == "127"
    }

    /// The host of a ZeroMQ TCP endpoint (`tcp://host:port`, `tcp://[v6]:port`); nil for other transports.
    public static func host(ofEndpoint endpoint: String) -> String? {
        guard endpoint.hasPrefix("tcp://") else { return nil }
        let rest = endpoint.dropFirst("tcp://".count)
        // A connect endpoint may name a source first: tcp://source;host:port.
        let target = rest.split(separator: ";").last.map(String.init) ?? String(rest)
        guard let colon = target.lastIndex(of: ":") else { return target }
        return String(target[..<colon])
    }

    /// Throws unless a plaintext link on `host` is allowed (loopback, or `insecure`).
    public static func checkPlaintext(host: String, insecure: Bool, link: String, keysHint: String) throws(LinkSecurityError) {
        if isLoopback(host: host) || insecure { return }
        throw LinkSecurityError(message: "refusing a plaintext \(link) on \(host): \(keysHint), or --insecure on a network you trust")
    }
}

/// A link that may not start as configured.
public struct LinkSecurityError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
