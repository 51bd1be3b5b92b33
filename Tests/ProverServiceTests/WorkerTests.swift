import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Testing
import ProverService
import Rollup
import STARK
import SwiftProtobuf
import Wire

/// A real worker on a free loopback port, talked to through a real gRPC client.
@Suite(.serialized) struct WorkerTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    func withWorker(
        _ kind: ProofKind = .transaction,
        _ body: (RemoteProver_Api.Client<HTTP2ClientTransport.Posix>, GRPCClient<HTTP2ClientTransport.Posix>, WorkerProveService) async throws -> Void
    ) async throws {
        let config = WorkerConfiguration(kind: kind, port: 0, localhost: true, threads: 2, options: Self.options)
        let (server, _, prove) = WorkerServer.make(config, logger: Logger(label: "test-worker"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let address = try #require(try await server.listeningAddress?.ipv4)
            try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: address.port), transportSecurity: .plaintext)) { client in
                try await body(RemoteProver_Api.Client(wrapping: client), client, prove)
            }
            server.beginGracefulShutdown()
        }
    }

    static func witness(notes: Int = 1) -> [UInt8] {
        TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: notes, outputs: notes, seed: 4))
    }

    func code(_ body: () async throws -> Void) async -> RPCError.Code? {
        do { try await body(); return nil } catch let error as RPCError { return error.code } catch { return .unknown }
    }

    @Test func provesATransactionThatVerifies() async throws {
        try await withWorker { api, _, _ in
            let proof = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data(Self.witness()) })
            let proven = try ProvenTransactionCodec.decode([UInt8](proof.payload))
            try proven.verify()
        }
    }

    @Test func badRequestsGetInvalidArgumentAndTheWorkerKeepsServing() async throws {
        try await withWorker { api, _, _ in
            var error: RPCError?
            do { _ = try await api.prove(.with { $0.proofType = .batch; $0.payload = Data(Self.witness()) }) } catch let e as RPCError { error = e }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("transaction") == true)

            error = nil
            do { _ = try await api.prove(.with { $0.proofType = .UNRECOGNIZED(7); $0.payload = Data(Self.witness()) }) } catch let e as RPCError { error = e }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("unknown proof type 7") == true)

            error = nil
            do { _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data([1, 2, 3]) }) } catch let e as RPCError { error = e }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("transaction witness") == true)

            let invalid = TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: 2, outputs: 2, seed: 1, violating: .foreignNote))
            error = nil
            do { _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data(invalid) }) } catch let e as RPCError { error = e }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("not consumable") == true)

            // Still serving.
            _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data(Self.witness()) })
        }
    }

    @Test func aSecondConcurrentRequestIsRefusedAtOnceWhileStatusAnswers() async throws {
        try await withWorker { api, client, prove in
            let big = Self.witness(notes: 16)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data(big) })
                }
                while !prove.isBusy { try await Task.sleep(for: .milliseconds(5)) }
                let start = ContinuousClock.now
                let second = await code { _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data(big) }) }
                #expect(second == .resourceExhausted)
                #expect(ContinuousClock.now - start < .seconds(2))
                // Status and health answer while the proof runs.
                let status = try await RemoteProver_WorkerStatusApi.Client(wrapping: client).status(Google_Protobuf_Empty())
                #expect(status.supportedProofType == .transaction)
                #expect(status.version == ServiceVersion.current)
                let health = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.with { $0.service = "" })
                #expect(health.status == .serving)
                #expect(prove.isBusy)
                try await group.waitForAll()
            }
            #expect(!prove.isBusy)
        }
    }
}
