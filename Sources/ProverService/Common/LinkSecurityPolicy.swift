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

    /// 127.0.0.0/8, `localhost`, ::1 and ::ffff:127.0.0.0/104 (IPv6 in brackets or not).
    public static func isLoopback(host: String) -> Bool {
        var bare = host.lowercased()
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if bare == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        let mappedV4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        return (bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1) || (mappedV4 && bytes[12] == 127)
    }

    /// The host of a ZeroMQ TCP endpoint (`tcp://host:port`, `tcp://[v6]:port`, `tcp://source;host:port`),
    /// without brackets; nil for other transports and for an endpoint with no host.
    public static func host(ofEndpoint endpoint: String) -> String? {
        guard endpoint.hasPrefix("tcp://") else { return nil }
        let rest = endpoint.dropFirst("tcp://".count)
        // A connect endpoint may name a source first: tcp://source;host:port.
        let target = rest.split(separator: ";", omittingEmptySubsequences: false).last ?? rest
        let host: Substring
        if target.hasPrefix("[") {
            guard let close = target.firstIndex(of: "]") else { return nil }
            host = target[target.index(after: target.startIndex)..<close]
        } else {
            host = target.lastIndex(of: ":").map { target[..<$0] } ?? target
        }
        return host.isEmpty ? nil : String(host)
    }

    /// Whether a link on `endpoint` cannot leave this host: TCP on a loopback host, ipc or inproc.
    /// Every other transport (pgm, epgm, udp, ws, tipc, vmci…) and a malformed endpoint may.
    public static func staysOnHost(endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        return host(ofEndpoint: endpoint).map { isLoopback(host: $0) } ?? false
    }

    /// Throws unless a plaintext link on `endpoint` is allowed (it stays on this host, or `insecure`).
    public static func checkPlaintext(endpoint: String, insecure: Bool, link: String, keysHint: String) throws(LinkSecurityError) {
        if staysOnHost(endpoint: endpoint) || insecure { return }
        throw LinkSecurityError(
            message: "refusing a plaintext \(link) on \(host(ofEndpoint: endpoint) ?? endpoint): \(keysHint), or --insecure on a network you trust")
    }
}

/// A link that may not start as configured.
public struct LinkSecurityError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
