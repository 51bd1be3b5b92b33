import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import Wire

/// The proxy's gRPC-Web listener against a scripted scheduler, spoken to in raw HTTP/1.1 and h2c.
@Suite(.serialized, .timeLimit(.minutes(2))) struct GRPCWebTests {
    typealias Client = GRPCWebTestClient

    /// Ports of a running proxy: its gRPC port and its gRPC-Web port.
    struct Ports { let grpc: Int; let web: Int }

    func withWebProxy(
        _ behaviour: ScriptedScheduler.Behaviour, configure: (inout ProxyConfiguration) -> Void = { _ in },
        origins: [String] = ["*"], maxBodyBytes: Int? = nil,
        _ body: (Ports, ScriptedScheduler) async throws -> Void
    ) async throws {
        let context = try ZMQContext()
        let scheduler = try ScriptedScheduler(context: context, behaviour: behaviour)
        var config = ProxyConfiguration(port: 0, localhost: true, schedulers: [scheduler.endpoint], timeout: .seconds(5), maxRequestsPerSecond: 100)
        configure(&config)
        let logger = Logger(label: "test-grpc-web")
        let pool = try SchedulerPool(endpoints: config.schedulers, context: context, logger: logger)
        let web = GRPCWebConfiguration(host: "127.0.0.1", port: 0, allowedOrigins: origins,
                                       maxRequestBodyBytes: maxBodyBytes ?? config.maxPayloadBytes + (1 << 20))
        let (servers, _, webServer) = ProxyServer.make(config, pool: pool, metrics: nil, logger: logger, grpcWeb: web)
        let grpc = servers[0]
        let webServerValue = try #require(webServer)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await grpc.serve() }
            group.addTask { try await webServerValue.serve() }
            let grpcPort = try #require(try await grpc.listeningAddress?.ipv4?.port)
            let webPort = try #require(try await webServerValue.transport.listeningAddress.port)
            try await body(Ports(grpc: grpcPort, web: webPort), scheduler)
            grpc.beginGracefulShutdown()
            webServerValue.beginGracefulShutdown()
        }
        pool.close()
        scheduler.stop()
    }

    static let proveRequest = RemoteProver_ProofRequest.with { $0.proofType = .transaction; $0.payload = Data([1, 2, 3]) }
    static let binary = [("content-type", "application/grpc-web+proto"), ("x-grpc-web", "1")]

    static func proveBody(_ request: RemoteProver_ProofRequest = proveRequest) throws -> [UInt8] {
        Client.framed(try request.serializedBytes())
    }

    @Test(arguments: [Client.Version.http1, .http2])
    func statusAnswersWithTheProxysStatusAndAnOKTrailer(version: Client.Version) async throws {
        try await withWebProxy(.silent) { ports, _ in
            let response = try await Client.send(version, port: ports.web, path: "/remote_prover.ProxyStatusApi/Status",
                                                 headers: Self.binary, body: Client.framed([]))
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/grpc-web+proto")
            let status = try RemoteProver_ProxyStatus(serializedBytes: try #require(try response.messages().first))
            #expect(status.version == ServiceVersion.current)
            #expect(status.supportedProofType == .transaction)
            #expect(status.workers.map(\.name) == ["127.0.0.1:50051"])
            #expect(try response.grpcStatus().code == 0)
            // The trailers frame comes last.
            #expect(try response.frames().last?.flag == 0x80)
        }
    }

    @Test(arguments: [Client.Version.http1, .http2])
    func proveForwardsTheJobWithItsMetadataAndReturnsTheProof(version: Client.Version) async throws {
        try await withWebProxy(.prove(bytes: [9, 9])) { ports, scheduler in
            let response = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary + [
                ("x-request-id", "web-7"), ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("grpc-timeout", "2S"),
            ], body: try Self.proveBody())
            #expect(try response.grpcStatus().code == 0)
            let proof = try RemoteProver_Proof(serializedBytes: try #require(try response.messages().first))
            #expect(proof.payload == Data([9, 9]))
            let job = try #require(scheduler.jobs.first)
            #expect(job.requestID == "web-7")
            #expect(job.traceparent.hasPrefix("00-0af7651916cd43dd"))
            #expect(job.clientAddress.hasPrefix("ipv4:127.0.0.1:"))
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            #expect(job.deadlineUnixNanos < now + 2_500_000_000, "grpc-timeout 2S shortens the proxy's 5 s timeout")
        }
    }

    @Test func textModeDecodesBase64RequestsAndAnswersInBase64() async throws {
        try await withWebProxy(.prove(bytes: [4, 5, 6])) { ports, _ in
            // Two separately padded base64 chunks, as streaming text clients send.
            let body = try Self.proveBody()
            let text = Data(body.prefix(4)).base64EncodedString() + Data(body.dropFirst(4)).base64EncodedString()
            let response = try await Client.send(.http1, port: ports.web, path: "/remote_prover.Api/Prove",
                                                 headers: [("content-type", "application/grpc-web-text")], body: Array(text.utf8))
            #expect(response.header("content-type") == "application/grpc-web-text+proto")
            #expect(try response.grpcStatus().code == 0)
            #expect(try RemoteProver_Proof(serializedBytes: try #require(try response.messages().first)).payload == Data([4, 5, 6]))
        }
    }

    @Test(arguments: [Client.Version.http1, .http2])
    func proxyChecksAnswerWithTheirGRPCStatusAndNothingIsQueued(version: Client.Version) async throws {
        try await withWebProxy(.prove(bytes: [1]), configure: { $0.maxPayloadBytes = 16 }) { ports, scheduler in
            let wrongType = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary,
                                                  body: try Self.proveBody(.with { $0.proofType = .block; $0.payload = Data([1]) }))
            #expect(wrongType.status == 200)
            #expect(try wrongType.grpcStatus().code == 3)
            #expect(try wrongType.grpcStatus().message?.contains("serves transaction proofs") == true)
            let oversized = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary,
                                                  body: try Self.proveBody(.with { $0.proofType = .transaction; $0.payload = Data(count: 17) }))
            #expect(try oversized.grpcStatus().code == 8)
            #expect(try oversized.grpcStatus().message == "payload is 17 bytes; the limit is 16")
            let unknown = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Nope", headers: Self.binary, body: Client.framed([]))
            #expect(try unknown.grpcStatus().code == 12)
            #expect(scheduler.jobs.isEmpty)
        }
    }

    @Test(arguments: [Client.Version.http1, .http2])
    func aBodyOverTheListenersLimitIsRefusedAndTheServerKeepsServing(version: Client.Version) async throws {
        try await withWebProxy(.prove(bytes: [1]), maxBodyBytes: 1024) { ports, scheduler in
            let big = Client.framed([UInt8](repeating: 7, count: 64 * 1024))
            let response = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary, body: big)
            #expect(try response.grpcStatus().code == 8)
            #expect(try response.grpcStatus().message?.contains("limit of 1024 bytes") == true)
            #expect(scheduler.jobs.isEmpty)
            let status = try await Client.send(version, port: ports.web, path: "/remote_prover.ProxyStatusApi/Status", headers: Self.binary, body: Client.framed([]))
            #expect(try status.grpcStatus().code == 0)
        }
    }

    @Test(arguments: [Client.Version.http1, .http2])
    func malformedRequestsGetClearErrorsAndTheServerKeepsServing(version: Client.Version) async throws {
        try await withWebProxy(.prove(bytes: [1])) { ports, scheduler in
            let wrongType = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove",
                                                  headers: [("content-type", "application/json")], body: Array("{}".utf8))
            #expect(wrongType.status == 415)
            #expect(String(decoding: wrongType.body, as: UTF8.self).contains("application/grpc-web+proto"))
            let truncated = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary,
                                                  body: Array(try Self.proveBody().dropLast(2)))
            #expect(try truncated.grpcStatus().code == 13)
            #expect(try truncated.grpcStatus().message?.contains("truncated gRPC-Web frame") == true)
            let notProtobuf = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary,
                                                    body: Client.framed([0xff, 0xff, 0xff]))
            #expect(try notProtobuf.grpcStatus().code != 0)
            let get = try await Client.send(version, port: ports.web, method: "GET", path: "/remote_prover.Api/Prove")
            #expect(get.status == 405)
            #expect(scheduler.jobs.isEmpty)
            let status = try await Client.send(version, port: ports.web, path: "/remote_prover.ProxyStatusApi/Status", headers: Self.binary, body: Client.framed([]))
            #expect(try status.grpcStatus().code == 0)
        }
    }

    @Test func aRequestWithATruncatedHTTP1BodyDoesNotStopTheServer() async throws {
        try await withWebProxy(.prove(bytes: [1])) { ports, _ in
            // Announces 100 bytes, sends 10, then closes: the server must drop the request quietly.
            let head = "POST /remote_prover.Api/Prove HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc-web+proto\r\nContent-Length: 100\r\n\r\n"
            let partial = Array(head.utf8) + [UInt8](repeating: 0, count: 10)
            try await Client.sendAndClose(port: ports.web, bytes: partial)
            let status = try await Client.send(.http1, port: ports.web, path: "/remote_prover.ProxyStatusApi/Status", headers: Self.binary, body: Client.framed([]))
            #expect(try status.grpcStatus().code == 0)
        }
    }

    @Test(arguments: [Client.Version.http1, .http2])
    func corsPreflightIsAnsweredByTheProxyAndNothingIsQueued(version: Client.Version) async throws {
        try await withWebProxy(.prove(bytes: [3]), origins: ["https://wallet.example"]) { ports, scheduler in
            let preflight = try await Client.send(version, port: ports.web, method: "OPTIONS", path: "/remote_prover.Api/Prove", headers: [
                ("origin", "https://wallet.example"), ("access-control-request-method", "POST"),
                ("access-control-request-headers", "content-type,x-grpc-web,grpc-timeout"),
            ])
            #expect(preflight.status == 204)
            #expect(preflight.header("access-control-allow-origin") == "https://wallet.example")
            #expect(preflight.header("access-control-allow-methods")?.contains("POST") == true)
            let allowed = Set((preflight.header("access-control-allow-headers") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(allowed.isSuperset(of: ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "traceparent"]))
            #expect(preflight.header("access-control-max-age") == "7200")
            #expect(preflight.header("vary") == "Origin")
            #expect(scheduler.jobs.isEmpty)

            let refused = try await Client.send(version, port: ports.web, method: "OPTIONS", path: "/remote_prover.Api/Prove",
                                                headers: [("origin", "https://evil.example"), ("access-control-request-method", "POST")])
            #expect(refused.status == 403)
            #expect(refused.header("access-control-allow-origin") == nil)
            let refusedCall = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove",
                                                    headers: Self.binary + [("origin", "https://evil.example")], body: try Self.proveBody())
            #expect(refusedCall.status == 403)
            #expect(scheduler.jobs.isEmpty)

            let call = try await Client.send(version, port: ports.web, path: "/remote_prover.Api/Prove",
                                             headers: Self.binary + [("origin", "https://wallet.example")], body: try Self.proveBody())
            #expect(call.header("access-control-allow-origin") == "https://wallet.example")
            #expect(call.header("access-control-expose-headers")?.contains("grpc-status") == true)
            #expect(try call.grpcStatus().code == 0)
            #expect(scheduler.jobs.count == 1)
        }
    }

    @Test func anyOriginIsAllowedByDefaultWithAStar() async throws {
        try await withWebProxy(.silent) { ports, _ in
            let preflight = try await Client.send(.http1, port: ports.web, method: "OPTIONS", path: "/remote_prover.ProxyStatusApi/Status",
                                                  headers: [("origin", "http://localhost:9999"), ("access-control-request-method", "POST")])
            #expect(preflight.status == 204)
            #expect(preflight.header("access-control-allow-origin") == "*")
        }
    }

    @Test func gRPCAndGRPCWebShareOneRateLimiter() async throws {
        try await withWebProxy(.prove(bytes: [1]), configure: { $0.maxRequestsPerSecond = 1 }) { ports, _ in
            try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: ports.grpc), transportSecurity: .plaintext)) { client in
                _ = try await RemoteProver_Api.Client(wrapping: client).prove(Self.proveRequest)
            }
            let limited = try await Client.send(.http1, port: ports.web, path: "/remote_prover.Api/Prove", headers: Self.binary, body: try Self.proveBody())
            #expect(try limited.grpcStatus().code == 8)
            #expect(try limited.grpcStatus().message?.contains("rate limit") == true)
        }
    }

    @Test func aClientTimeoutEndsTheCallWithDeadlineExceeded() async throws {
        try await withWebProxy(.silent) { ports, _ in
            let start = ContinuousClock.now
            let response = try await Client.send(.http2, port: ports.web, path: "/remote_prover.Api/Prove",
                                                 headers: Self.binary + [("grpc-timeout", "300m")], body: try Self.proveBody())
            #expect(try response.grpcStatus().code == 4)
            #expect(start.duration(to: .now) < .seconds(3))
        }
    }
}
