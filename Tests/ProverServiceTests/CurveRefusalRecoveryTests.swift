import Foundation
import GRPCCore
import Testing
import ProverService
import Rollup
import Wire

/// A proxy the scheduler refused gets in once its key is added to the scheduler's allow list and
/// the scheduler is sent SIGHUP — the same proxy process, no restart: its scheduler link connects
/// again after each refusal (1 s, doubling). While refused, calls fail UNAVAILABLE at once, naming
/// the refusal, and the proxy logs the refusal and the admission once each.
extension CurveClusterTests {
    @Test func aRefusedProxyGetsInOnceItsKeyIsAddedWithoutARestart() async throws {
        defer { try? FileManager.default.removeItem(at: keys) }
        let scheduler = try keyFiles("scheduler"), other = try keyFiles("other"), proxy = try keyFiles("proxy")
        let proxyKey = try publicKey(proxy.pub)
        let allowed = keys.appendingPathComponent("allowed-proxies").path
        try "\(try publicKey(other.pub))\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        let workerPort = LocalCluster.freePort(), jobPort = LocalCluster.freePort(), controlPort = LocalCluster.freePort()
        let proxyPort = LocalCluster.freePort()
        var launched: [DrainCluster.Launched] = []
        var worker: Process?
        defer {
            LocalCluster.stop(launched.map(\.process) + [worker].compactMap { $0 })
            for each in launched { try? FileManager.default.removeItem(at: each.log) }
        }
        worker = try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(workerPort)", "--localhost", "--threads", "1"])
        let schedulerProcess = try DrainCluster.launch("scheduler", port: jobPort, [
            "--proof-type", "transaction", "--port", "\(jobPort)", "--control-port", "\(controlPort)",
            "--state-file", keys.appendingPathComponent("state.json").path,
            "--workers", "127.0.0.1:\(workerPort)", "--health-check-interval", "300ms",
            "--curve-secret-key-file", scheduler.key, "--curve-allowed-clients", allowed,
        ])
        launched.append(schedulerProcess)
        let proxyProcess = try DrainCluster.launch("proxy", port: proxyPort, [
            "--proof-type", "transaction", "--port", "\(proxyPort)", "--localhost", "--scheduler", "tcp://127.0.0.1:\(jobPort)",
            "--max-req-per-sec", "0", "--timeout", "60s",
            "--curve-secret-key-file", proxy.key, "--scheduler-public-key", scheduler.pub,
        ])
        launched.append(proxyProcess)

        // Refused: a call fails UNAVAILABLE at once and says why.
        try await waitFor("the scheduler to refuse the proxy") { !logLines(schedulerProcess, containing: "proxy refused", proxyKey).isEmpty }
        try await waitFor("the proxy to log the refusal") { !logLines(proxyProcess, containing: "scheduler refused this proxy").isEmpty }
        let refusedCall = ContinuousClock.now
        let refused = await prove(proxyPort, ClusterTests.witness(notes: 1), timeout: .seconds(30))
        guard case .failure(let error) = refused else {
            Issue.record("a refused proxy got a proof through")
            return
        }
        #expect(error.code == .unavailable, "\(error)")
        #expect(error.message.contains("refused this proxy's CURVE key"), "\(error)")
        #expect(refusedCall.duration(to: .now) < .seconds(5), "the refused call waited instead of failing at once")

        // The key is added and the scheduler reloads its list: the same proxy gets in.
        try "\(try publicKey(other.pub))\n\(proxyKey)\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        kill(schedulerProcess.process.processIdentifier, SIGHUP)
        try await waitFor("the reload to be logged") { !logLines(schedulerProcess, containing: "allow list reloaded", "added=1").isEmpty }
        let reloaded = ContinuousClock.now
        try await waitFor("the same proxy to see a healthy worker", within: .seconds(45)) {
            await status(proxyPort, timeout: .seconds(1))?.workers.first?.status == .healthy
        }
        let admittedAfter = reloaded.duration(to: .now)
        let proof = try await prove(proxyPort, ClusterTests.witness(notes: 1), timeout: .seconds(120)).get()
        try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
        print("refused proxy admitted \(admittedAfter) after the reload")
        #expect(proxyProcess.process.isRunning)
        #expect(logLines(schedulerProcess, containing: "proxy admitted", proxyKey).count == 1)
        // Logged once per change, although the link was refused at every attempt before the reload.
        #expect(logLines(proxyProcess, containing: "scheduler refused this proxy").count == 1)
        #expect(logLines(proxyProcess, containing: "scheduler admitted this proxy after refusing it").count == 1)
    }
}
