import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import Wire

/// The proxy → scheduler link with CURVE, on the real executables: an allow-listed proxy's proofs
/// go through; a proxy with an unknown key, or none, gets nothing from the scheduler; a job endpoint
/// on a non-loopback address without keys refuses to start.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CurveClusterTests {
    let keys = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-curve-cluster-\(UUID().uuidString)")

    func keyFiles(_ name: String) throws -> (key: String, pub: String) {
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        let base = keys.appendingPathComponent(name).path
        try ZMQCurveKeyFiles.write(try ZMQCurveKeyPair.generate(), base: base)
        return (base + ".key", base + ".pub")
    }

    func launchProxy(port: Int, schedulerPort: Int, _ extra: [String]) throws -> Process {
        try LocalCluster.launch("proxy", [
            "--proof-type", "transaction", "--port", "\(port)", "--localhost", "--scheduler", "tcp://127.0.0.1:\(schedulerPort)",
            "--max-req-per-sec", "0", "--timeout", "60s",
        ] + extra)
    }

    /// The proxy's answer to a status call, or the gRPC code it failed with.
    func status(_ port: Int, timeout: Duration = .seconds(3)) async -> RemoteProver_ProxyStatus? {
        try? await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)) {
            var options = CallOptions.defaults
            options.timeout = timeout
            return try await RemoteProver_ProxyStatusApi.Client(wrapping: $0).status(Google_Protobuf_Empty(), options: options)
        }
    }

    func prove(_ port: Int, _ payload: Data, timeout: Duration) async -> Result<RemoteProver_Proof, RPCError> {
        do {
            return .success(try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)) {
                var options = CallOptions.defaults
                options.timeout = timeout
                return try await RemoteProver_Api.Client(wrapping: $0).prove(.with { $0.proofType = .transaction; $0.payload = payload }, options: options)
            })
        } catch let error as RPCError { return .failure(error) } catch { return .failure(RPCError(code: .unknown, message: "\(error)")) }
    }

    @Test func onlyTheAllowListedProxyGetsThroughACurveScheduler() async throws {
        defer { try? FileManager.default.removeItem(at: keys) }
        let scheduler = try keyFiles("scheduler"), proxy = try keyFiles("proxy"), stranger = try keyFiles("stranger")
        let workerPort = LocalCluster.freePort(), jobPort = LocalCluster.freePort(), controlPort = LocalCluster.freePort()
        let trustedPort = LocalCluster.freePort(), strangerPort = LocalCluster.freePort(), plainPort = LocalCluster.freePort()
        let state = keys.appendingPathComponent("state.json").path
        var processes: [Process] = []
        defer { LocalCluster.stop(processes) }
        processes.append(try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(workerPort)", "--localhost", "--threads", "1"]))
        processes.append(try LocalCluster.launch("scheduler", [
            "--proof-type", "transaction", "--port", "\(jobPort)", "--control-port", "\(controlPort)", "--state-file", state,
            "--workers", "127.0.0.1:\(workerPort)", "--health-check-interval", "300ms",
            "--curve-secret-key-file", scheduler.key, "--curve-allowed-clients", proxy.pub,
        ]))
        processes.append(try launchProxy(port: trustedPort, schedulerPort: jobPort, ["--curve-secret-key-file", proxy.key, "--scheduler-public-key", scheduler.pub]))
        processes.append(try launchProxy(port: strangerPort, schedulerPort: jobPort, ["--curve-secret-key-file", stranger.key, "--scheduler-public-key", scheduler.pub]))
        processes.append(try launchProxy(port: plainPort, schedulerPort: jobPort, []))

        // The allow-listed proxy sees the scheduler and its healthy worker.
        var healthy = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !healthy && ContinuousClock.now < deadline {
            if let status = await status(trustedPort), status.workers.first?.status == .healthy { healthy = true } else {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        try #require(healthy, "the allow-listed proxy never saw a healthy worker")
        let proof = try await prove(trustedPort, ClusterTests.witness(notes: 1), timeout: .seconds(120)).get()
        try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()

        // The stranger and the plaintext proxy get no answer from the scheduler: their calls fail
        // (UNAVAILABLE at once when the refusal is seen, else at their deadline), and no job
        // reached the worker.
        for port in [strangerPort, plainPort] {
            let outcome = await prove(port, ClusterTests.witness(notes: 1), timeout: .seconds(2))
            guard case .failure(let error) = outcome else { Issue.record("proxy on \(port) got a proof through"); continue }
            #expect([.deadlineExceeded, .unavailable].contains(error.code), "proxy on \(port): \(error)")
            if let status = await status(port, timeout: .seconds(1)) {
                #expect(status.workers.isEmpty, "proxy on \(port) read the scheduler's workers")
            }
        }
    }

    @Test func aJobEndpointOffLoopbackWithoutKeysRefusesToStart() throws {
        let (status, output) = try ExecutableRun.run(
            "scheduler", ["--job-host", "0.0.0.0", "--port", "\(LocalCluster.freePort())", "--control-port", "\(LocalCluster.freePort())",
                          "--state-file", FileManager.default.temporaryDirectory.appendingPathComponent("mrp-\(UUID().uuidString).json").path],
            capturing: .standardError)
        #expect(status != 0)
        #expect(output.contains("refusing a plaintext job endpoint on 0.0.0.0"), "\(output)")
    }
}
