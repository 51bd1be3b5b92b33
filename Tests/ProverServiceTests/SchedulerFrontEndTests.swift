import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import STARK
import Synchronization
import Wire

@Suite struct DurationParsingTests {
    @Test func parsesUnitsAndBareSeconds() {
        #expect(DurationParsing.parse("20ms") == .milliseconds(20))
        #expect(DurationParsing.parse("10s") == .seconds(10))
        #expect(DurationParsing.parse("5m") == .seconds(300))
        #expect(DurationParsing.parse("2h") == .seconds(7200))
        #expect(DurationParsing.parse("250us") == .microseconds(250))
        #expect(DurationParsing.parse("15") == .seconds(15))
        #expect(DurationParsing.parse("1.5") == .milliseconds(1500))
        #expect(DurationParsing.parse(" 100ms ") == .milliseconds(100))
        #expect(DurationParsing.parse("0") == .zero)
    }

    @Test func refusesMalformedText() {
        for text in ["", "ms", "ten", "-5s", "5x", "1e3", "5 m s", "nan"] {
            #expect(DurationParsing.parse(text) == nil, "\(text)")
        }
        #expect(throws: DurationParsingError.self) { try DurationParsing.parse("soon", setting: "MRP_TIMEOUT") }
    }
}

/// The scheduler's ZeroMQ front end: a DEALER client on the job endpoint, a control client, a metrics SUB.
@Suite(.serialized) struct SchedulerFrontEndTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    /// Sends `request` from a fresh DEALER (or REQ-style with `delimiter`) and waits (bounded) for one reply.
    /// Polls without blocking the cooperative pool for long.
    static func call<Reply: SwiftProtobuf.Message>(
        _ endpoint: String, _ request: some SwiftProtobuf.Message, as _: Reply.Type, within limit: Duration = .seconds(30)
    ) async throws -> Reply {
        let context = try ZMQContext()
        defer { context.close() }
        let socket = try ZMQSocket(context: context, type: .dealer)
        defer { socket.close() }
        try socket.connect(endpoint)
        try socket.send(request)
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if let reply = try socket.receive(Reply.self, timeout: .zero) { return reply }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TimedOut(what: "reply from \(endpoint)")
    }

    struct TimedOut: Error { var what: String }

    static func job(_ id: String, payload: [UInt8], timeout: Duration = .seconds(60)) -> Mrp_Internal_V1_SchedulerRequest {
        .with {
            $0.job = .with {
                $0.requestID = id
                $0.proofType = .transaction
                $0.payload = Data(payload)
                let seconds = Date().timeIntervalSince1970 + Double(timeout.components.seconds)
                $0.deadlineUnixNanos = Int64(seconds * 1e9)
                $0.clientAddress = "127.0.0.1:5555"
            }
        }
    }

    static func control(_ token: String = "", _ command: Mrp_Internal_V1_ControlRequest.OneOf_Command) -> Mrp_Internal_V1_ControlRequest {
        .with {
            $0.command = command
            $0.token = token
        }
    }

    /// A front end on ephemeral ports over a scheduler with `workers`, running around `body`.
    static func withFrontEnd(
        workers: [WorkerAddress] = [], token: String? = nil, metricsEndpoint: String? = nil,
        _ body: @Sendable @escaping (SchedulerFrontEnd, (jobs: String, control: String)) async throws -> Void
    ) async throws {
        let context = try ZMQContext()
        defer { context.close() }
        let metrics = metricsEndpoint.map {
            SchedulerMetricsPublisher(context: context, endpoint: $0, source: "scheduler:test", kind: .transaction)
        }
        let scheduler = try Scheduler(
            configuration: SchedulerConfiguration(
                kind: .transaction, healthCheckInterval: .milliseconds(500), backoffBase: .milliseconds(100), backoffMax: .seconds(1)),
            workers: workers, connectionFactory: GRPCWorkerConnection.factory(probeTimeout: .seconds(2)),
            events: metrics?.events ?? .none, logger: Logger(label: "test-scheduler"))
        let frontEnd = SchedulerFrontEnd(
            scheduler: scheduler,
            configuration: SchedulerFrontEndConfiguration(
                jobEndpoint: "tcp://127.0.0.1:*", controlEndpoint: "tcp://127.0.0.1:*", controlToken: token,
                stateInterval: .milliseconds(200)),
            context: context, metrics: metrics, logger: Logger(label: "test-frontend"))
        let endpoints = try await frontEnd.start()
        #expect(!endpoints.jobs.hasSuffix("*"))
        #expect(frontEnd.endpoints?.control == endpoints.control)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await scheduler.run() }
                group.addTask { await frontEnd.run() }
                group.addTask {
                    try await Task.sleep(for: .seconds(90))
                    Issue.record("front-end test timed out")
                }
                group.addTask { try await body(frontEnd, endpoints) }
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        } catch {
            await frontEnd.stop()  // the sockets must close before the context does
            throw error
        }
        await frontEnd.stop()
    }

    /// Waits (bounded) until the status query says every worker is healthy.
    static func allHealthy(_ jobs: String) async throws -> Bool {
        let end = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < end {
            let reply = try await call(jobs, Mrp_Internal_V1_SchedulerRequest.with { $0.status = .init() }, as: Mrp_Internal_V1_SchedulerReply.self)
            if !reply.status.workers.isEmpty, reply.status.workers.allSatisfy({ $0.health == .healthy }) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// A real worker on a free loopback port around `body`.
    static func withRealWorker(_ body: @Sendable @escaping (WorkerAddress) async throws -> Void) async throws {
        let config = WorkerConfiguration(kind: .transaction, port: 0, localhost: true, threads: 2, options: options)
        let (server, _, _) = WorkerServer.make(config, logger: Logger(label: "test-worker"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try #require(try await server.listeningAddress?.ipv4).port
            try await body(WorkerAddress(host: "127.0.0.1", port: port))
            // Graceful, not a cancelled serve task (see SchedulerIntegrationTests).
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }

    @Test func provesJobsReportsStatusAndRefusesBadOnes() async throws {
        try await Self.withRealWorker { worker in
            try await Self.withFrontEnd(workers: [worker]) { _, endpoints in
                #expect(try await Self.allHealthy(endpoints.jobs))
                let status = try await Self.call(
                    endpoints.jobs, Mrp_Internal_V1_SchedulerRequest.with { $0.status = .init() }, as: Mrp_Internal_V1_SchedulerReply.self)
                #expect(status.status.proofType == .transaction)
                #expect(status.status.version == ServiceVersion.current)
                #expect(status.status.queueCapacity == 10)
                #expect(status.status.workers.first?.address == worker.description)
                #expect(status.status.workers.first?.version == ServiceVersion.current)
                #expect(status.status.workers.first?.proofType == .transaction)

                let witness = TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: 1, outputs: 1, seed: 4))
                // Two in flight at once from two DEALERs: one proof, one refusal, each to its own sender.
                async let good = Self.call(endpoints.jobs, Self.job("fe-1", payload: witness), as: Mrp_Internal_V1_SchedulerReply.self)
                async let bad = Self.call(endpoints.jobs, Self.job("fe-2", payload: [1, 2, 3]), as: Mrp_Internal_V1_SchedulerReply.self)
                let (proved, refused) = try await (good, bad)

                #expect(proved.result.requestID == "fe-1")
                #expect(proved.result.attempts == 1)
                #expect(proved.result.worker == worker.description)
                guard case .proof(let proof) = proved.result.outcome else {
                    Issue.record("expected a proof, got \(proved.result.outcome.map { "\($0)" } ?? "nothing")")
                    return
                }
                try ProvenTransactionCodec.decode([UInt8](proof)).verify()

                #expect(refused.result.requestID == "fe-2")
                #expect(refused.result.failure.code == Int32(RPCError.Code.invalidArgument.rawValue))
                #expect(!refused.result.failure.message.isEmpty)

                // A deadline already passed is refused at once.
                var late = Self.job("fe-3", payload: witness)
                late.job.deadlineUnixNanos = Int64((Date().timeIntervalSince1970 - 1) * 1e9)
                let expired = try await Self.call(endpoints.jobs, late, as: Mrp_Internal_V1_SchedulerReply.self, within: .seconds(5))
                #expect(expired.result.failure.code == Int32(RPCError.Code.deadlineExceeded.rawValue))
                #expect(expired.result.requestID == "fe-3")

                // Malformed bytes get INVALID_ARGUMENT and the endpoint keeps serving.
                let context = try ZMQContext()
                defer { context.close() }
                let raw = try ZMQSocket(context: context, type: .dealer)
                defer { raw.close() }
                try raw.connect(endpoints.jobs)
                try raw.send([[0xFF, 0xFF, 0xFF]])
                var malformed: Mrp_Internal_V1_SchedulerReply?
                for _ in 0..<500 where malformed == nil {
                    malformed = try raw.receive(Mrp_Internal_V1_SchedulerReply.self, timeout: .zero)
                    if malformed == nil { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(malformed?.result.failure.code == Int32(RPCError.Code.invalidArgument.rawValue))
                #expect(try await Self.allHealthy(endpoints.jobs))
            }
        }
    }

    @Test func controlChangesTheStatusAtOnceAndChecksTheToken() async throws {
        try await Self.withFrontEnd(token: "s3cret") { _, endpoints in
            let added = try await Self.call(
                endpoints.control, Self.control("s3cret", .addWorkers(.with { $0.addresses = ["127.0.0.1:1", "127.0.0.1:2"] })),
                as: Mrp_Internal_V1_ControlResponse.self)
            #expect(added.ok)
            #expect(added.status.workers.map(\.address) == ["127.0.0.1:1", "127.0.0.1:2"])

            let jobStatus = try await Self.call(
                endpoints.jobs, Mrp_Internal_V1_SchedulerRequest.with { $0.status = .init() }, as: Mrp_Internal_V1_SchedulerReply.self)
            #expect(jobStatus.status.workers.count == 2)

            let removed = try await Self.call(
                endpoints.control, Self.control("s3cret", .removeWorkers(.with { $0.addresses = ["127.0.0.1:1"] })),
                as: Mrp_Internal_V1_ControlResponse.self)
            #expect(removed.ok)
            #expect(removed.status.workers.map(\.address) == ["127.0.0.1:2"])

            let listed = try await Self.call(
                endpoints.control, Self.control("s3cret", .listWorkers(.init())), as: Mrp_Internal_V1_ControlResponse.self)
            #expect(listed.ok)
            #expect(listed.status.workers.map(\.address) == ["127.0.0.1:2"])

            let badAddress = try await Self.call(
                endpoints.control, Self.control("s3cret", .addWorkers(.with { $0.addresses = ["no-port"] })),
                as: Mrp_Internal_V1_ControlResponse.self)
            #expect(!badAddress.ok)
            #expect(badAddress.error.contains("no-port"))

            for token in ["", "wrong"] {
                let refused = try await Self.call(
                    endpoints.control, Self.control(token, .addWorkers(.with { $0.addresses = ["127.0.0.1:3"] })),
                    as: Mrp_Internal_V1_ControlResponse.self)
                #expect(!refused.ok)
                #expect(refused.error.contains("token"))
            }
            let after = try await Self.call(
                endpoints.control, Self.control("s3cret", .listWorkers(.init())), as: Mrp_Internal_V1_ControlResponse.self)
            #expect(after.status.workers.map(\.address) == ["127.0.0.1:2"])
        }
    }

    @Test func nonLoopbackPeersAreNotLoopback() {
        // The front end refuses any peer for which this is false (a non-loopback interface is not
        // available to bind in every test environment, so the predicate is what is checked here).
        #expect(ZMQPeerAddress("127.0.0.1").isLoopback)
        #expect(ZMQPeerAddress("::1").isLoopback)
        #expect(!ZMQPeerAddress("10.0.0.7").isLoopback)
        #expect(!ZMQPeerAddress("192.168.1.2").isLoopback)
    }

    @Test func publishesRequestFinishedOnTheMetricsSocket() async throws {
        let context = try ZMQContext()
        defer { context.close() }
        let sink = MetricsSink(context: context)
        let metricsEndpoint = try await sink.start()
        defer { sink.stop() }
        try await Self.withFrontEnd(metricsEndpoint: metricsEndpoint) { _, endpoints in
            // Give the PUB time to connect (PUB drops what it publishes before that).
            try await Task.sleep(for: .milliseconds(300))
            // No workers and a 1 s deadline: the job ends with DEADLINE_EXCEEDED.
            let reply = try await Self.call(endpoints.jobs, Self.job("m-1", payload: [1], timeout: .seconds(1)), as: Mrp_Internal_V1_SchedulerReply.self)
            #expect(reply.result.failure.code == Int32(RPCError.Code.deadlineExceeded.rawValue))
            let end = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < end, !sink.events.contains(where: { if case .requestFinished = $0.event { true } else { false } }) {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let received = sink.events
        let finished = received.compactMap { event -> Mrp_Internal_V1_RequestFinished? in
            if case .requestFinished(let finished) = event.event { return finished }
            return nil
        }
        #expect(finished.first?.grpcCode == Int32(RPCError.Code.deadlineExceeded.rawValue))
        #expect((finished.first?.latencySeconds ?? 0) > 0.5)
        #expect(received.contains { if case .queueState = $0.event { true } else { false } })
        #expect(received.contains { if case .workersState = $0.event { true } else { false } })
        #expect(!received.isEmpty && received.allSatisfy { $0.source.hasPrefix("scheduler:") && $0.proofType == .transaction })
    }
}

/// A metrics exporter double: a SUB bound on an ephemeral port, read on its own thread.
final class MetricsSink: Sendable {
    private let context: ZMQContext
    private let received = Mutex<[Mrp_Internal_V1_MetricEvent]>([])
    private let stopping = Mutex(false)
    private let finished = Mutex(false)

    init(context: ZMQContext) { self.context = context }

    var events: [Mrp_Internal_V1_MetricEvent] { received.withLock { $0 } }

    /// Binds and starts reading; returns the bound endpoint.
    func start() async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread { [self] in
                defer { finished.withLock { $0 = true } }
                let socket: ZMQSocket
                do {
                    socket = try ZMQSocket(context: context, type: .sub)
                    try socket.subscribe()
                    continuation.resume(returning: try socket.bind("tcp://127.0.0.1:*"))
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                defer { socket.close() }
                while !stopping.withLock({ $0 }) {
                    if let event = try? socket.receive(Mrp_Internal_V1_MetricEvent.self, timeout: .milliseconds(10)) {
                        received.withLock { $0.append(event) }
                    }
                }
            }.start()
        }
    }

    /// Stops reading and closes the socket (waits, bounded).
    func stop() {
        stopping.withLock { $0 = true }
        let end = ContinuousClock.now + .seconds(2)
        while !finished.withLock({ $0 }) && ContinuousClock.now < end { Thread.sleep(forTimeInterval: 0.005) }
    }
}
