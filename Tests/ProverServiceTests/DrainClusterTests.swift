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

/// The real executables (debug build, as `LocalCluster`) with drain settings given on the command
/// line and each process's log kept in a file the test reads.
final class DrainCluster: @unchecked Sendable {
    struct Launched {
        let name: String
        let port: Int
        let process: Process
        let log: URL
    }

    let proxyPort = LocalCluster.freePort()
    let schedulerPort = LocalCluster.freePort()
    let controlPort = LocalCluster.freePort()
    let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-drain-\(UUID().uuidString).json")
    private(set) var workers: [Launched] = []
    private(set) var scheduler: Launched!
    private(set) var proxy: Launched!

    init(workers count: Int, workerDrain: [String], schedulerDrain: [String], maxQueueItems: Int = 10) throws {
        do {
            for _ in 0..<count {
                let port = LocalCluster.freePort()
                workers.append(try Self.launch("worker", port: port,
                    ["--proof-type", "transaction", "--port", "\(port)", "--localhost", "--threads", "1"] + workerDrain))
            }
            scheduler = try Self.launch("scheduler", port: schedulerPort, [
                "--proof-type", "transaction", "--port", "\(schedulerPort)", "--control-port", "\(controlPort)",
                "--state-file", stateFile.path, "--health-check-interval", "200ms", "--max-queue-items", "\(maxQueueItems)",
                "--workers", workers.map { "127.0.0.1:\($0.port)" }.joined(separator: ","),
            ] + schedulerDrain)
            proxy = try Self.launch("proxy", port: proxyPort, [
                "--proof-type", "transaction", "--port", "\(proxyPort)", "--localhost", "--scheduler", "tcp://127.0.0.1:\(schedulerPort)",
                "--max-req-per-sec", "1000", "--timeout", "300s",
            ])
        } catch {
            shutdown()
            throw error
        }
    }

    /// SIGKILL to whatever still runs (the tests SIGTERM what they examine), logs and state removed.
    func shutdown() {
        let all = workers + [scheduler, proxy].compactMap { $0 }
        for launched in all where launched.process.isRunning { kill(launched.process.processIdentifier, SIGKILL) }
        for launched in all {
            launched.process.waitUntilExit()
            try? FileManager.default.removeItem(at: launched.log)
        }
        try? FileManager.default.removeItem(at: stateFile)
    }

    static func launch(_ name: String, port: Int, _ arguments: [String]) throws -> Launched {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-drain-\(name)-\(port)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = LocalCluster.binaries.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["MRP_LOG": "info"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Launched(name: name, port: port, process: process, log: log)
    }

    static func logText(_ launched: Launched) -> String {
        (try? String(contentsOf: launched.log, encoding: .utf8)) ?? ""
    }

    func withClient<T: Sendable>(port: Int, _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)) {
            try await body($0)
        }
    }

    func prove(_ payload: Data, timeout: Duration? = nil) async throws -> RemoteProver_Proof {
        try await withClient(port: proxyPort) {
            var options = CallOptions.defaults
            options.timeout = timeout
            return try await RemoteProver_Api.Client(wrapping: $0).prove(.with { $0.proofType = .transaction; $0.payload = payload }, options: options)
        }
    }

    func workerList() throws -> [Mrp_Internal_V1_WorkerState] {
        var request = Mrp_Internal_V1_ControlRequest()
        request.listWorkers = Mrp_Internal_V1_ListWorkers()
        return try ControlClient.send(request, to: "tcp://127.0.0.1:\(controlPort)").status.workers
    }

    func waitUntil(_ what: String, within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + limit
        while !((try? await condition()) ?? false) {
            guard ContinuousClock.now < end else { throw RPCError(code: .deadlineExceeded, message: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (bounded) for the process to end; its exit status, or nil if it still runs.
    static func exitStatus(_ process: Process, within limit: Duration) async -> Int32? {
        let end = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(10)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

/// Results gathered from concurrent tasks.
final class Collected<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ item: T) { items.withLock { $0.append(item) } }
    var all: [T] { items.withLock { $0 } }
}

/// Event times relative to the SIGTERM, printed as the drain's timeline.
final class DrainTimeline: Sendable {
    private let origin = Mutex<ContinuousClock.Instant?>(nil)
    private let events = Mutex<[(String, ContinuousClock.Instant)]>([])

    func mark(_ event: String, origin isOrigin: Bool = false) {
        let now = ContinuousClock.now
        if isOrigin { origin.withLock { $0 = now } }
        events.withLock { $0.append((event, now)) }
    }

    /// When the origin event (the signal) happened.
    var start: ContinuousClock.Instant? { origin.withLock { $0 } }

    func offset(_ event: String) -> Duration? {
        guard let start = origin.withLock({ $0 }), let at = events.withLock({ $0.first { $0.0 == event }?.1 }) else { return nil }
        return start.duration(to: at)
    }

    func render() -> String {
        guard let start = origin.withLock({ $0 }) else { return "(no origin)" }
        return events.withLock { $0 }.sorted { $0.1 < $1.1 }.map { event, at in
            let ms = Double(start.duration(to: at).components.attoseconds) / 1e15 + Double(start.duration(to: at).components.seconds) * 1000
            return String(format: "%+10.0f ms  %@", ms, event)
        }.joined(separator: "\n")
    }
}

@Suite(.serialized, .timeLimit(.minutes(10))) struct DrainClusterTests {
    static func witness(seed: UInt64) -> Data {
        Data(TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: 1, outputs: 1, seed: seed)))
    }

    @Test func aWorkerDrainedUnderLoadFinishesItsProofLosesNoRequestAndExitsCleanly() async throws {
        let grace = Duration.seconds(120), timeout = Duration.seconds(5)
        let cluster = try DrainCluster(workers: 2, workerDrain: ["--grace-period", "120s", "--graceful-shutdown-timeout", "5s"], schedulerDrain: [])
        defer { cluster.shutdown() }
        try await cluster.waitUntil("two healthy workers") { try cluster.workerList().filter { $0.health == .healthy }.count == 2 }

        // One proof alone first: how long a proof takes here (the SIGTERM lands a third of the way in).
        let clock = ContinuousClock()
        let single = try await clock.measure { _ = try await cluster.prove(Self.witness(seed: 100)) }

        let timeline = DrainTimeline()
        let clients = 3, perClient = 3
        let outcomes = Collected<String>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<clients {
                group.addTask {
                    for k in 0..<perClient {
                        do {
                            let proof = try await cluster.prove(Self.witness(seed: UInt64(10 * c + k)))
                            try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
                            outcomes.append("ok")
                        } catch {
                            outcomes.append("client \(c) request \(k): \(error)")
                        }
                    }
                }
            }
            // A worker in the middle of a proof.
            var busy: String?
            try await cluster.waitUntil("a busy worker") {
                busy = try cluster.workerList().first { $0.busy }?.address
                return busy != nil
            }
            let victim = try #require(cluster.workers.first { "127.0.0.1:\($0.port)" == busy })
            let survivor = try #require(cluster.workers.first { $0.port != victim.port })
            try await Task.sleep(for: single / 3)
            #expect(try cluster.workerList().first { $0.address == busy }?.busy == true, "still proving when signalled")

            kill(victim.process.processIdentifier, SIGTERM)
            timeline.mark("SIGTERM to worker \(victim.port)", origin: true)
            let survivorProvedBefore = DrainCluster.logText(survivor).components(separatedBy: "] proved").count - 1

            // Health goes NOT_SERVING (read straight from the worker).
            try await cluster.withClient(port: victim.port) { client in
                try await cluster.waitUntil("NOT_SERVING", within: .seconds(5)) {
                    try await Grpc_Health_V1_Health.Client(wrapping: client).check(.with { $0.service = "" }).status == .notServing
                }
            }
            timeline.mark("health NOT_SERVING")
            // The proof in hand finishes (the worker logs it after the drain began).
            try await cluster.waitUntil("the proof in hand", within: grace) {
                DrainCluster.logText(victim).components(separatedBy: "draining").last?.contains("] proved") == true
            }
            timeline.mark("proof in hand done")
            let status = await DrainCluster.exitStatus(victim.process, within: timeout + .seconds(5))
            timeline.mark("worker exited, status \(status.map(String.init) ?? "none: still running")")
            #expect(status == 0)
            if let done = timeline.offset("proof in hand done"), let exited = timeline.offset("worker exited, status 0") {
                #expect(exited - done < timeout, "exit within the shutdown timeout of the last proof")
            }

            try await group.waitForAll()
            timeline.mark("all \(clients * perClient) requests answered")

            let victimLog = DrainCluster.logText(victim)
            let afterDrain = victimLog.components(separatedBy: "draining").last ?? ""
            #expect(!afterDrain.contains("] proving"), "the draining worker started no new proof")
            #expect(!afterDrain.contains("proof cancelled"))
            let survivorProvedAfter = DrainCluster.logText(survivor).components(separatedBy: "] proved").count - 1
            #expect(survivorProvedAfter > survivorProvedBefore, "later requests went to the other worker")
            print("""
                drain timeline (one proof alone: \(single); grace \(grace), timeout \(timeout)):
                \(timeline.render())
                survivor proofs: \(survivorProvedBefore) before the SIGTERM, \(survivorProvedAfter) in all
                """)
        }
        let results = outcomes.all
        #expect(results.count == clients * perClient)
        #expect(results.allSatisfy { $0 == "ok" }, "\(results.filter { $0 != "ok" })")
    }

    @Test func aSchedulerSignalledWithQueuedJobsHandsThemBackAsUnavailableBeforeItsDeadline() async throws {
        let grace = Duration.seconds(2), timeout = Duration.seconds(5)
        let cluster = try DrainCluster(workers: 1, workerDrain: [], schedulerDrain: ["--grace-period", "2s", "--graceful-shutdown-timeout", "5s"])
        defer { cluster.shutdown() }
        try await cluster.waitUntil("a healthy worker") { try cluster.workerList().first?.health == .healthy }
        let timeline = DrainTimeline()
        let jobs = 4
        let outcomes = Collected<(code: RPCError.Code?, message: String, at: ContinuousClock.Instant)>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<jobs {
                group.addTask {
                    do {
                        let proof = try await cluster.prove(Self.witness(seed: UInt64(200 + k)))
                        try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
                        outcomes.append((nil, "ok", .now))
                    } catch let error as RPCError {
                        outcomes.append((error.code, error.message, .now))
                    }
                }
            }
            // One job proving, the others queued.
            try await cluster.waitUntil("a busy worker and a queue") {
                var request = Mrp_Internal_V1_ControlRequest()
                request.listWorkers = Mrp_Internal_V1_ListWorkers()
                let status = try ControlClient.send(request, to: "tcp://127.0.0.1:\(cluster.controlPort)").status
                return status.workers.first?.busy == true && status.queueSize == UInt32(jobs - 1)
            }
            kill(cluster.scheduler.process.processIdentifier, SIGTERM)
            timeline.mark("SIGTERM to the scheduler", origin: true)
            // A new job is refused at once.
            let refused: RPCError.Code?
            do { _ = try await cluster.prove(Self.witness(seed: 300), timeout: .seconds(10)); refused = nil } catch let error as RPCError { refused = error.code }
            timeline.mark("a new job refused: \(refused.map { "\($0)" } ?? "none")")
            #expect(refused == .unavailable)
            let status = await DrainCluster.exitStatus(cluster.scheduler.process, within: grace + timeout + .seconds(2))
            timeline.mark("scheduler exited, status \(status.map(String.init) ?? "none: still running")")
            #expect(status == 0)
            try await group.waitForAll()
            timeline.mark("all \(jobs) jobs answered")
        }
        let results = outcomes.all
        print("scheduler drain timeline (grace \(grace), timeout \(timeout)):\n\(timeline.render())\n"
              + results.map { "  \($0.code.map { "\($0)" } ?? "ok"): \($0.message)" }.joined(separator: "\n"))
        #expect(results.count == jobs)
        for result in results {
            #expect(result.code == nil || (result.code == .unavailable && result.message.contains("scheduler shut down")), "\(result)")
        }
        #expect(results.contains { $0.code == .unavailable }, "the queue outlasts a 2 s grace period")
        let signalled = try #require(timeline.start)
        for result in results {
            #expect(signalled.duration(to: result.at) < grace + timeout, "answered before the scheduler's deadline: \(result)")
        }
        // The worker's proof was stopped through its call's cancellation and the worker is free.
        try await cluster.waitUntil("the worker free", within: .seconds(10)) {
            DrainCluster.logText(cluster.workers[0]).contains("proof cancelled")
        }
    }

    @Test func aProxySignalledMidCallFinishesTheCallAndExitsCleanly() async throws {
        let cluster = try DrainCluster(workers: 1, workerDrain: [], schedulerDrain: [])
        defer { cluster.shutdown() }
        try await cluster.waitUntil("a healthy worker") { try cluster.workerList().first?.health == .healthy }
        let timeline = DrainTimeline()
        let call = Task { try await cluster.prove(Self.witness(seed: 400)) }
        try await cluster.waitUntil("the worker busy") { try cluster.workerList().first?.busy == true }
        kill(cluster.proxy.process.processIdentifier, SIGTERM)
        timeline.mark("SIGTERM to the proxy", origin: true)
        try await Task.sleep(for: .milliseconds(300))
        let late: RPCError.Code?
        do { _ = try await cluster.prove(Self.witness(seed: 401), timeout: .seconds(5)); late = nil } catch let error as RPCError { late = error.code }
        timeline.mark("a new call refused: \(late.map { "\($0)" } ?? "none")")
        #expect(late == .unavailable)
        #expect(cluster.proxy.process.isRunning, "the proxy waits for its call")
        let proof = try await call.value
        timeline.mark("the call in flight answered")
        try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
        let status = await DrainCluster.exitStatus(cluster.proxy.process, within: .seconds(5))
        timeline.mark("proxy exited, status \(status.map(String.init) ?? "none: still running")")
        #expect(status == 0)
        print("proxy drain timeline:\n\(timeline.render())")
    }
}
