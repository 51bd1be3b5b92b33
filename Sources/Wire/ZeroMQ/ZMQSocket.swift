import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One libzmq socket: bind or connect it, then send and receive multipart messages (`[[UInt8]]`, one
/// array per frame).
///
/// **Not thread-safe, deliberately not `Sendable`.** A raw libzmq socket must only be used by one
/// thread at a time, and in practice should stay on the thread (or the single task / dedicated thread)
/// that created it. Create it where it will be used; to talk to it from elsewhere, hand messages over
/// through a queue, or give each task its own socket (sockets are cheap; the ``ZMQContext`` is shared).
///
/// Calls block the calling thread (up to the timeout you give), so run socket loops on a dedicated
/// thread rather than on Swift's cooperative pool.
///
/// New sockets get `ZMQ_LINGER` 0 (pending outgoing messages are dropped at ``close()``), so closing
/// never hangs the context; change it with ``setLinger(_:)``. `deinit` closes the socket.
public final class ZMQSocket {
    /// The context this socket belongs to; held so the context outlives the socket.
    public let context: ZMQContext
    /// The socket pattern.
    public let type: ZMQSocketType
    private var rawHandle: UnsafeMutableRawPointer?

    /// Creates a socket of `type` in `context` (`zmq_socket`), with linger 0.
    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.type = type
        self.rawHandle = handle
        var zero: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
    }

    deinit { close() }

    /// Whether ``close()`` has run.
    public var isClosed: Bool { rawHandle == nil }

    /// Closes the socket (`zmq_close`); idempotent. Later calls throw a ``ZMQError`` with `ENOTSOCK`.
    public func close() {
        guard let handle = rawHandle else { return }
        rawHandle = nil
        zmq_close(handle)
    }

    /// The live handle, or `ENOTSOCK` if closed.
    func handle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let rawHandle else { throw ZMQError(code: ENOTSOCK, operation: operation()) }
        return rawHandle
    }

    // MARK: Endpoints

    /// Binds to `endpoint` (`zmq_bind`) and returns the endpoint actually bound (`ZMQ_LAST_ENDPOINT`),
    /// so `tcp://127.0.0.1:*` yields e.g. `tcp://127.0.0.1:41234`.
    @discardableResult
    public func bind(_ endpoint: String) throws(ZMQError) -> String {
        let handle = try handle("zmq_bind(\(endpoint))")
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
        return try lastEndpoint()
    }

    /// Connects to `endpoint` (`zmq_connect`). Connecting is asynchronous: it succeeds before the peer exists.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try handle("zmq_connect(\(endpoint))")
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    /// Undoes a ``bind(_:)`` (`zmq_unbind`); pass the endpoint ``bind(_:)`` returned.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try handle("zmq_unbind(\(endpoint))")
        guard zmq_unbind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_unbind(\(endpoint))") }
    }

    /// Undoes a ``connect(_:)`` (`zmq_disconnect`).
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try handle("zmq_disconnect(\(endpoint))")
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_disconnect(\(endpoint))") }
    }

    /// The last endpoint bound or connected (`ZMQ_LAST_ENDPOINT`).
    public func lastEndpoint() throws(ZMQError) -> String {
        let handle = try handle("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Subscriptions (SUB)

    /// SUB only: receive messages whose first frame starts with `prefix` (empty = everything).
    public func subscribe(prefix: [UInt8] = []) throws(ZMQError) {
        try setBytesOption(ZMQ_SUBSCRIBE, prefix, name: "ZMQ_SUBSCRIBE")
    }

    /// SUB only: `subscribe(prefix:)` with the UTF-8 bytes of `prefix`.
    public func subscribe(prefix: String) throws(ZMQError) {
        try subscribe(prefix: Array(prefix.utf8))
    }

    /// SUB only: removes one earlier ``subscribe(prefix:)`` of the same prefix.
    public func unsubscribe(prefix: [UInt8] = []) throws(ZMQError) {
        try setBytesOption(ZMQ_UNSUBSCRIBE, prefix, name: "ZMQ_UNSUBSCRIBE")
    }

    // MARK: Sending

    /// Sends one multipart message: every frame but the last with `ZMQ_SNDMORE`.
    ///
    /// Blocks while the peer's queue is at the high-water mark (up to the send timeout), unless
    /// `dontWait` is set; either way a full queue throws an error whose ``ZMQError/isTimeout`` is true.
    /// On a ROUTER the first frame is the destination identity; with ``setRouterMandatory(_:)`` an
    /// unknown identity throws ``ZMQError/isHostUnreachable``, otherwise the message is silently dropped.
    /// - Throws: `EINVAL` for an empty `frames` array.
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) {
        let handle = try handle("zmq_send")
        guard !frames.isEmpty else { throw ZMQError(code: EINVAL, operation: "zmq_send(no frames)") }
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let rc = frame.withUnsafeBytes { bytes in
                    zmq_send(handle, bytes.baseAddress, bytes.count, flags)
                }
                if rc >= 0 { break }
                let error = ZMQError.last("zmq_send(frame \(index) of \(frames.count))")
                if error.isInterrupted { continue }
                throw error
            }
        }
    }

    // MARK: Receiving

    /// Receives one whole multipart message, or `nil` if none arrived within `timeout`.
    ///
    /// - Parameter timeout: how long to wait for the first frame; `nil` uses the socket's receive
    ///   timeout (``setReceiveTimeout(_:)``, by default forever). `.zero` polls without waiting.
    public func receive(timeout: Duration? = nil) throws(ZMQError) -> [[UInt8]]? {
        try receiveMessage(timeout: timeout, wantPeerAddress: false)?.frames
    }

    /// The shared receive path: waits (poll) for the first frame, then reads all parts of the message.
    func receiveMessage(
        timeout: Duration?, wantPeerAddress: Bool
    ) throws(ZMQError) -> (frames: [[UInt8]], peerAddress: String?)? {
        let handle = try handle("zmq_msg_recv")
        guard let timeout else { return try readMessage(handle, firstFlags: 0, wantPeerAddress: wantPeerAddress) }
        // A zero timeout is a plain non-blocking read: no poll round trip per message when draining.
        if timeout == .zero { return try readMessage(handle, firstFlags: ZMQ_DONTWAIT, wantPeerAddress: wantPeerAddress) }
        // Poll, then read without blocking; if the poll was spurious, poll again for the time left.
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var remaining = timeout
        while try waitReadable(handle, timeout: remaining) {
            if let message = try readMessage(handle, firstFlags: ZMQ_DONTWAIT, wantPeerAddress: wantPeerAddress) {
                return message
            }
            remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { break }
        }
        return nil
    }

    /// Reads all parts of one message; `nil` if the first part is not there (`EAGAIN`).
    private func readMessage(
        _ handle: UnsafeMutableRawPointer, firstFlags: Int32, wantPeerAddress: Bool
    ) throws(ZMQError) -> (frames: [[UInt8]], peerAddress: String?)? {
        let msg = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { msg.deallocate() }
        var frames: [[UInt8]] = []
        var peerAddress: String?
        while true {
            zmq_msg_init(msg)
            defer { zmq_msg_close(msg) }
            let flags: Int32 = frames.isEmpty ? firstFlags : 0
            if zmq_msg_recv(msg, handle, flags) < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.isInterrupted { continue }
                // EAGAIN before the first frame is a timeout; libzmq delivers multipart messages
                // atomically, so later frames never time out.
                if error.isTimeout && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(msg)
            if size > 0, let data = zmq_msg_data(msg) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if wantPeerAddress, peerAddress == nil, let value = zmq_msg_gets(msg, "Peer-Address") {
                peerAddress = String(cString: value)
            }
            if zmq_msg_more(msg) == 0 { break }
        }
        return (frames, peerAddress)
    }

    /// Polls this one socket for input for up to `timeout`, retrying after signals.
    private func waitReadable(_ handle: UnsafeMutableRawPointer, timeout: Duration) throws(ZMQError) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var remaining = timeout
        while true {
            var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
            let rc = zmq_poll(&item, 1, Int(ZMQMilliseconds.int32(remaining)))
            if rc > 0 { return true }
            if rc == 0 { return false }
            let error = ZMQError.last("zmq_poll")
            guard error.isInterrupted else { throw error }
            remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { return false }
        }
    }
}

/// Raw libzmq sockets must stay on one thread; this makes accidental sharing a compile error.
@available(*, unavailable)
extension ZMQSocket: Sendable {}
