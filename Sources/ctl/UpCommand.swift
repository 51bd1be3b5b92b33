import ArgumentParser
import Dispatch
import Foundation
import GRPCCore
import ProverService
import Rollup
import SwiftProtobuf
import Wire

/// `ctl up`: a whole local cluster on loopback — metrics exporter, workers, scheduler, proxy — as
/// child processes; waits until the workers are healthy, prints the endpoints, and stops them
/// all cleanly on Ctrl-C or SIGTERM.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start a local cluster on loopback (proxy, scheduler, metrics exporter, workers).")

    @Option(name: .customLong("proof-type"), help: "Proof type the cluster serves.") var proofType: String = "transaction"
    @Option(help: "Number of workers.") var workers: Int = 2
    @Option(help: "Proxy port.") var port: Int = 8082
    @Option(name: .customLong("control-port"), help: "Scheduler control port.") var controlPort: Int = 8083
    @Option(name: .customLong("scheduler-port"), help: "Scheduler job port.") var schedulerPort: Int = 8084
    @Option(name: .customLong("events-port"), help: "Metrics exporter events port.") var eventsPort: Int = 8085
    @Option(name: .customLong("metrics-port"), help: "Prometheus /metrics port.") var metricsPort: Int = 6192
    @Option(name: .customLong("worker-port"), help: "First worker port (then +1 each).") var workerPort: Int = 50051
    @Option(help: "Prover threads per worker (default: cores / workers).") var threads: Int?
    @Option(name: .customLong("ready-timeout"), help: "Seconds to wait for the cluster to be healthy.") var readyTimeout: Int = 120

    func run() async throws {
        guard let kind = ProofKind(name: proofType) else { throw ValidationError("unknown proof type '\(proofType)'") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be in 1...64") }
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-up-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let perWorker = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / workers)
        let events = "tcp://127.0.0.1:\(eventsPort)"
        let workerAddresses = (0..<workers).map { "127.0.0.1:\(workerPort + $0)" }

        let cluster = Cluster(binaries: binaries)
        let signals = SignalWaiter()
        do {
            try cluster.start("metrics-exporter", ["--port", "\(metricsPort)", "--events-endpoint", events, "--localhost"])
            for k in 0..<workers {
                try cluster.start("worker", ["--proof-type", "\(kind)", "--port", "\(workerPort + k)", "--localhost", "--threads", "\(perWorker)"])
            }
            try cluster.start("scheduler", [
                "--proof-type", "\(kind)", "--port", "\(schedulerPort)", "--control-port", "\(controlPort)",
                "--workers", workerAddresses.joined(separator: ","), "--metrics-endpoint", events,
                "--state-file", stateDirectory.appendingPathComponent("scheduler-state.json").path, "--health-check-interval", "2s",
            ])
            try cluster.start("proxy", [
                "--proof-type", "\(kind)", "--port", "\(port)", "--scheduler", "tcp://127.0.0.1:\(schedulerPort)",
                "--metrics-endpoint", events, "--localhost",
            ])
            try await waitUntilHealthy(expected: workers, cluster: cluster, signals: signals)
        } catch {
            cluster.stop()
            throw error
        }
        let banner = """
        cluster ready (\(kind) proofs, \(workers) worker(s)):
          proxy (gRPC, h2c)     127.0.0.1:\(port)
          scheduler control     tcp://127.0.0.1:\(controlPort)
          metrics               http://127.0.0.1:\(metricsPort)/metrics
          workers               \(workerAddresses.joined(separator: " "))
        try:  ctl witness transaction | ctl prove - | ctl verify -
        Ctrl-C stops the cluster.

        """
        FileHandle.standardError.write(Data(banner.utf8))
        let reason = await signals.waitForSignalOrExit(of: cluster)
        FileHandle.standardError.write(Data("stopping the cluster (\(reason))…\n".utf8))
        cluster.stop()
        try? FileManager.default.removeItem(at: stateDirectory)
        if reason.hasPrefix("process") { throw ExitCode.failure }
    }

    func waitUntilHealthy(expected: Int, cluster: Cluster, signals: SignalWaiter) async throws {
        let deadline = ContinuousClock.now + .seconds(readyTimeout)
        let proxy = ProxyOptions.parseOrExit(["--port", "\(port)"])
        while ContinuousClock.now < deadline {
            if let dead = cluster.firstExited() { throw CommandError("\(dead) exited during start-up; see its log above") }
            if signals.received { throw CommandError("interrupted during start-up") }
            let healthy = try? await proxy.withClient { client -> Int in
                let status = try await RemoteProver_ProxyStatusApi.Client(wrapping: client).status(Google_Protobuf_Empty())
                return status.workers.filter { $0.status == .healthy }.count
            }
            if (healthy ?? 0) >= expected { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CommandError("the cluster was not healthy within \(readyTimeout) s")
    }
}

/// The child processes of `ctl up`.
final class Cluster: @unchecked Sendable {
    let binaries: URL
    private let lock = NSLock()
    private var processes: [(name: String, process: Process)] = []

    init(binaries: URL) { self.binaries = binaries }

    func start(_ name: String, _ arguments: [String]) throws {
        let executable = binaries.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CommandError("\(name) is not built next to ctl (\(executable.path)): run `swift build` first")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        try process.run()
        lock.withLock { processes.append((name, process)) }
    }

    /// The name of a child that has exited, if any.
    func firstExited() -> String? {
        lock.withLock { processes.first { !$0.process.isRunning }.map { "\($0.name) (exit \($0.process.terminationStatus))" } }
    }

    /// SIGTERM to every child in reverse start order, then SIGKILL to those still running after 5 s.
    func stop() {
        let children = lock.withLock { processes }
        for child in children.reversed() where child.process.isRunning { child.process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        for child in children.reversed() {
            while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
        }
    }
}

/// Waits for SIGINT/SIGTERM (which it stops from killing ctl) or for a child to exit.
final class SignalWaiter: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var signal: Int32?

    init() {
        for sig in [SIGINT, SIGTERM] {
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.lock.withLock { self?.signal = sig } }
            source.resume()
            sources.append(source)
        }
    }

    var received: Bool { lock.withLock { signal != nil } }

    func waitForSignalOrExit(of cluster: Cluster) async -> String {
        while true {
            if let sig = lock.withLock({ signal }) { return sig == SIGINT ? "SIGINT" : "SIGTERM" }
            if let dead = cluster.firstExited() { return "process \(dead) exited" }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
