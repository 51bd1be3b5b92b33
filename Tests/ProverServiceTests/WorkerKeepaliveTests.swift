import Foundation
import GRPCCore
import Testing
import ProverService
import Rollup

/// HTTP/2 keepalive on the scheduler's connection to a worker: when the link goes dark (packets
/// dropped, nothing closed) a call in flight fails UNAVAILABLE within about keepalive time + timeout,
/// even after health probes have come and gone on the connection.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WorkerKeepaliveTests {
    @Test func aCallOverALinkThatGoesDarkFailsWithinTheKeepaliveTimes() async throws {
        let workerPort = LocalCluster.freePort()
        let worker = try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(workerPort)", "--localhost", "--threads", "1"])
        defer { LocalCluster.stop([worker]) }
        let relay = try TCPRelay(to: workerPort)
        defer { relay.stop() }
        let keepalive = WorkerKeepalive(time: .seconds(2), timeout: .seconds(1))
        let connection = try GRPCWorkerConnection(
            address: WorkerAddress(host: "127.0.0.1", port: relay.port), probeTimeout: .seconds(2), keepalive: keepalive)
        defer { Task { await connection.close() } }

        // Health probes open and close streams on the connection (the last one closing used to
        // switch keepalive off), and leave it idle for longer than a keepalive period.
        var healthy = false
        for _ in 0..<100 where !healthy {
            if case .serving = await connection.probe() { healthy = true } else { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(healthy, "the worker never answered through the relay")
        try await Task.sleep(for: .seconds(3))
        guard case .serving = await connection.probe() else { Issue.record("the idle connection stopped answering"); return }

        relay.cut()
        let start = ContinuousClock.now
        let deadline = start + .seconds(20)
        var code: RPCError.Code?
        do {
            _ = try await connection.prove(kind: .transaction, payload: [UInt8](ClusterTests.witness(notes: 1)), requestID: "keepalive", deadline: deadline)
        } catch let error as RPCError {
            code = error.code
        }
        let elapsed = ContinuousClock.now - start
        #expect(code == .unavailable, "the call ended with \(String(describing: code)) after \(elapsed)")
        #expect(elapsed < keepalive.time + keepalive.timeout + .seconds(3), "the call took \(elapsed) to fail")
    }

    /// The worker's server takes the scheduler's pings during a long proof: with gRPC's default
    /// policy (one ping per 5 minutes) it would close the connection, and the call, after three.
    @Test func aProofLongerThanSeveralPingsIsNotCutByTheWorker() async throws {
        let workerPort = LocalCluster.freePort()
        let worker = try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(workerPort)", "--localhost", "--threads", "1"])
        defer { LocalCluster.stop([worker]) }
        let keepalive = WorkerKeepalive(time: .milliseconds(1100), timeout: .seconds(5))
        let connection = try GRPCWorkerConnection(address: WorkerAddress(host: "127.0.0.1", port: workerPort), keepalive: keepalive)
        defer { Task { await connection.close() } }
        var healthy = false
        for _ in 0..<100 where !healthy {
            if case .serving = await connection.probe() { healthy = true } else { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(healthy, "the worker never answered")
        let start = ContinuousClock.now
        let proof = try await connection.prove(
            kind: .transaction, payload: [UInt8](ClusterTests.witness(notes: 16)), requestID: "pings", deadline: start + .seconds(100))
        let elapsed = ContinuousClock.now - start
        try ProvenTransactionCodec.decode(proof).verify()
        // Four pings at least went out during the call (three strikes would have closed it).
        #expect(elapsed > keepalive.time * 4, "the proof took only \(elapsed): too short to show anything")
    }
}

