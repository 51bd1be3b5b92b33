import CZMQ
import Foundation
import Synchronization

/// One ZeroMQ socket on a dedicated thread, driven by events only.
///
/// libzmq sockets are not thread-safe, so the socket lives on its own thread for its whole life.
/// Other threads and tasks hand it outgoing messages with ``send(_:)``, which queues them and
/// signals a ``ZMQWakeSignal`` that sits in the same `zmq_poll` set as the socket: the thread
/// sleeps in `zmq_poll` with no timeout until the socket has input, it can send what is pending,
/// or somebody queued something. Nothing polls on a timer; an idle socket thread uses no CPU.
///
/// Input is handed to `onReadable` on the socket's thread, which must drain what is waiting
/// without blocking (`receive(timeout: .zero)`) and pass real work on to a task. Outgoing
/// messages are sent without blocking; a message the socket cannot take yet (a DEALER with no
/// peer, a peer at its high-water mark) stays pending, in order, until the socket is writable.
///
/// With a ``ZMQHandshakeRecovery`` the thread connects the socket itself and connects it again
/// after a peer refuses the handshake (libzmq alone never would); see there.
public final class ZMQSocketThread: Sendable {
    private struct State {
        var queued: [[[UInt8]]] = []
        var stopping = false
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The thread's name (also used in error reports).
    public let name: String
    private let wake: ZMQWakeSignal
    private let state = Mutex(State())
    private let maxQueued: Int

    /// Moves `socket` (created, configured and bound or connected by the caller, and not used by it
    /// again) onto a new thread and starts its loop.
    /// - Parameters:
    ///   - maxQueued: messages queued and not yet taken by the thread beyond which ``send(_:)`` drops.
    ///   - onReadable: called on the socket's thread when input is waiting; `nil` for send-only sockets.
    ///   - onError: called on the socket's thread for a failed send or poll (the loop goes on).
    ///   - recovery: for a socket the caller has not connected: the endpoint the thread connects
    ///     it to, and connects again after the peer refuses a handshake.
    public init(
        name: String, socket: ZMQSocket, maxQueued: Int = 100_000,
        onReadable: (@Sendable (ZMQSocket) -> Void)?, onError: @escaping @Sendable (ZMQError) -> Void,
        recovery: ZMQHandshakeRecovery? = nil
    ) throws(ZMQError) {
        self.name = name
        self.maxQueued = maxQueued
        wake = try ZMQWakeSignal()
        var monitor: ZMQSocket?
        if let recovery {
            let receiver = try socket.monitor(events: ZMQHandshakeRecovery.watchedEvents)
            monitor = receiver
            do { try socket.connect(recovery.endpoint) } catch {
                receiver.close()
                throw error
            }
        }
        let handoff = SocketHandoff(socket, monitor: monitor)
        let thread = Thread { [self] in
            self.run(handoff.socket, monitor: handoff.monitor.map { ($0, recovery!) }, onReadable: onReadable, onError: onError)
        }
        thread.name = name
        thread.start()
    }

    /// Queues one multipart message for the socket and wakes its thread. Returns false (dropping
    /// the message) once the thread is stopping or `maxQueued` messages wait.
    @discardableResult
    public func send(_ frames: [[UInt8]]) -> Bool {
        let (accepted, wasEmpty) = state.withLock { s -> (Bool, Bool) in
            guard !s.stopping, s.queued.count < maxQueued else { return (false, false) }
            s.queued.append(frames)
            return (true, s.queued.count == 1)
        }
        // Only the first message of a batch needs a wake-up: the thread takes the whole queue.
        if wasEmpty { wake.signal() }
        return accepted
    }

    /// Asks the thread to send what is queued (without waiting for peers), close the socket and end.
    public func requestStop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }

    /// ``requestStop()``, then waits until the socket is closed.
    public func stop() async {
        requestStop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.finished { return true }
                s.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func run(
        _ socket: ZMQSocket, monitor: (socket: ZMQSocket, recovery: ZMQHandshakeRecovery)?,
        onReadable: (@Sendable (ZMQSocket) -> Void)?, onError: (ZMQError) -> Void
    ) {
        #if os(Linux)
        czmq_name_this_thread(String(decoding: name.utf8.prefix(15), as: UTF8.self))  // as `top -H` and /proc show it
        #endif
        var pending: [[[UInt8]]] = []
        var next = 0  // index of the first unsent message in `pending`
        var schedule = monitor.map { ZMQReconnectSchedule($0.recovery) }
        defer {
            socket.close()
            monitor?.socket.close()
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.finished = true
                defer { s.finishWaiters = [] }
                return s.finishWaiters
            }
            waiters.forEach { $0.resume() }
        }
        let receiving: ZMQPollEvents = onReadable == nil ? [] : .readable
        while true {
            let events: ZMQPollEvents = next < pending.count ? receiving.union(.writable) : receiving
            let ready: ZMQPollEvents
            let woken: Bool
            let monitored: Bool
            do {
                (ready, monitored, woken) = try ZMQPoller.poll(
                    socket, for: events, monitor: monitor?.socket, orWake: wake, timeout: schedule?.timeout(now: .now))
            } catch {
                onError(error)
                if error.isClosed { return }
                continue
            }
            var stopping = false
            if woken {
                wake.consume()  // before taking the queue: a later signal stays visible
                let taken = state.withLock { s -> [[[UInt8]]] in
                    stopping = s.stopping
                    defer { s.queued.removeAll(keepingCapacity: true) }
                    return s.queued
                }
                if next == pending.count {
                    pending = taken
                    next = 0
                } else {
                    pending.append(contentsOf: taken)
                }
            }
            if ready.contains(.readable), let onReadable { onReadable(socket) }
            if let monitor, schedule != nil {
                if monitored, handleMonitor(monitor.socket, recovery: monitor.recovery, schedule: &schedule!, onError: onError) {
                    // The peer refused: what is held now would arrive stale after a later admission.
                    pending.removeAll(keepingCapacity: true)
                    next = 0
                    state.withLock { $0.queued.removeAll(keepingCapacity: true) }
                }
                if schedule!.takeDue(now: .now) {
                    try? socket.disconnect(monitor.recovery.endpoint)  // libzmq may have forgotten it already
                    do { try socket.connect(monitor.recovery.endpoint) } catch { onError(error) }
                }
            }
            // Send what the socket takes now; the rest waits for `.writable`.
            while next < pending.count {
                do {
                    try socket.send(pending[next], dontWait: true)
                } catch where error.isTimeout && !stopping {
                    break
                } catch {
                    if !error.isTimeout { onError(error) }
                }
                next += 1
            }
            if next == pending.count {
                pending.removeAll(keepingCapacity: true)
                next = 0
            }
            if stopping { return }
        }
    }
}

extension ZMQSocketThread {
    /// Reads the monitor's events and reports refusals and admissions; true if the peer refused.
    private func handleMonitor(
        _ monitor: ZMQSocket, recovery: ZMQHandshakeRecovery, schedule: inout ZMQReconnectSchedule, onError: (ZMQError) -> Void
    ) -> Bool {
        var refusedNow = false
        while true {
            let event: ZMQMonitorEvent
            do {
                guard let next = try monitor.receiveMonitorEvent() else { return refusedNow }
                event = next
            } catch {
                onError(error)
                return refusedNow
            }
            if let refusal = ZMQHandshakeRefusal(event) {
                refusedNow = true
                if let delay = schedule.refused(now: .now) { recovery.onChange(.refused(refusal, retryIn: delay)) }
            } else if event.event == ZMQMonitorEvent.handshakeSucceeded {
                schedule.admitted()
                recovery.onChange(.admitted)
            }
        }
    }
}

/// Moves a socket (and its monitor) into the thread that will own it (used by that thread only afterwards).
private struct SocketHandoff: @unchecked Sendable {
    let socket: ZMQSocket
    let monitor: ZMQSocket?
    init(_ socket: ZMQSocket, monitor: ZMQSocket? = nil) {
        self.socket = socket
        self.monitor = monitor
    }
}
