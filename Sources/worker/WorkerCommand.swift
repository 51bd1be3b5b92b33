import ArgumentParser
import Foundation
import Logging
import ProverService
import Rollup
import ServiceLifecycle
import STARK

/// `worker`: proves one proof type, one request at a time, over gRPC.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "A prover worker: serves remote_prover.Api/Prove, WorkerStatusApi/Status and grpc.health.v1 for one proof type.")

    @Option(name: .customLong("proof-type"), help: "transaction, batch or block [env: MRP_WORKER_PROOF_TYPE] (required).")
    var proofType: String?
    @Option(help: "Port to listen on [env: MRP_WORKER_PORT, default 50051].")
    var port: Int?
    @Flag(help: "Bind 127.0.0.1 instead of 0.0.0.0 [env: MRP_WORKER_LOCALHOST].")
    var localhost = false
    @Option(help: "Prover threads [env: MRP_WORKER_THREADS, default: all cores].")
    var threads: Int?
    @Option(name: .customLong("tls-cert-file"), help: "PEM certificate chain: serve gRPC over TLS instead of h2c [env: MRP_WORKER_TLS_CERT_FILE].")
    var tlsCertFile: String?
    @Option(name: .customLong("tls-key-file"), help: "PEM private key of that certificate [env: MRP_WORKER_TLS_KEY_FILE].")
    var tlsKeyFile: String?
    @Option(name: .customLong("tls-client-ca-file"), help: "PEM CA: callers (the scheduler) must present a certificate it signed (mutual TLS) [env: MRP_WORKER_TLS_CLIENT_CA_FILE].")
    var tlsClientCAFile: String?
    @Option(name: .customLong("grace-period"), help: "After SIGTERM, how long the proof in hand may run on, e.g. 20s [env: MRP_GRACE_PERIOD, default 20s].")
    var gracePeriod: String?
    @Option(name: .customLong("graceful-shutdown-timeout"), help: "Bound on the final shutdown step after the grace period, e.g. 5s [env: MRP_GRACEFUL_SHUTDOWN_TIMEOUT, default 5s].")
    var gracefulShutdownTimeout: String?
    /// Prints the `MRP_*` variables this executable reads, one per line, and exits (for packaging checks).
    @Flag(name: .customLong("print-environment"), help: .hidden)
    var printEnvironment = false

    func run() async throws {
        let variables = WorkerEnvironment()
        if printEnvironment { return print(ServiceEnvironment.listing(variables)) }
        Configuration.bootstrapLogging()
        let logger = Logger(label: "worker")
        try EventLoopExecutor.install(logger: logger)
        let tracing = try TracingBootstrap.start(serviceName: "mrp-worker")
        guard let name = proofType ?? Configuration.environment(variables.proofType) else {
            throw ValidationError("--proof-type (or MRP_WORKER_PROOF_TYPE) is required: transaction, batch or block")
        }
        guard let kind = ProofKind(name: name) else { throw ValidationError("unknown proof type '\(name)': transaction, batch or block") }
        let tls: ServerTLSSettings?
        do { tls = try ServerTLSSettings.resolve(certificate: tlsCertFile, key: tlsKeyFile, clientCA: tlsClientCAFile, variables: variables.tls) } catch {
            throw ValidationError(error.description)
        }
        var config = WorkerConfiguration(
            kind: kind,
            port: try port ?? Configuration.environment(variables.port).map(parsePort) ?? WorkerConfiguration.defaultPort,
            localhost: localhost || (Configuration.environment(variables.localhost).flatMap(Configuration.bool) ?? false),
            threads: threads ?? Configuration.environment(variables.threads).flatMap(Int.init) ?? Parallel.coreCount)

        config.tls = tls
        let drainSettings: DrainSettings
        do { drainSettings = try DrainSettings.resolve(gracePeriod: gracePeriod, shutdownTimeout: gracefulShutdownTimeout, variables: variables.drain) } catch {
            throw ValidationError(error.description)
        }

        // Checked here so a malformed MRP_PROVER_MEMORY_MIB stops the worker at start-up, naming it.
        let memoryBudget: ExtensionBudget
        do { memoryBudget = try ExtensionBudget.fromEnvironment() } catch { throw ValidationError("\(error)") }
        // Likewise the heap retention; applied before the first proof.
        let heapRetention: HeapRetention
        do { heapRetention = try HeapRetention.fromEnvironment() } catch { throw ValidationError("\(error)") }
        let heapOutcome = heapRetention.apply()

        let (server, health, prove) = WorkerServer.make(config, logger: logger)
        let group = ServiceGroup(
            services: (tracing.map { [$0] } ?? []) + [
                WorkerService(server: server, health: health, drain: prove.drain, settings: drainSettings, logger: logger)
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        Task {
            if let address = try await server.listeningAddress {
                logger.info("listening", metadata: [
                    "address": "\(address)", "proof_type": "\(kind)", "threads": "\(config.threads)",
                    "tls": "\(ServerTLSSettings.mode(tls))",
                    "prover_memory_mib": "\(memoryBudget.bytes >> 20)",
                    "heap_retain_mib": "\(heapOutcome == .applied ? heapRetention.mebibytes : 0)",
                ])
                FileHandle.standardError.write(Data("worker ready: \(kind) on \(address)\n".utf8))
            }
        }
        try await group.run()
    }

    func parsePort(_ text: String) throws -> Int {
        guard let p = Int(text), (0...65535).contains(p) else { throw ValidationError("port '\(text)' is not in 0...65535") }
        return p
    }
}
