import GRPCNIOTransportHTTP2

/// HTTP/2 keepalive on the scheduler's connection to a worker: a PING every `time`, and the
/// connection (with the call in flight) is closed, UNAVAILABLE, when no answer comes within `timeout`.
/// So a worker whose host or link dies mid-proof fails the call within about `time + timeout`, and
/// the job is retried elsewhere, instead of waiting for its deadline.
///
/// Pings are sent with or without calls: in grpc-swift-nio-transport 2.9 the keepalive timer is
/// cancelled when a connection's last stream closes and only restarted by a PING answer, so with
/// `allowWithoutCalls: false` the first health probe to finish switched keepalive off for good.
/// The worker's server accepts a ping every second with or without calls (``serverPolicy``): with
/// gRPC's default policy (one ping per 5 minutes, calls or not) it would close the connection, and
/// the proof in flight, with ENHANCE_YOUR_CALM after three pings.
public struct WorkerKeepalive: Sendable, Hashable {
    public var time: Duration
    public var timeout: Duration

    public init(time: Duration, timeout: Duration) {
        self.time = time
        self.timeout = timeout
    }

    /// 10 s between pings, 5 s to answer.
    public static let standard = WorkerKeepalive(time: .seconds(10), timeout: .seconds(5))

    /// What the worker's gRPC server lets a client do: ping at most once a second, calls or not.
    public static let serverPolicy = HTTP2ServerTransport.Config.ClientKeepaliveBehavior(
        minPingIntervalWithoutCalls: .seconds(1), allowWithoutCalls: true)

    /// The client transport's setting.
    var transportSetting: HTTP2ClientTransport.Config.Keepalive {
        .init(time: time, timeout: timeout, allowWithoutCalls: true)
    }
}
