import CZMQ
import Synchronization

/// A libzmq context: the I/O threads and the registry every ``ZMQSocket`` lives in.
///
/// A context is thread-safe and `Sendable`; share one per process. Sockets keep their context alive,
/// so it is only terminated (by ``close()`` or `deinit`) once the caller is done with it.
/// ``close()`` calls `zmq_ctx_term`, which blocks until every socket made from this context is closed:
/// close (or drop) the sockets first.
public final class ZMQContext: Sendable {
    /// The raw `void *` context; libzmq contexts are thread-safe, hence `nonisolated(unsafe)`.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    private let closed = Mutex(false)

    /// Creates a context (`zmq_ctx_new`).
    /// - Parameter ioThreads: libzmq I/O threads (`ZMQ_IO_THREADS`); 1 is plenty for our traffic.
    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if ioThreads != 1, zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS)")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Whether ``close()`` has run.
    public var isClosed: Bool { closed.withLock { $0 } }

    /// Terminates the context (`zmq_ctx_term`); idempotent. Blocks until all of its sockets are closed.
    public func close() {
        let first = closed.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        guard first else { return }
        while zmq_ctx_term(handle) != 0, zmq_errno() == EINTR {}
    }

    deinit { close() }
}
