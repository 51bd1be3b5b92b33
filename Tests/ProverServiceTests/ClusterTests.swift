import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import Wire

/// The real executables (built next to the tests) started as processes on free loopback ports.
final class LocalCluster: @unchecked Sendable {
    static let binaries: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug")
    }()

    let proxyPort = LocalCluster.freePort()
    let schedulerPort = LocalCluster.freePort()
    let controlPort = LocalCluster.freePort()
    let eventsPort = LocalCluster.freePort()
    let metricsPort = LocalCluster.freePort()
    let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-test-\(UUID().uuidString).json")
    private(set) var workers: [(port: Int, process: Process)] = []
    private var scheduler: Process?
    private var others: [Process] = []
    let maxQueueItems: Int
    let kind: ProofKind

    init(workers count: Int, maxQueueItems: Int = 10, kind: ProofKind = .transaction) throws {
        self.maxQueueItems = maxQueueItems
        self.kind = kind
        do {
            others.append(try Self.launch("metrics-exporter", ["--port", "\(metricsPort)", "--localhost", "--events-endpoint", "tcp://127.0.0.1:\(eventsPort)"]))
            for _ in 0..<count { try addWorkerProcess() }
            try startScheduler(workers: workers.map { "127.0.0.1:\($0.port)" })
            others.append(try Self.launch("proxy", [
                "--proof-type", "\(kind)", "--port", "\(proxyPort)", "--localhost", "--scheduler", "tcp://127.0.0.1:\(schedulerPort)",
                "--metrics-endpoint", "tcp://127.0.0.1:\(eventsPort)", "--max-req-per-sec", "100", "--timeout", "120s",
            ]))
        } catch {
            shutdown()
            throw error
        }
    }

    @discardableResult
    func addWorkerProcess() throws -> Int {
        let port = Self.freePort()
        workers.append((port, try Self.launch("worker", ["--proof-type", "\(kind)", "--port", "\(port)", "--localhost", "--threads", "1"])))
        return port
    }

    func startScheduler(workers list: [String]?) throws {
        var arguments = [
            "--proof-type", "\(kind)", "--port", "\(schedulerPort)", "--control-port", "\(controlPort)", "--state-file", stateFile.path,
            "--health-check-interval", "300ms", "--max-queue-items", "\(maxQueueItems)",
            "--metrics-endpoint", "tcp://127.0.0.1:\(eventsPort)",
        ]
        if let list { arguments += ["--workers", list.joined(separator: ",")] }
        scheduler = try Self.launch("scheduler", arguments)
    }

    func stopScheduler() {
        guard let scheduler else { return }
        Self.stop([scheduler])
        self.scheduler = nil
    }

    /// SIGTERM to every process, SIGKILL to any still running after 10 s: nothing outlives the test.
    func shutdown() {
        Self.stop([scheduler].compactMap { $0 } + others + workers.map(\.process))
        try? FileManager.default.removeItem(at: stateFile)
    }

    static func stop(_ processes: [Process]) {
        for p in processes where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for p in processes {
            while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
    }

    static func launch(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["MRP_LOG": "warning"].merging(environment) { $1 }) { $1 }
        // Never the test runner's own pipes: a straggler must not keep `swift test` waiting for EOF.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func withProxy<T: Sendable>(_ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: proxyPort), transportSecurity: .plaintext)) {
            try await body($0)
        }
    }

    func proxyStatus() async throws -> RemoteProver_ProxyStatus {
        try await withProxy { try await RemoteProver_ProxyStatusApi.Client(wrapping: $0).status(Google_Protobuf_Empty()) }
    }

    func control(_ build: (inout Mrp_Internal_V1_ControlRequest) -> Void) throws -> Mrp_Internal_V1_ControlResponse {
        var request = Mrp_Internal_V1_ControlRequest()
        build(&request)
        return try ControlClient.send(request, to: "tcp://127.0.0.1:\(controlPort)")
    }

    /// Waits until `condition` holds on the proxy's status (bounded).
    func waitForStatus(_ what: String, timeout: Duration = .seconds(60), _ condition: (RemoteProver_ProxyStatus) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = try? await proxyStatus(), condition(status) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CancellationError()
    }

    func metrics() async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
        return String(decoding: data, as: UTF8.self)
    }

    /// The sum of a metric's samples whose line contains every one of `filters`.
    func metricValue(_ name: String, _ filters: [String] = []) async throws -> Double {
        try await metrics().split(separator: "\n")
            .filter { $0.hasPrefix(name) && !$0.hasPrefix("#") && filters.allSatisfy($0.contains) }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
}

@Suite(.serialized, .timeLimit(.minutes(5))) struct ClusterTests {
    static func witness(notes: Int, seed: UInt64 = 4) -> Data {
        Data(TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: notes, outputs: notes, seed: seed)))
    }

    func prove(_ cluster: LocalCluster, _ payload: Data) async throws -> RemoteProver_Proof {
        try await cluster.withProxy {
            try await RemoteProver_Api.Client(wrapping: $0).prove(.with { $0.proofType = .transaction; $0.payload = payload })
        }
    }

    @Test func aProofThroughProxySchedulerAndWorkerVerifies() async throws {
        let cluster = try LocalCluster(workers: 1)
        defer { cluster.shutdown() }
        try await cluster.waitForStatus("worker healthy") { $0.workers.count == 1 && $0.workers[0].status == .healthy }
        let proof = try await prove(cluster, Self.witness(notes: 1))
        try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await cluster.metricValue("mrp_requests_total") >= 1)
    }

    @Test func aWorkerKilledMidProofCostsTheClientNothing() async throws {
        let cluster = try LocalCluster(workers: 2)
        defer { cluster.shutdown() }
        try await cluster.waitForStatus("two healthy") { $0.workers.filter { $0.status == .healthy }.count == 2 }
        let payload = Self.witness(notes: 8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let proof = try await self.prove(cluster, payload)
                try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()
            }
            // Find the busy worker and kill it.
            var busy: String?
            let deadline = ContinuousClock.now + .seconds(30)
            while busy == nil && ContinuousClock.now < deadline {
                busy = try? cluster.control { $0.listWorkers = Mrp_Internal_V1_ListWorkers() }.status.workers.first { $0.busy }?.address
                if busy == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let victim = try #require(cluster.workers.first { "127.0.0.1:\($0.port)" == busy })
            kill(victim.process.processIdentifier, SIGKILL)
            try await group.waitForAll()
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await cluster.metricValue("mrp_request_retries_total") >= 1)
    }

    @Test func aFullQueueRefusesAtOnceAndCountsTheDrops() async throws {
        let cluster = try LocalCluster(workers: 1, maxQueueItems: 2)
        defer { cluster.shutdown() }
        try await cluster.waitForStatus("worker healthy") { $0.workers.first?.status == .healthy }
        let slow = Self.witness(notes: 8)
        let codes = try await withThrowingTaskGroup(of: (RPCError.Code?, Duration).self) { group in
            for k in 0..<6 {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(100 * k))
                    let start = ContinuousClock.now
                    do {
                        _ = try await self.prove(cluster, slow)
                        return (nil, start.duration(to: .now))
                    } catch let error as RPCError {
                        return (error.code, start.duration(to: .now))
                    }
                }
            }
            var out: [(RPCError.Code?, Duration)] = []
            for try await result in group { out.append(result) }
            return out
        }
        let refused = codes.filter { $0.0 == .resourceExhausted }
        #expect(refused.count == 3, "1 proving + 2 queued; the other 3 are refused: \(codes)")
        #expect(refused.allSatisfy { $0.1 < .seconds(2) })
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await cluster.metricValue("mrp_queue_drops_total") >= 3)
    }

    @Test func workersAreAddedAndRemovedLiveAndTheRegistrySurvivesARestart() async throws {
        let cluster = try LocalCluster(workers: 1)
        defer { cluster.shutdown() }
        try await cluster.waitForStatus("one healthy") { $0.workers.first?.status == .healthy }
        let port = try cluster.addWorkerProcess()
        let added = try cluster.control { $0.addWorkers = .with { $0.addresses = ["127.0.0.1:\(port)"] } }
        #expect(added.ok)
        #expect(added.status.workers.count == 2)
        #expect(try await cluster.proxyStatus().workers.count == 2)
        try await cluster.waitForStatus("both healthy") { $0.workers.filter { $0.status == .healthy }.count == 2 }

        let removed = try cluster.control { $0.removeWorkers = .with { $0.addresses = ["127.0.0.1:\(cluster.workers[0].port)"] } }
        #expect(removed.status.workers.map(\.address) == ["127.0.0.1:\(port)"])
        #expect(try await cluster.proxyStatus().workers.map(\.name) == ["127.0.0.1:\(port)"])

        cluster.stopScheduler()
        try cluster.startScheduler(workers: nil)
        try await cluster.waitForStatus("restored") { $0.workers.map(\.name) == ["127.0.0.1:\(port)"] && $0.workers[0].status == .healthy }
    }

    @Test func wrongTypeAndWrongVersionWorkersAreUnhealthyAndComeBack() async throws {
        let cluster = try LocalCluster(workers: 1)
        defer { cluster.shutdown() }
        // In-process workers that answer status with another proof type and another version.
        let logger = Logger(label: "odd-workers")
        let wrongType = WorkerServer.make(WorkerConfiguration(kind: .batch, port: 0, localhost: true, threads: 1), logger: logger).server
        let wrongVersion = WorkerServer.make(WorkerConfiguration(kind: .transaction, port: 0, localhost: true, threads: 1, version: "9.9.0"), logger: logger).server
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await wrongType.serve() }
            group.addTask { try await wrongVersion.serve() }
            let typePort = try #require(try await wrongType.listeningAddress?.ipv4?.port)
            let versionPort = try #require(try await wrongVersion.listeningAddress?.ipv4?.port)
            let odd = ["127.0.0.1:\(typePort)", "127.0.0.1:\(versionPort)"]
            _ = try cluster.control { $0.addWorkers = .with { $0.addresses = odd } }
            try await cluster.waitForStatus("odd ones unhealthy") { status in
                odd.allSatisfy { name in status.workers.first { $0.name == name }?.status == .unhealthy }
                    && status.workers.first { $0.name == "127.0.0.1:\(cluster.workers[0].port)" }?.status == .healthy
            }
            // Jobs go only to the healthy worker.
            for seed in 0..<3 { _ = try await prove(cluster, Self.witness(notes: 1, seed: UInt64(seed))) }
            let workers = try cluster.control { $0.listWorkers = Mrp_Internal_V1_ListWorkers() }.status.workers
            #expect(workers.filter { odd.contains($0.address) }.allSatisfy { $0.requests == 0 })
            // A worker that comes back healthy is HEALTHY again after a check.
            let good = cluster.workers[0].port
            kill(cluster.workers[0].process.processIdentifier, SIGKILL)
            try await cluster.waitForStatus("dead one unhealthy") { $0.workers.first { $0.name == "127.0.0.1:\(good)" }?.status == .unhealthy }
            let revived = try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(good)", "--localhost", "--threads", "1"])
            defer { LocalCluster.stop([revived]) }
            try await cluster.waitForStatus("back") { $0.workers.first { $0.name == "127.0.0.1:\(good)" }?.status == .healthy }
            wrongType.beginGracefulShutdown()
            wrongVersion.beginGracefulShutdown()
        }
    }
}
