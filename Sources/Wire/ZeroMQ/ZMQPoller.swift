import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The readiness `zmq_poll` reports for a socket.
public struct ZMQPollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// A whole message can be received without blocking (`ZMQ_POLLIN`).
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking (`ZMQ_POLLOUT`).
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits on several sockets at once (`zmq_poll`), so one thread can serve, say, a ROUTER for proxies
/// and another for `ctl`. All sockets must belong to the calling thread (see ``ZMQSocket``).
public enum ZMQPoller {
    /// Waits until at least one socket is ready for `events`, or `timeout` passes (`nil` = forever,
    /// `.zero` = just look).
    /// - Returns: one entry per socket, in order: the subset of `events` it is ready for (empty if none,
    ///   and all empty on timeout). A signal ends the wait early with all entries empty.
    public static func poll(
        _ sockets: [ZMQSocket], for events: ZMQPollEvents = .readable, timeout: Duration?
    ) throws(ZMQError) -> [ZMQPollEvents] {
        var items: [zmq_pollitem_t] = []
        items.reserveCapacity(sockets.count)
        for socket in sockets {
            let handle = try socket.handle("zmq_poll")
            items.append(zmq_pollitem_t(socket: handle, fd: 0, events: events.rawValue, revents: 0))
        }
        let rc = zmq_poll(&items, Int32(items.count), Int(ZMQMilliseconds.int32(timeout)))
        if rc < 0 {
            let error = ZMQError.last("zmq_poll")
            if error.isInterrupted { return Array(repeating: [], count: sockets.count) }
            throw error
        }
        return items.map { ZMQPollEvents(rawValue: $0.revents).intersection(events) }
    }

    /// Waits until `socket` is ready for `events` or `wake` is signalled (no timeout: `nil` waits
    /// forever). A signal (EINTR) ends the wait early with nothing ready.
    /// - Returns: the subset of `events` the socket is ready for, and whether `wake` is readable.
    public static func poll(
        _ socket: ZMQSocket, for events: ZMQPollEvents, orWake wake: ZMQWakeSignal, timeout: Duration?
    ) throws(ZMQError) -> (socket: ZMQPollEvents, woken: Bool) {
        let ready = try poll(socket, for: events, monitor: nil, orWake: wake, timeout: timeout)
        return (ready.socket, ready.woken)
    }

    /// ``poll(_:for:orWake:timeout:)`` that also waits for input on `monitor` (a socket monitor's
    /// PAIR socket) when one is given.
    /// - Returns: what the socket is ready for, whether `monitor` has input, whether `wake` is readable.
    public static func poll(
        _ socket: ZMQSocket, for events: ZMQPollEvents, monitor: ZMQSocket?, orWake wake: ZMQWakeSignal, timeout: Duration?
    ) throws(ZMQError) -> (socket: ZMQPollEvents, monitor: Bool, woken: Bool) {
        let handle = try socket.handle("zmq_poll")
        let monitorHandle = try monitor?.handle("zmq_poll")
        var items = (
            zmq_pollitem_t(socket: handle, fd: 0, events: events.rawValue, revents: 0),
            zmq_pollitem_t(socket: nil, fd: wake.fileDescriptor, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: monitorHandle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
        let count: Int32 = monitorHandle == nil ? 2 : 3
        let rc = withUnsafeMutableBytes(of: &items) { raw in
            zmq_poll(raw.baseAddress!.assumingMemoryBound(to: zmq_pollitem_t.self), count, Int(ZMQMilliseconds.int32(timeout)))
        }
        if rc < 0 {
            let error = ZMQError.last("zmq_poll")
            if error.isInterrupted { return ([], false, false) }
            throw error
        }
        let readable = Int16(ZMQ_POLLIN)
        return (ZMQPollEvents(rawValue: items.0.revents).intersection(events), items.2.revents & readable != 0, items.1.revents & readable != 0)
    }

    /// The indices of the sockets that have a message waiting, after waiting up to `timeout`.
    public static func readable(_ sockets: [ZMQSocket], timeout: Duration?) throws(ZMQError) -> [Int] {
        let ready = try poll(sockets, for: .readable, timeout: timeout)
        return ready.indices.filter { ready[$0].contains(.readable) }
    }
}
