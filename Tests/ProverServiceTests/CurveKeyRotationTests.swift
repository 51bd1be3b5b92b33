import Foundation
import Logging
import Testing
import ProverService
import Wire

/// Key rotation without a scheduler restart: the scheduler re-reads its `--curve-allowed-clients`
/// file on SIGHUP; a proxy whose key was added gets in, a removed key is refused for new
/// connections, and a malformed file leaves the list in force.
extension CurveClusterTests {
    /// Lines of `launched`'s log that contain every one of `parts`.
    func logLines(_ launched: DrainCluster.Launched, containing parts: String...) -> [Substring] {
        DrainCluster.logText(launched).split(separator: "\n").filter { line in parts.allSatisfy { line.contains($0) } }
    }

    func waitFor(_ what: String, within timeout: Duration = .seconds(30), _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    func publicKey(_ pubFile: String) throws -> String {
        try ZMQCurveKeyFiles.readPublicKeys(pubFile).first!
    }

    @Test func sighupReloadsTheSchedulersAllowList() async throws {
        defer { try? FileManager.default.removeItem(at: keys) }
        let scheduler = try keyFiles("scheduler"), first = try keyFiles("first"), second = try keyFiles("second")
        let firstKey = try publicKey(first.pub), secondKey = try publicKey(second.pub)
        let allowed = keys.appendingPathComponent("allowed-proxies").path
        try "# proxies\n\(firstKey)\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        let workerPort = LocalCluster.freePort(), jobPort = LocalCluster.freePort(), controlPort = LocalCluster.freePort()
        let firstPort = LocalCluster.freePort(), secondPort = LocalCluster.freePort(), laterPort = LocalCluster.freePort()
        var processes: [Process] = []
        var schedulerProcess: DrainCluster.Launched?
        defer {
            LocalCluster.stop(processes + [schedulerProcess?.process].compactMap { $0 })
            if let log = schedulerProcess?.log { try? FileManager.default.removeItem(at: log) }
        }
        processes.append(try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(workerPort)", "--localhost", "--threads", "1"]))
        let launched = try DrainCluster.launch("scheduler", port: jobPort, [
            "--proof-type", "transaction", "--port", "\(jobPort)", "--control-port", "\(controlPort)",
            "--state-file", keys.appendingPathComponent("state.json").path,
            "--workers", "127.0.0.1:\(workerPort)", "--health-check-interval", "300ms",
            "--curve-secret-key-file", scheduler.key, "--curve-allowed-clients", allowed,
        ])
        schedulerProcess = launched
        let curve = { (key: String) in ["--curve-secret-key-file", key, "--scheduler-public-key", scheduler.pub] }
        processes.append(try launchProxy(port: firstPort, schedulerPort: jobPort, curve(first.key)))
        processes.append(try launchProxy(port: secondPort, schedulerPort: jobPort, curve(second.key)))

        // Before: the first proxy is admitted, the second refused (and named in the scheduler's log).
        try await waitFor("the first proxy to see a healthy worker", within: .seconds(60)) {
            await status(firstPort)?.workers.first?.status == .healthy
        }
        try await waitFor("the second proxy to be refused") { !logLines(launched, containing: "proxy refused", secondKey).isEmpty }
        #expect(await status(secondPort, timeout: .seconds(1))?.workers.isEmpty ?? true)

        // Rotate: the file now lists only the second proxy.
        try "\(secondKey)\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        kill(launched.process.processIdentifier, SIGHUP)
        try await waitFor("the reload to be logged") {
            !logLines(launched, containing: "allow list reloaded", "added=1", "removed=1", " keys=1").isEmpty
        }
        #expect(launched.process.isRunning, "SIGHUP ended the scheduler")

        // The second key gets in without a scheduler restart, and without a proxy restart: the
        // refused proxy's link connects again on its own (CurveRefusalRecoveryTests).
        try await waitFor("the second key's proxy to see a healthy worker", within: .seconds(45)) {
            await status(secondPort, timeout: .seconds(1))?.workers.first?.status == .healthy
        }
        #expect(logLines(launched, containing: "proxy admitted", secondKey).count == 1)
        // A new connection with the removed key is refused.
        let refusedBefore = logLines(launched, containing: "proxy refused", firstKey).count
        processes.append(try launchProxy(port: laterPort, schedulerPort: jobPort, curve(first.key)))
        try await waitFor("a new proxy with the removed key to be refused") {
            logLines(launched, containing: "proxy refused", firstKey).count > refusedBefore
        }
        #expect(await status(laterPort, timeout: .seconds(1))?.workers.isEmpty ?? true)

        // A malformed file is reported and changes nothing.
        try "not a key\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        kill(launched.process.processIdentifier, SIGHUP)
        try await waitFor("the failed reload to be logged") { !logLines(launched, containing: "allow list not reloaded").isEmpty }
        #expect(launched.process.isRunning)
        #expect(logLines(launched, containing: "allow list reloaded").count == 1)
    }
}

/// The exporter's allow list, reloaded through the same service the SIGHUP handler runs: the new
/// key's events count, the removed key's do not, a malformed file keeps the list in force.
@Test(.timeLimit(.minutes(1))) func reloadingTheExportersAllowListAdmitsTheNewKeyAndRefusesTheRemovedOne() async throws {
    let exporterKeys = try ZMQCurveKeyPair.generate(), old = try ZMQCurveKeyPair.generate(), new = try ZMQCurveKeyPair.generate()
    let exporter = try await curveExporter(exporterKeys, allowing: [old.publicKey])
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-allowed-\(UUID().uuidString).pub").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let reloader = CurveAllowListReloadService(allowList: .file(file), link: "events endpoint", logger: Logger(label: "test.reload")) {
        exporter.replaceAllowedClients($0)
    }
    let endpoint = exporter.addresses.eventsEndpoint
    let bytes = try rejectedEvent()
    func delivered(_ pair: ZMQCurveKeyPair, attempts: Int = 100) async throws -> Bool {
        let before = exporter.metrics.eventsApplied
        return try await Task.detached {
            try publishUntilSeen(bytes, to: endpoint, security: .curveClient(pair, serverKey: exporterKeys.publicKey), attempts: attempts) {
                exporter.metrics.eventsApplied > before
            }
        }.value
    }
    #expect(try await delivered(new, attempts: 20) == false)

    try "\(new.publicKey)\n".write(toFile: file, atomically: true, encoding: .utf8)
    let change = try #require(reloader.reload())
    #expect(change.added == [new.publicKey] && change.removed == [old.publicKey])
    #expect(try await delivered(new))
    #expect(try await delivered(old, attempts: 20) == false)

    try "# nothing valid\nnot-a-key\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(reloader.reload() == nil)
    #expect(try await delivered(new))
    await exporter.stop()
}
