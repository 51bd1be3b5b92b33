/// How a connecting socket's thread (``ZMQSocketThread``) recovers when its peer refuses the
/// handshake.
///
/// libzmq (4.3) ends a connection whose handshake the peer refused — a CURVE key its ZAP handler
/// turned down, a protocol error — and never tries it again, unlike a lost connection. With a
/// recovery, the thread watches the socket's monitor and, after each refusal, connects again once
/// a back-off has passed: `firstDelay`, doubling up to `maxDelay`, and back to `firstDelay` after a
/// handshake succeeds. Messages in flight when the peer refuses are lost (libzmq drops its pipe);
/// the thread drops what it still holds too, so nothing stale arrives after a later admission.
public struct ZMQHandshakeRecovery: Sendable {
    /// The endpoint the thread connects the socket to (after its monitor is in place, so no
    /// refusal goes unseen).
    public let endpoint: String
    public let firstDelay: Duration
    public let maxDelay: Duration
    /// Called on the socket's thread for each refusal and each successful handshake.
    public let onChange: @Sendable (ZMQHandshakeOutcome) -> Void

    public init(
        endpoint: String, firstDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30),
        onChange: @escaping @Sendable (ZMQHandshakeOutcome) -> Void
    ) {
        self.endpoint = endpoint
        self.firstDelay = firstDelay
        self.maxDelay = max(firstDelay, maxDelay)
        self.onChange = onChange
    }

    /// The monitor events the recovery acts on.
    static let watchedEvents = ZMQMonitorEvent.handshakeSucceeded | ZMQMonitorEvent.handshakeFailedAuth
        | ZMQMonitorEvent.handshakeFailedProtocol
}

/// What one handshake with a recovering socket's peer came to.
public enum ZMQHandshakeOutcome: Sendable, Hashable {
    /// The peer refused; the thread connects again after `retryIn`.
    case refused(ZMQHandshakeRefusal, retryIn: Duration)
    /// A handshake succeeded: the link carries messages.
    case admitted
}

/// Why a peer refused a handshake.
public enum ZMQHandshakeRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The peer's ZAP handler turned this socket's key down (`status`: the ZAP status code, 400).
    case authentication(status: UInt32)
    /// The handshake broke the protocol (`code`: a `ZMQ_PROTOCOL_ERROR_*` value).
    case protocolError(code: UInt32)

    public var description: String {
        switch self {
        case .authentication(let status): return "the peer refused this process's CURVE key (ZAP status \(status))"
        case .protocolError(let code): return "the handshake failed with protocol error 0x\(String(code, radix: 16))"
        }
    }

    /// The refusal a monitor event reports, or nil for any other event.
    init?(_ event: ZMQMonitorEvent) {
        switch event.event {
        case ZMQMonitorEvent.handshakeFailedAuth: self = .authentication(status: event.value)
        case ZMQMonitorEvent.handshakeFailedProtocol: self = .protocolError(code: event.value)
        default: return nil
        }
    }
}

/// The back-off between reconnections after refusals: when the next attempt is due and how long
/// the one after waits.
struct ZMQReconnectSchedule {
    let recovery: ZMQHandshakeRecovery
    private(set) var nextDelay: Duration
    /// When the socket should connect again; nil while no attempt is pending.
    private(set) var due: ContinuousClock.Instant?

    init(_ recovery: ZMQHandshakeRecovery) {
        self.recovery = recovery
        nextDelay = recovery.firstDelay
    }

    /// A refusal: schedules the next attempt (unless one is pending) and returns its delay.
    mutating func refused(now: ContinuousClock.Instant) -> Duration? {
        guard due == nil else { return nil }
        let delay = nextDelay
        due = now + delay
        nextDelay = min(nextDelay * 2, recovery.maxDelay)
        return delay
    }

    /// A successful handshake: the next refusal waits `firstDelay` again.
    mutating func admitted() {
        nextDelay = recovery.firstDelay
    }

    /// Whether the attempt is due at `now` (and clears it if so).
    mutating func takeDue(now: ContinuousClock.Instant) -> Bool {
        guard let due, now >= due else { return false }
        self.due = nil
        return true
    }

    /// How long the thread may sleep before the attempt is due (nil: no attempt pending).
    func timeout(now: ContinuousClock.Instant) -> Duration? {
        due.map { max(.zero, now.duration(to: $0)) }
    }
}
