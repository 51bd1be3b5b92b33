import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Synchronization
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import Wire

/// A scripted scheduler for proxy tests: a ROUTER socket on its own thread that records the jobs
/// it receives and answers them as told (or not at all), and answers status queries.
final class ScriptedScheduler: Sendable {
    enum Behaviour: Sendable {
        case prove(bytes: [UInt8])
        case fail(code: Int32, message: String)
        case silent
    }

    let endpoint: String
    private let received = Mutex<[Mrp_Internal_V1_Job]>([])
    private let stopped = Mutex(false)

    init(context: ZMQContext, behaviour: Behaviour) throws {
        let socket = try ZMQSocket(context: context, type: .router)
        try socket.setLinger(.zero)
        endpoint = try socket.bind("tcp://127.0.0.1:*")
        let box = ScriptedSocket(socket: socket)
        let thread = Thread { [self] in
            defer { box.socket.close() }
            while !stopped.withLock({ $0 }) {
                guard let envelope = try? box.socket.receiveEnvelope(timeout: .milliseconds(10)),
                      let request = try? envelope.decode(as: Mrp_Internal_V1_SchedulerRequest.self) else { continue }
                switch request.request {
                case .job(let job):
                    received.withLock { $0.append(job) }
                    let reply: Mrp_Internal_V1_SchedulerReply?
                    switch behaviour {
                    case .prove(let bytes):
                        reply = .with { $0.result = .with { r in r.requestID = job.requestID; r.proof = Data(bytes); r.attempts = 1; r.worker = "w1" } }
                    case .fail(let code, let message):
                        reply = .with { $0.result = .with { r in r.requestID = job.requestID; r.failure = .with { f in f.code = code; f.message = message } } }
                    case .silent:
                        reply = nil
                    }
                    if let reply { try? box.socket.reply(reply, to: envelope) }
                case .status:
                    let status = Mrp_Internal_V1_SchedulerReply.with {
                        $0.status = .with { s in
                            s.version = ServiceVersion.current
                            s.workers = [.with { w in w.address = "127.0.0.1:50051"; w.version = ServiceVersion.current; w.health = .healthy }]
                        }
                    }
                    try? box.socket.reply(status, to: envelope)
                case nil:
                    break
                }
            }
        }
        thread.start()
    }

    var jobs: [Mrp_Internal_V1_Job] { received.withLock { $0 } }
    func stop() { stopped.withLock { $0 = true } }
}

private struct ScriptedSocket: @unchecked Sendable { let socket: ZMQSocket }

@Suite(.serialized) struct ProxyTests {
    func withProxy(
        _ behaviour: ScriptedScheduler.Behaviour, configure: (inout ProxyConfiguration) -> Void = { _ in },
        _ body: (RemoteProver_Api.Client<HTTP2ClientTransport.Posix>, GRPCClient<HTTP2ClientTransport.Posix>, ScriptedScheduler) async throws -> Void
    ) async throws {
        let context = try ZMQContext()
        let scheduler = try ScriptedScheduler(context: context, behaviour: behaviour)
        var config = ProxyConfiguration(port: 0, localhost: true, schedulers: [scheduler.endpoint], timeout: .seconds(5), maxRequestsPerSecond: 100)
        configure(&config)
        let logger = Logger(label: "test-proxy")
        let pool = try SchedulerPool(endpoints: config.schedulers, context: context, logger: logger)
        let (servers, _, _) = ProxyServer.make(config, pool: pool, metrics: nil, logger: logger)
        let server = servers[0]
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let address = try #require(try await server.listeningAddress?.ipv4)
            try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: address.port), transportSecurity: .plaintext)) { client in
                try await body(RemoteProver_Api.Client(wrapping: client), client, scheduler)
            }
            server.beginGracefulShutdown()
        }
        pool.close()
        scheduler.stop()
    }

    static let request = RemoteProver_ProofRequest.with { $0.proofType = .transaction; $0.payload = Data([1, 2, 3]) }

    func rpcCode(_ body: () async throws -> Void) async -> RPCError? {
        do { try await body(); return nil } catch let error as RPCError { return error } catch { return RPCError(code: .unknown, message: "\(error)") }
    }

    @Test func forwardsJobsWithRequestIDAndDeadlineAndReturnsTheProof() async throws {
        try await withProxy(.prove(bytes: [9, 9])) { api, _, scheduler in
            var metadata = Metadata()
            metadata.addString("req-42", forKey: "x-request-id")
            metadata.addString("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", forKey: "traceparent")
            let proof = try await api.prove(Self.request, metadata: metadata)
            #expect(proof.payload == Data([9, 9]))
            let job = try #require(scheduler.jobs.first)
            #expect(job.requestID == "req-42")
            #expect(job.traceparent.hasPrefix("00-0af7651916cd43dd"))
            #expect(job.clientAddress.contains("127.0.0.1"))
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            #expect(job.deadlineUnixNanos > now && job.deadlineUnixNanos < now + 6_000_000_000)
            // Without an x-request-id the proxy makes one.
            _ = try await api.prove(Self.request)
            #expect(scheduler.jobs.count == 2 && !scheduler.jobs[1].requestID.isEmpty && scheduler.jobs[1].requestID != "req-42")
        }
    }

    @Test func wrongTypeOversizedAndRateLimitedRequestsNeverReachTheScheduler() async throws {
        try await withProxy(.prove(bytes: [1]), configure: { $0.maxPayloadBytes = 16; $0.maxRequestsPerSecond = 2 }) { api, _, scheduler in
            let wrong = await rpcCode { _ = try await api.prove(.with { $0.proofType = .block; $0.payload = Data([1]) }) }
            #expect(wrong?.code == .invalidArgument)
            let big = await rpcCode { _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data(count: 17) }) }
            #expect(big?.code == .resourceExhausted)
            #expect(big?.message.contains("limit is 16") == true)
            // The two requests above used the budget of 2 per second: the next is rate limited.
            let limited = await rpcCode { _ = try await api.prove(Self.request) }
            #expect(limited?.code == .resourceExhausted)
            #expect(limited?.message.contains("rate limit") == true)
            #expect(scheduler.jobs.isEmpty)
        }
    }

    @Test func schedulerErrorsReachTheClientWithTheirCode() async throws {
        try await withProxy(.fail(code: 8, message: "the queue is full")) { api, _, _ in
            let error = await rpcCode { _ = try await api.prove(Self.request) }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.message == "the queue is full")
        }
    }

    @Test func nothingWaitsPastTheDeadline() async throws {
        try await withProxy(.silent, configure: { $0.timeout = .milliseconds(300) }) { api, _, _ in
            let start = ContinuousClock.now
            let error = await rpcCode { _ = try await api.prove(Self.request) }
            #expect(error?.code == .deadlineExceeded)
            #expect(start.duration(to: .now) < .seconds(3))
        }
    }

    @Test func theClientsShorterGRPCTimeoutBoundsTheJobsDeadline() async throws {
        try await withProxy(.silent) { api, _, scheduler in
            var options = CallOptions.defaults
            options.timeout = .milliseconds(400)
            let start = ContinuousClock.now
            let error = await rpcCode { _ = try await api.prove(Self.request, options: options) }
            #expect(error?.code == .deadlineExceeded)
            #expect(start.duration(to: .now) < .seconds(3))
            let job = try #require(scheduler.jobs.first)
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            #expect(job.deadlineUnixNanos < now + 1_000_000_000, "the 5 s proxy timeout was shortened to the client's 400 ms")
        }
    }

    @Test func statusListsTheSchedulersWorkers() async throws {
        try await withProxy(.silent) { _, client, _ in
            let status = try await RemoteProver_ProxyStatusApi.Client(wrapping: client).status(Google_Protobuf_Empty())
            #expect(status.supportedProofType == .transaction)
            #expect(status.workers.map(\.name) == ["127.0.0.1:50051"])
            #expect(status.workers.first?.status == .healthy)
        }
    }
}
