import ArgumentParser
import Dispatch
import Foundation
import GRPCCore
import ProverService
import Rollup
import SwiftProtobuf
import Wire

/// `ctl up`: a whole local cluster on loopback as child processes — the metrics exporter and, per
/// proof type, workers, a scheduler and a proxy (one stack per type, all three by default, ports
/// per `StackLayout`); waits until the workers are healthy, prints the endpoints, and stops them
/// all cleanly on Ctrl-C or SIGTERM.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local cluster on loopback: per proof type a proxy, a scheduler and workers (all three types unless --proof-type), and the metrics exporter.")

    @Option(name: .customLong("proof-type"), help: "Start only this proof type's stack (transaction, batch or block); default: all three.")
    var proofType: String?
    @Option(help: "Workers per proof type.") var workers: Int = 2
    @Option(help: "Transaction proxy port; the batch and block proxies are at +\(StackLayout.portStride) and +\(2 * StackLayout.portStride).")
    var port: Int = StackLayout.transactionProxyPort
    @Option(name: .customLong("control-port"), help: "Transaction scheduler control port (others at +10, +20).") var controlPort: Int = 8083
    @Option(name: .customLong("scheduler-port"), help: "Transaction scheduler job port (others at +10, +20).") var schedulerPort: Int = 8084
    @Option(name: .customLong("events-port"), help: "Metrics exporter events port.") var eventsPort: Int = 8085
    @Option(name: .customLong("metrics-port"), help: "Prometheus /metrics port.") var metricsPort: Int = 6192
    @Option(name: .customLong("worker-port"), help: "First transaction worker port, then +1 each (batch workers from +\(StackLayout.workerPortStride), block from +\(2 * StackLayout.workerPortStride)).")
    var workerPort: Int = 50051
    @Option(help: "Prover threads per worker (default: cores / all workers).") var threads: Int?
    @Option(name: .customLong("ready-timeout"), help: "Seconds to wait for the cluster to be healthy.") var readyTimeout: Int = 120

    /// The ports of one proof type's stack.
    struct Stack {
        var kind: ProofKind
        var proxyPort: Int
        var controlPort: Int
        var schedulerPort: Int
        var workerAddresses: [String]
        var workerPorts: [Int]
    }

    func stacks() throws -> [Stack] {
        let kinds: [ProofKind]
        if let proofType {
            guard let kind = ProofKind(name: proofType) else { throw ValidationError("unknown proof type '\(proofType)': transaction, batch or block") }
            kinds = [kind]
        } else {
            kinds = ProofKind.allCases
        }
        return kinds.map { kind in
            let offset = StackLayout.portStride * kind.rawValue
            let firstWorker = workerPort + StackLayout.workerPortStride * kind.rawValue
            let ports = (0..<workers).map { firstWorker + $0 }
            return Stack(kind: kind, proxyPort: port + offset, controlPort: controlPort + offset, schedulerPort: schedulerPort + offset,
                         workerAddresses: ports.map { "127.0.0.1:\($0)" }, workerPorts: ports)
        }
    }

    func run() async throws {
        guard (1...StackLayout.workerPortStride).contains(workers) else { throw ValidationError("--workers must be in 1...\(StackLayout.workerPortStride)") }
        let stacks = try stacks()
        let stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-up-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let perWorker = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / (workers * stacks.count))
        let events = "tcp://127.0.0.1:\(eventsPort)"

        let cluster = Cluster(locator: .forCurrentProcess())
        let signals = SignalWaiter()
        do {
            try cluster.start("metrics-exporter", ["--port", "\(metricsPort)", "--events-endpoint", events, "--localhost"])
            for stack in stacks {
                for workerPort in stack.workerPorts {
                    try cluster.start("worker", ["--proof-type", "\(stack.kind)", "--port", "\(workerPort)", "--localhost", "--threads", "\(perWorker)"])
                }
                try cluster.start("scheduler", [
                    "--proof-type", "\(stack.kind)", "--port", "\(stack.schedulerPort)", "--control-port", "\(stack.controlPort)",
                    "--workers", stack.workerAddresses.joined(separator: ","), "--metrics-endpoint", events,
                    "--state-file", stateDirectory.appendingPathComponent("scheduler-\(stack.kind)-state.json").path,
                    "--health-check-interval", "2s",
                ])
                try cluster.start("proxy", [
                    "--proof-type", "\(stack.kind)", "--port", "\(stack.proxyPort)", "--scheduler", "tcp://127.0.0.1:\(stack.schedulerPort)",
                    "--metrics-endpoint", events, "--localhost",
                ])
            }
            for stack in stacks { try await waitUntilHealthy(stack, cluster: cluster, signals: signals) }
        } catch {
            cluster.stop()
            throw error
        }
        var lines = ["cluster ready (\(workers) worker(s) per proof type):"]
        for stack in stacks {
            lines.append("  " + pad("\(stack.kind) proxy (gRPC, h2c)", 32) + "127.0.0.1:\(stack.proxyPort)")
            lines.append("  " + pad("\(stack.kind) scheduler control", 32) + "tcp://127.0.0.1:\(stack.controlPort)")
            lines.append("  " + pad("\(stack.kind) workers", 32) + stack.workerAddresses.joined(separator: " "))
        }
        lines.append("  " + pad("metrics", 32) + "http://127.0.0.1:\(metricsPort)/metrics")
        let ctl = URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent  // miden-prover-ctl when installed
        lines.append("try:  \(ctl) witness transaction | \(ctl) prove - | \(ctl) verify -")
        if stacks.count == ProofKind.allCases.count {
            lines.append("      \(ctl) witness batch --txs 4 --prove-via 127.0.0.1:\(port) | \(ctl) prove --proof-type batch - | \(ctl) verify -")
            lines.append("      \(ctl) witness block --batches 2 --txs-per-batch 2 --prove-via 127.0.0.1:\(port) | \(ctl) prove --proof-type block - | \(ctl) verify -")
        }
        lines.append("Ctrl-C stops the cluster.\n")
        let banner = lines.joined(separator: "\n")
        FileHandle.standardError.write(Data(banner.utf8))
        let reason = await signals.waitForSignalOrExit(of: cluster)
        FileHandle.standardError.write(Data("stopping the cluster (\(reason))…\n".utf8))
        cluster.stop()
        try? FileManager.default.removeItem(at: stateDirectory)
        if reason.hasPrefix("process") { throw ExitCode.failure }
    }

    func waitUntilHealthy(_ stack: Stack, cluster: Cluster, signals: SignalWaiter) async throws {
        let deadline = ContinuousClock.now + .seconds(readyTimeout)
        let proxy = ProxyOptions.parseOrExit(["--port", "\(stack.proxyPort)"])
        while ContinuousClock.now < deadline {
            if let dead = cluster.firstExited() { throw CommandError("\(dead) exited during start-up; see its log above") }
            if signals.received { throw CommandError("interrupted during start-up") }
            let healthy = try? await proxy.withClient { client -> Int in
                let status = try await RemoteProver_ProxyStatusApi.Client(wrapping: client).status(Google_Protobuf_Empty())
                return status.workers.filter { $0.status == .healthy }.count
            }
            if (healthy ?? 0) >= stack.workerPorts.count { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CommandError("the \(stack.kind) stack was not healthy within \(readyTimeout) s")
    }
}

/// The child processes of `ctl up`.
final class Cluster: @unchecked Sendable {
    let locator: ExecutableLocator
    private let lock = NSLock()
    private var processes: [(name: String, process: Process)] = []

    init(locator: ExecutableLocator) { self.locator = locator }

    func start(_ name: String, _ arguments: [String]) throws {
        let executable: URL
        do { executable = try locator.locate(name) } catch { throw CommandError(error.description) }
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
