import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks up the IPv4 addresses behind a DNS name (`getaddrinfo`, which also reads /etc/hosts).
///
/// `getaddrinfo` blocks, and Swift concurrency runs on the event loops in our processes
/// (``EventLoopExecutor``), so the lookup runs on a Dispatch thread.
public enum DNSResolver {
    /// What a lookup found.
    public enum Answer: Sendable, Hashable {
        /// Every distinct address, sorted.
        case addresses([String])
        /// The name does not exist or has no IPv4 address (e.g. a headless Service with no ready pods).
        case noSuchName
        /// A failure that says nothing about the name (server unreachable, timeout).
        case failed(String)
    }

    /// The IPv4 addresses of `host`.
    public static func ipv4(_ host: String) async -> Answer {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: lookup(host)) }
        }
    }

    // glibc's "name has no address (of this family)" codes, hidden behind _GNU_SOURCE in its headers.
    #if os(Linux)
    private static let noData: Int32 = -5, noAddressOfFamily: Int32 = -9
    #else
    private static let noData: Int32 = EAI_NODATA, noAddressOfFamily: Int32 = EAI_NONAME
    #endif

    private static func lookup(_ host: String) -> Answer {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &result)
        defer { if let result { freeaddrinfo(result) } }
        switch code {
        case 0: break
        case EAI_NONAME, noData, noAddressOfFamily: return .noSuchName
        default: return .failed(String(cString: gai_strerror(code)))
        }
        var found = Set<String>()
        var next = result
        while let entry = next {
            if let address = entry.pointee.ai_addr, entry.pointee.ai_family == AF_INET {
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    var raw = inet.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                }
                found.insert(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            next = entry.pointee.ai_next
        }
        return found.isEmpty ? .noSuchName : .addresses(found.sorted())
    }
}
