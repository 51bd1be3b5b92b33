import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor that any thread can make readable, to wake a socket thread blocked in
/// `zmq_poll` at once (an `eventfd` on Linux, a non-blocking pipe elsewhere).
///
/// The protocol that loses no wake-up: a producer queues its message and then calls ``signal()``;
/// the socket thread, once woken, calls ``consume()`` *before* it takes what is queued. A signal
/// that arrives while the thread works leaves the descriptor readable for its next poll.
public final class ZMQWakeSignal: Sendable {
    /// The descriptor to poll for input (`ZMQ_POLLIN`).
    public let fileDescriptor: Int32
    private let writeDescriptor: Int32

    /// Creates the descriptor(s).
    public init() throws(ZMQError) {
        #if os(Linux)
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(code: errno, operation: "eventfd") }
        fileDescriptor = fd
        writeDescriptor = fd
        #else
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError(code: errno, operation: "pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        fileDescriptor = fds[0]
        writeDescriptor = fds[1]
        #endif
    }

    deinit {
        close(fileDescriptor)
        if writeDescriptor != fileDescriptor { close(writeDescriptor) }
    }

    /// Makes the descriptor readable (idempotent until ``consume()``); safe from any thread.
    public func signal() {
        var one: UInt64 = 1
        // A full counter or pipe means a wake-up is already pending: nothing to do.
        _ = withUnsafeBytes(of: &one) { write(writeDescriptor, $0.baseAddress, $0.count) }
    }

    /// Clears pending signals (never blocks).
    public func consume() {
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while withUnsafeMutableBytes(of: &buffer, { read(fileDescriptor, $0.baseAddress, $0.count) }) > 0 {
            #if os(Linux)
            break  // one read resets an eventfd counter
            #endif
        }
    }
}
