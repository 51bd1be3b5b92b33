import Foundation
import GRPCCore
import Logging
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import Wire

/// gRPC-Web through the real path: an in-process proxy with its gRPC-Web listener, forwarding to
/// a scheduler and a worker started as processes.
@Suite(.serialized, .timeLimit(.minutes(5))) struct GRPCWebClusterTests {
    @Test func aRealWitnessIsProvedOverGRPCWebAndAnInvalidOneGetsInvalidArgument() async throws {
        let cluster = try LocalCluster(workers: 1)
        defer { cluster.shutdown() }
        try await cluster.waitForStatus("worker healthy") { $0.workers.count == 1 && $0.workers[0].status == .healthy }

        let context = try ZMQContext()
        let logger = Logger(label: "test-grpc-web-cluster")
        let config = ProxyConfiguration(port: 0, localhost: true, schedulers: ["tcp://127.0.0.1:\(cluster.schedulerPort)"],
                                        timeout: .seconds(120), maxRequestsPerSecond: 100)
        let pool = try SchedulerPool(endpoints: config.schedulers, context: context, logger: logger)
        defer { pool.close() }
        let web = GRPCWebConfiguration(host: "127.0.0.1", port: 0, maxRequestBodyBytes: config.maxPayloadBytes + (1 << 20))
        let (_, _, webServer) = ProxyServer.make(config, pool: pool, metrics: nil, logger: logger, grpcWeb: web)
        let server = try #require(webServer)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let port = try #require(try await server.transport.listeningAddress.port)
            let headers = [("content-type", "application/grpc-web+proto"), ("x-grpc-web", "1"), ("origin", "http://localhost:1")]
            func prove(_ payload: Data) async throws -> GRPCWebTestClient.Response {
                let request = RemoteProver_ProofRequest.with { $0.proofType = .transaction; $0.payload = payload }
                return try await GRPCWebTestClient.send(.http1, port: port, path: "/remote_prover.Api/Prove", headers: headers,
                                                        body: GRPCWebTestClient.framed(try request.serializedBytes()))
            }

            let response = try await prove(ClusterTests.witness(notes: 1))
            #expect(response.header("access-control-allow-origin") == "*")
            #expect(try response.grpcStatus().code == 0)
            let proof = try RemoteProver_Proof(serializedBytes: try #require(try response.messages().first))
            try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()

            // A witness cut short: the worker's decoder refuses it.
            let refused = try await prove(ClusterTests.witness(notes: 1).prefix(40))
            #expect(try refused.grpcStatus().code == 3)
            #expect(try refused.grpcStatus().message?.isEmpty == false)
            server.beginGracefulShutdown()
        }
    }
}
