import Dispatch
import Foundation
import Synchronization
import Testing
import Wire

/// Every test binds ephemeral loopback ports, uses timeouts on every receive and linger 0, and finishes
/// in well under a second normally; the time limits are only a backstop against hangs.
@Suite("ZeroMQ layer", .serialized, .timeLimit(.minutes(1)))
struct ZeroMQTests {
    let context: ZMQContext

    init() throws {
        context = try ZMQContext()
    }

    /// Bounded wait for helper threads started with `DispatchQueue.global().async`.
    private func wait(_ group: DispatchGroup, seconds: Double = 20) -> Bool {
        group.wait(timeout: .now() + seconds) == .success
    }

    @Test("DEALER ↔ ROUTER multipart round trip on an ephemeral loopback port")
    func dealerRouterRoundTrip() throws {
        let router = try ZMQSocket(context: context, type: .router)
        let endpoint = try router.bind("tcp://127.0.0.1:*")
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))

        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.setRoutingID(Array("dealer-1".utf8))
        try dealer.connect(endpoint)

        let frames: [[UInt8]] = [Array("hello".utf8), [], [0, 1, 2, 255], Array(repeating: 7, count: 100_000)]
        try dealer.send(frames)

        let received = try #require(try router.receive(timeout: .seconds(5)))
        #expect(received.count == frames.count + 1)
        #expect(received.first == Array("dealer-1".utf8))
        #expect(Array(received.dropFirst()) == frames)

        // Reply to the identity; the dealer sees only the payload frames.
        try router.send([received[0], Array("world".utf8), []])
        let reply = try #require(try dealer.receive(timeout: .seconds(5)))
        #expect(reply == [Array("world".utf8), []])
    }

    @Test("many concurrent dealers, each on its own thread, are answered correctly")
    func manyConcurrentDealers() throws {
        let router = try ZMQSocket(context: context, type: .router)
        let endpoint = try router.bind("tcp://127.0.0.1:*")
        let dealers = 16
        let requestsPerDealer = 20
        let total = dealers * requestsPerDealer

        // The router echoes on its own thread; it owns `router` from here on (moved via a box the
        // test never touches again until the thread is done).
        let served = Atomic<Int>(0)
        let routerBox = UncheckedBox(router)
        let routerDone = DispatchGroup()
        routerDone.enter()
        DispatchQueue.global().async {
            defer { routerDone.leave() }
            let router = routerBox.value
            let deadline = ContinuousClock.now + .seconds(20)
            while served.load(ordering: .relaxed) < total, ContinuousClock.now < deadline {
                guard let frames = try? router.receive(timeout: .milliseconds(100)) else { continue }
                // Echo back [identity, payload...] with the payload reversed.
                try? router.send([frames[0]] + frames.dropFirst().reversed())
                served.add(1, ordering: .relaxed)
            }
        }

        let failures = Mutex<[String]>([])
        let workers = DispatchGroup()
        let context = self.context
        for index in 0..<dealers {
            workers.enter()
            DispatchQueue.global().async {
                defer { workers.leave() }
                do {
                    let dealer = try ZMQSocket(context: context, type: .dealer)
                    try dealer.connect(endpoint)
                    for request in 0..<requestsPerDealer {
                        let a = Array("d\(index)".utf8), b = Array("r\(request)".utf8)
                        try dealer.send([a, b])
                        guard let reply = try dealer.receive(timeout: .seconds(10)) else {
                            failures.withLock { $0.append("dealer \(index) request \(request): timeout") }
                            return
                        }
                        if reply != [b, a] {
                            failures.withLock { $0.append("dealer \(index) request \(request): got \(reply)") }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("dealer \(index): \(error)") }
                }
            }
        }
        #expect(wait(workers))
        #expect(wait(routerDone))
        #expect(failures.withLock { $0 } == [])
        #expect(served.load(ordering: .relaxed) == total)
    }

    @Test("PUB/SUB delivers only subscribed prefixes (retrying past the slow joiner)")
    func pubSubPrefixFiltering() throws {
        let publisher = try ZMQSocket(context: context, type: .pub)
        let endpoint = try publisher.bind("tcp://127.0.0.1:*")
        let subscriber = try ZMQSocket(context: context, type: .sub)
        try subscriber.subscribe(prefix: "metrics.")
        try subscriber.connect(endpoint)

        // Slow joiner: messages published before the subscription reaches the publisher are lost,
        // so publish an "other." and a "metrics." message until the subscriber sees one (bounded).
        let deadline = ContinuousClock.now + .seconds(10)
        var first: [[UInt8]]?
        while first == nil, ContinuousClock.now < deadline {
            try publisher.send([Array("other.noise".utf8), [1]])
            try publisher.send([Array("metrics.ready".utf8), [2]])
            first = try subscriber.receive(timeout: .milliseconds(50))
        }
        let ready = try #require(first)
        #expect(ready == [Array("metrics.ready".utf8), [2]])

        // Now connected: drain what the warm-up left, then check filtering precisely.
        while try subscriber.receive(timeout: .milliseconds(50)) != nil {}
        try publisher.send([Array("other.x".utf8), [3]])
        try publisher.send([Array("metrics.x".utf8), [4]])
        try publisher.send([Array("metric".utf8), [5]])  // shorter than the prefix: filtered out
        let seen = try #require(try subscriber.receive(timeout: .seconds(5)))
        #expect(seen == [Array("metrics.x".utf8), [4]])
        #expect(try subscriber.receive(timeout: .milliseconds(100)) == nil)
    }

    @Test("receive returns nil on timeout, both explicit and via ZMQ_RCVTIMEO")
    func receiveTimeout() throws {
        let router = try ZMQSocket(context: context, type: .router)
        _ = try router.bind("tcp://127.0.0.1:*")
        let start = ContinuousClock.now
        #expect(try router.receive(timeout: .milliseconds(100)) == nil)
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(90))
        #expect(elapsed < .seconds(3))
        #expect(try router.receive(timeout: .zero) == nil)

        try router.setReceiveTimeout(.milliseconds(50))
        #expect(try router.receive() == nil)
        #expect(try ZMQPoller.readable([router], timeout: .milliseconds(20)) == [])
    }

    @Test("errors are typed ZMQError values with errno, text and operation")
    func typedErrors() throws {
        let socket = try ZMQSocket(context: context, type: .router)
        let error = try #require(throws: ZMQError.self) {
            try socket.bind("not-a-transport://nowhere")
        }
        #expect(error.code != 0)
        #expect(!error.message.isEmpty)
        #expect(error.operation.contains("zmq_bind"))
        #expect(error.operation.contains("not-a-transport://nowhere"))

        let badAddress = try #require(throws: ZMQError.self) {
            try socket.bind("tcp://300.1.2.3:1")
        }
        #expect(badAddress.code != 0)

        // ROUTER_MANDATORY: sending to an unknown identity fails instead of vanishing.
        try socket.setRouterMandatory(true)
        let unreachable = try #require(throws: ZMQError.self) {
            try socket.send([Array("nobody".utf8), [1]])
        }
        #expect(unreachable.isHostUnreachable)

        // Closed sockets throw rather than crash.
        socket.close()
        let closed = try #require(throws: ZMQError.self) { try socket.send([[1]]) }
        #expect(closed.isClosed)
    }

    @Test("ROUTER sees the peer address 127.0.0.1 for a loopback dealer")
    func peerAddressIsLoopback() throws {
        let router = try ZMQSocket(context: context, type: .router)
        let endpoint = try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect(endpoint)
        try dealer.send([Array("ping".utf8)])

        let (frames, peer) = try #require(try router.receiveWithPeerAddress(timeout: .seconds(5)))
        #expect(frames.count == 2)
        #expect(frames.last == Array("ping".utf8))
        #expect(peer?.ip == "127.0.0.1")
        #expect(peer?.isLoopback == true)

        #expect(ZMQPeerAddress("::1").isLoopback)
        #expect(ZMQPeerAddress("::ffff:127.0.0.2").isLoopback)
        #expect(!ZMQPeerAddress("10.0.0.1").isLoopback)
        #expect(!ZMQPeerAddress("127.example.com").isLoopback)
    }

    @Test("a protobuf Job survives DEALER → ROUTER → DEALER, including REQ-style delimiters")
    func protobufRoundTrip() throws {
        let router = try ZMQSocket(context: context, type: .router)
        let endpoint = try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect(endpoint)

        var job = Mrp_Internal_V1_Job()
        job.requestID = "req-42"
        job.proofType = .batch
        job.payload = Data((0..<4096).map { UInt8($0 & 0xff) })
        job.deadlineUnixNanos = 1_700_000_000_123_456_789
        job.clientAddress = "203.0.113.7:5555"
        job.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        job.tracestate = "vendor=x"
        try dealer.send(job)

        let envelope = try #require(try router.receiveEnvelope(timeout: .seconds(5)))
        #expect(!envelope.hasDelimiter)
        #expect(envelope.peerAddress?.isLoopback == true)
        let decoded: Mrp_Internal_V1_Job = try envelope.decode()
        #expect(decoded == job)

        var result = Mrp_Internal_V1_JobResult()
        result.requestID = decoded.requestID
        result.proof = Data([9, 8, 7])
        result.attempts = 1
        try router.reply(result, to: envelope)
        let answer = try #require(try dealer.receive(Mrp_Internal_V1_JobResult.self, timeout: .seconds(5)))
        #expect(answer == result)

        // REQ-style framing: [empty, payload] comes back with the delimiter.
        try dealer.send(job, after: [[]])
        let reqStyle = try #require(try router.receiveEnvelope(timeout: .seconds(5)))
        #expect(reqStyle.hasDelimiter)
        try router.reply(result, to: reqStyle)
        let framed = try #require(try dealer.receive(timeout: .seconds(5)))
        #expect(framed.count == 2 && framed[0].isEmpty)

        // Malformed payloads surface as decode errors, with the identity still available to answer.
        try dealer.send([[0xff, 0xff, 0xff]])
        let bad = try #require(try router.receiveEnvelope(timeout: .seconds(5)))
        #expect(throws: (any Error).self) { let _: Mrp_Internal_V1_Job = try bad.decode() }
        #expect(!bad.identity.isEmpty)
    }

    @Test("REQ/REP and the poller")
    func reqRepAndPoller() throws {
        let rep = try ZMQSocket(context: context, type: .rep)
        let endpoint = try rep.bind("tcp://127.0.0.1:*")
        let idle = try ZMQSocket(context: context, type: .router)
        _ = try idle.bind("tcp://127.0.0.1:*")
        let req = try ZMQSocket(context: context, type: .req)
        try req.connect(endpoint)
        try req.send([Array("q".utf8)])

        let ready = try ZMQPoller.poll([idle, rep], timeout: .seconds(5))
        #expect(ready == [[], .readable])
        #expect(try rep.receive(timeout: .zero) == [Array("q".utf8)])
        try rep.send([Array("a".utf8)])
        #expect(try req.receive(timeout: .seconds(5)) == [Array("a".utf8)])
    }
}

/// Moves a non-Sendable value to exactly one other thread; the sender must not touch it meanwhile.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
