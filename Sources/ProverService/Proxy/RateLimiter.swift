import Synchronization

/// A per-client-IP token bucket: each IP may make `rate` requests per second (bursts up to
/// `rate`). Limits by address, not by connection, so reconnecting does not reset the budget.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let rate: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    /// `rate` ≤ 0 disables limiting.
    public init(requestsPerSecond rate: Double) { self.rate = rate }

    /// True if `client` may make a request now (and spends one token).
    public func allow(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        guard rate > 0 else { return true }
        return buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: rate, updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rate, bucket.tokens + seconds * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[client] = bucket
            if buckets.count > 100_000 { buckets = buckets.filter { $0.value.tokens < rate } }
            return allowed
        }
    }
}

/// The IP part of a gRPC peer string such as "ipv4:127.0.0.1:5000" or "ipv6:[::1]:5000".
public func clientIP(fromPeer peer: String) -> String {
    if peer.hasPrefix("ipv4:") {
        let rest = peer.dropFirst(5)
        return String(rest.split(separator: ":").first ?? rest[...])
    }
    if peer.hasPrefix("ipv6:"), let open = peer.firstIndex(of: "["), let close = peer.firstIndex(of: "]") {
        return String(peer[peer.index(after: open)..<close])
    }
    return peer
}
