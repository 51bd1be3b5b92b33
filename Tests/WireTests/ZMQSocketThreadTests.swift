import Foundation
import Synchronization
import Testing
import Wire

/// The event-driven socket thread: messages leave and arrive without a poll interval, a message
/// for a peer that is not there yet waits in order, and an idle thread never wakes.
@Suite("ZeroMQ socket thread", .serialized, .timeLimit(.minutes(1)))
struct ZMQSocketThreadTests {
    let context: ZMQContext

    init() throws { context = try ZMQContext() }

    /// Collects what a socket thread receives; `next()` waits (bounded) for the next message.
    final class Inbox: Sendable {
        private let messages = Mutex<[[[UInt8]]]>([])
        private let arrived = DispatchSemaphore(value: 0)

        func drain(_ socket: ZMQSocket) {
            while let frames = try? socket.receive(timeout: .zero) {
                messages.withLock { $0.append(frames) }
                arrived.signal()
            }
        }

        func next(seconds: Double = 5) -> [[UInt8]]? {
            guard arrived.wait(timeout: .now() + seconds) == .success else { return nil }
            return messages.withLock { $0.removeFirst() }
        }
    }

    /// An echo server: a ROUTER thread that sends every message straight back to its sender.
    private func echoServer() throws -> (ZMQSocketThread, String) {
        let router = try ZMQSocket(context: context, type: .router)
        let endpoint = try router.bind("tcp://127.0.0.1:*")
        let replies = Mutex<ZMQSocketThread?>(nil)
        let thread = try ZMQSocketThread(
            name: "test-echo", socket: router,
            onReadable: { socket in
                while let frames = try? socket.receive(timeout: .zero) {
                    replies.withLock { $0 }?.send(frames)
                }
            },
            onError: { _ in })
        replies.withLock { $0 = thread }
        return (thread, endpoint)
    }

    @Test("a DEALER thread and a ROUTER thread exchange 2,000 requests and replies in order")
    func roundTrips() async throws {
        let (server, endpoint) = try echoServer()
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect(endpoint)
        let inbox = Inbox()
        let client = try ZMQSocketThread(name: "test-client", socket: dealer, onReadable: inbox.drain, onError: { _ in })
        for i in 0..<2_000 {
            let payload = withUnsafeBytes(of: UInt32(i).littleEndian) { Array($0) }
            #expect(client.send([payload]))
            let reply = try #require(inbox.next(), "reply \(i) never came")
            #expect(reply == [payload])
        }
        await client.stop()
        await server.stop()
    }

    @Test("messages queued before the peer binds wait and then leave in order")
    func pendingUntilPeerExists() async throws {
        // Reserve a port, then let it go, so the DEALER connects to an endpoint nobody binds yet.
        let probe = try ZMQSocket(context: context, type: .router)
        let endpoint = try probe.bind("tcp://127.0.0.1:*")
        probe.close()

        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect(endpoint)
        let client = try ZMQSocketThread(name: "test-pending", socket: dealer, onReadable: { _ in }, onError: { _ in })
        for i in 0..<50 { #expect(client.send([[UInt8(i)]])) }
        try await Task.sleep(for: .milliseconds(100))

        let router = try ZMQSocket(context: context, type: .router)
        _ = try router.bind(endpoint)
        for i in 0..<50 {
            let frames = try #require(try router.receive(timeout: .seconds(5)), "message \(i) lost")
            #expect(frames.last == [UInt8(i)])
        }
        await client.stop()
    }

    @Test("after stop the thread refuses new messages and stop returns once the socket is closed")
    func stopRefusesNewMessages() async throws {
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect("tcp://127.0.0.1:1")
        let client = try ZMQSocketThread(name: "test-stop", socket: dealer, onReadable: { _ in }, onError: { _ in })
        await client.stop()
        #expect(!client.send([[1]]))
        await client.stop()  // idempotent
    }

    @Test("a queue bound drops what is beyond it instead of growing")
    func boundedQueue() async throws {
        let publisher = try ZMQSocket(context: context, type: .pub)
        try publisher.connect("tcp://127.0.0.1:1")
        let thread = try ZMQSocketThread(name: "test-bound", socket: publisher, maxQueued: 3, onReadable: nil, onError: { _ in })
        // Without a wake-up taken yet the first messages may still be queued; far more than 3 must be refused.
        var refused = 0
        for _ in 0..<10_000 where !thread.send([[0]]) { refused += 1 }
        #expect(refused > 0)
        await thread.stop()
    }

    @Test("an idle socket thread sleeps: no wake-ups while nothing happens (no poll timer)")
    func idleThreadNeverWakes() async throws {
        let (server, endpoint) = try echoServer()
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect(endpoint)
        let inbox = Inbox()
        let client = try ZMQSocketThread(name: "zmq-idle-probe", socket: dealer, onReadable: inbox.drain, onError: { _ in })
        #expect(client.send([[42]]))
        #expect(inbox.next() == [[42]])
        try await Task.sleep(for: .milliseconds(100))  // connection settled
        let before = try #require(Self.contextSwitches(threadNamed: "zmq-idle-probe"))
        try await Task.sleep(for: .milliseconds(600))
        let after = try #require(Self.contextSwitches(threadNamed: "zmq-idle-probe"))
        // A 10 ms poll timer would show ~60 switches here; an event-driven thread shows none.
        #expect(after - before <= 2, "idle thread woke \(after - before) times in 600 ms")
        // And it still answers at once when a message comes.
        #expect(client.send([[43]]))
        #expect(inbox.next() == [[43]])
        await client.stop()
        await server.stop()
    }

    /// Voluntary plus involuntary context switches of this process's thread named `name` (Linux).
    static func contextSwitches(threadNamed name: String) -> Int? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
        for tid in tasks {
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == name,
                  let status = try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8) else { continue }
            return status.split(separator: "\n")
                .filter { $0.hasPrefix("voluntary_ctxt_switches") || $0.hasPrefix("nonvoluntary_ctxt_switches") }
                .compactMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") }
                .reduce(0, +)
        }
        return nil
    }
}
