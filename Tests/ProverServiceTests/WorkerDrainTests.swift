import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Testing
import ProverService
import Rollup
import Synchronization
import STARK
import SwiftProtobuf
import Wire

/// A real in-process worker drained by `WorkerShutdown`, and proofs stopped by their call's deadline.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WorkerDrainTests {
    typealias Server = GRPCServer<HTTP2ServerTransport.Posix>

    func withWorker(
        _ body: (Server, HealthService, WorkerProveService, GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void
    ) async throws {
        let config = WorkerConfiguration(kind: .transaction, port: 0, localhost: true, threads: 2, options: WorkerTests.options)
        let (server, health, prove) = WorkerServer.make(config, logger: Logger(label: "drain-test-worker"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let address = try #require(try await server.listeningAddress?.ipv4)
            try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: address.port), transportSecurity: .plaintext)) { client in
                try await body(server, health, prove, client)
            }
            server.beginGracefulShutdown()
        }
    }

    static func request(notes: Int) -> RemoteProver_ProofRequest {
        .with { $0.proofType = .transaction; $0.payload = Data(WorkerTests.witness(notes: notes)) }
    }

    static func error(_ body: () async throws -> Void) async -> RPCError? {
        do { try await body(); return nil } catch let error as RPCError { return error } catch { return RPCError(code: .unknown, message: "\(error)") }
    }

    func waitUntil(_ what: String, within limit: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let end = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < end else { throw RPCError(code: .deadlineExceeded, message: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func aDrainingWorkerIsNotServingRefusesNewProofsAndFinishesTheOneInHand() async throws {
        try await withWorker { server, health, prove, client in
            let api = RemoteProver_Api.Client(wrapping: client)
            let inHand = Task { try await api.prove(Self.request(notes: 1)) }
            try await waitUntil("the proof to start") { prove.drain.hasProofInHand }
            let settings = DrainSettings(gracePeriod: .seconds(120), shutdownTimeout: .seconds(5))
            let shutdown = Task {
                await WorkerShutdown.perform(server: server, health: health, drain: prove.drain, settings: settings, logger: Logger(label: "drain"))
            }
            try await waitUntil("the drain to begin") { prove.drain.isDraining }

            let status = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.with { $0.service = "" })
            #expect(status.status == .notServing)
            let refusal = await Self.error { _ = try await api.prove(Self.request(notes: 1)) }
            #expect(refusal?.code == .unavailable)
            #expect(refusal?.message.contains("shutting down") == true)
            #expect(refusal.map { Array($0.metadata[stringValues: WorkerDrain.refusalMetadataKey]) } == ["draining"])
            #expect(prove.isBusy, "the proof in hand runs on")

            let proof = try await inHand.value
            try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
            await shutdown.value
            #expect(!prove.isBusy)
        }
    }

    @Test func aProofStillRunningWhenTheGracePeriodEndsIsCancelledAndHandedBack() async throws {
        try await withWorker { server, health, prove, client in
            // A notes-16 proof takes about a minute in a debug build; without cancellation the call would succeed.
            let api = RemoteProver_Api.Client(wrapping: client)
            let clock = ContinuousClock()
            let inHand = Task { await Self.error { _ = try await api.prove(Self.request(notes: 16)) } }
            try await waitUntil("the proof to start") { prove.drain.hasProofInHand }
            let settings = DrainSettings(gracePeriod: .milliseconds(200), shutdownTimeout: .seconds(30))
            let took = await clock.measure {
                await WorkerShutdown.perform(server: server, health: health, drain: prove.drain, settings: settings, logger: Logger(label: "drain"))
            }
            let handedBack = await inHand.value
            #expect(handedBack?.code == .unavailable)
            #expect(handedBack?.message.contains("grace period") == true, "\(handedBack?.message ?? "")")
            #expect(handedBack.map { Array($0.metadata[stringValues: WorkerDrain.refusalMetadataKey]) } == ["cancelled"])
            #expect(!prove.isBusy)
            #expect(took < .seconds(5), "the drain took \(took)")
            print("grace-period cancel: drain with a 200 ms grace period took \(took)")
        }
    }

    @Test func aDeadlineThatPassesMidProofStopsTheProofAndFreesTheWorker() async throws {
        try await withWorker { _, _, prove, client in
            // A notes-16 proof takes about a minute in a debug build: without cancellation the worker
            // would stay busy that long and refuse the next call as RESOURCE_EXHAUSTED.
            let api = RemoteProver_Api.Client(wrapping: client)
            let clock = ContinuousClock()
            let options: CallOptions = {
                var options = CallOptions.defaults
                options.timeout = .seconds(2)
                return options
            }()
            for round in 0..<2 {
                let start = clock.now
                let call = Task { await Self.error { _ = try await api.prove(Self.request(notes: 16), options: options) } }
                try await waitUntil("the proof to start", within: .seconds(2)) { prove.isBusy }
                let late = await call.value
                #expect(late?.code == .deadlineExceeded, "round \(round): \(String(describing: late))")
                try await waitUntil("the worker to be free", within: .seconds(15)) { !prove.isBusy }
                print("deadline 2 s, round \(round): worker free \(start.duration(to: clock.now)) after the call began")
            }
            // The next request is taken (not refused as busy) and proves.
            let proof = try await api.prove(Self.request(notes: 1))
            try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
        }
    }
}

/// A worker that is draining: refuses every proof as `WorkerProveService` does then.
final class DrainingWorkerDouble: WorkerConnection {
    let calls = Mutex(0)
    func prove(kind: ProofKind, payload: [UInt8], requestID: String, deadline: ContinuousClock.Instant) async throws -> [UInt8] {
        calls.withLock { $0 += 1 }
        var metadata = Metadata()
        metadata.addString("draining", forKey: WorkerDrain.refusalMetadataKey)
        throw RPCError(code: .unavailable, message: "worker is shutting down", metadata: metadata)
    }
    func probe() async -> WorkerProbe { .serving(version: ServiceVersion.current, kind: .transaction) }
}

@Suite struct DrainSettingsAndRetryTests {
    @Test func aDrainingWorkersRefusalIsNotCountedAsARetry() async throws {
        let draining = DrainingWorkerDouble()
        let good = ScriptedWorkerDouble("w2:1")
        let factory: WorkerConnectionFactory = { address in address.description == "w1:1" ? draining : good }
        // No retries allowed: the refusal must still be placed on the other worker.
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(maxRetries: 0), workers: SchedulerTests.addresses("w1:1", "w2:1"), connectionFactory: factory)
        try await SchedulerTests.running(scheduler) {
            #expect(await SchedulerTests.allHealthy(scheduler))
            let outcome = await scheduler.submit(SchedulerTests.job())
            #expect(outcome.proof == [3, 2, 1] + Array("w2:1".utf8))
            #expect(draining.calls.withLock { $0 } == 1)
            #expect(outcome.attempts == 2)
        }
    }

    @Test func settingsComeFromFlagsThenEnvironmentThenDefaults() throws {
        let none: (String) -> String? = { _ in nil }
        #expect(try DrainSettings.resolve(gracePeriod: nil, shutdownTimeout: nil, variables: DrainVariables(), environment: none) == .defaults)
        #expect(DrainSettings.defaults == DrainSettings(gracePeriod: .seconds(20), shutdownTimeout: .seconds(5)))
        let env: (String) -> String? = { ["MRP_GRACE_PERIOD": "1m", "MRP_GRACEFUL_SHUTDOWN_TIMEOUT": "250ms"][$0] }
        #expect(try DrainSettings.resolve(gracePeriod: nil, shutdownTimeout: nil, variables: DrainVariables(), environment: env)
                == DrainSettings(gracePeriod: .seconds(60), shutdownTimeout: .milliseconds(250)))
        #expect(try DrainSettings.resolve(gracePeriod: "500ms", shutdownTimeout: "2s", variables: DrainVariables(), environment: env)
                == DrainSettings(gracePeriod: .milliseconds(500), shutdownTimeout: .seconds(2)))
        do {
            _ = try DrainSettings.resolve(gracePeriod: "soon", shutdownTimeout: nil, variables: DrainVariables(), environment: none)
            Issue.record("a malformed flag was accepted")
        } catch {
            #expect(error.setting == "--grace-period" && error.text == "soon")
            #expect(error.description.contains("--grace-period: 'soon' is not a duration"))
        }
        let bad: (String) -> String? = { $0 == "MRP_GRACEFUL_SHUTDOWN_TIMEOUT" ? "-3s" : nil }
        do {
            _ = try DrainSettings.resolve(gracePeriod: nil, shutdownTimeout: nil, variables: DrainVariables(), environment: bad)
            Issue.record("a negative timeout was accepted")
        } catch {
            #expect(error.setting == "MRP_GRACEFUL_SHUTDOWN_TIMEOUT" && error.text == "-3s")
        }
    }
}
