import ArgumentParser
import Foundation
import Logging
import ProverService
import Rollup
import ServiceLifecycle
import Wire

/// `scheduler`: the queue and the worker pool for one proof type, behind a ZeroMQ job endpoint for
/// proxies and a loopback-only control endpoint for `ctl`.
@main
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "The scheduler: a bounded job queue, worker assignment, retries and health checks, over ZeroMQ.")

    @Option(name: .customLong("proof-type"), help: "transaction, batch or block [env: MRP_PROOF_TYPE, default transaction].")
    var proofType: String?
    @Option(name: .customLong("job-host"), help: "Address the job endpoint binds; 0.0.0.0 lets proxies on other hosts in [env: MRP_SCHEDULER_HOST, default 127.0.0.1].")
    var jobHost: String?
    @Option(help: "Job endpoint port [env: MRP_SCHEDULER_PORT, default 8084].")
    var port: Int?
    @Option(name: .customLong("control-port"), help: "Control endpoint port on 127.0.0.1 [env: MRP_CONTROL_PORT, default 8083].")
    var controlPort: Int?
    @Option(help: "Comma-separated worker host:port list [env: MRP_PROXY_WORKERS_LIST]; the state file wins when it exists.")
    var workers: String?
    @Option(name: .customLong("discover-workers"), help: "Comma-separated DNS names with ports (e.g. worker-transaction:50051, a Kubernetes headless Service): every IPv4 address behind them is a worker, re-resolved each --discovery-interval; discovered workers are not written to the state file [env: MRP_SCHEDULER_DISCOVER_WORKERS].")
    var discoverWorkers: String?
    @Option(name: .customLong("discovery-interval"), help: "How often discovery names are re-resolved, e.g. 10s [env: MRP_SCHEDULER_DISCOVERY_INTERVAL, default 10s].")
    var discoveryInterval: String?
    @Option(name: .customLong("max-queue-items"), help: "Jobs that may wait for a worker [env: MRP_MAX_QUEUE_ITEMS, default 10].")
    var maxQueueItems: Int?
    @Option(name: .customLong("max-retries"), help: "Extra attempts per job [env: MRP_MAX_RETRIES_PER_REQUEST, default 1].")
    var maxRetries: Int?
    @Option(name: .customLong("health-check-interval"), help: "e.g. 10s, 500ms [env: MRP_HEALTH_CHECK_INTERVAL, default 10s].")
    var healthCheckInterval: String?
    @Option(name: .customLong("connection-timeout"), help: "Worker probe timeout [env: MRP_CONNECTION_TIMEOUT, default 10s].")
    var connectionTimeout: String?
    @Option(name: .customLong("worker-startup-grace"), help: "How long a worker that has never answered counts as starting (UNKNOWN, probed every 250 ms) before it is reported unhealthy [env: MRP_WORKER_STARTUP_GRACE, default 30s].")
    var workerStartupGrace: String?
    @Option(name: .customLong("state-file"), help: "Worker registry file [env: MRP_SCHEDULER_STATE_FILE, default scheduler-state.json].")
    var stateFile: String?
    @Option(name: .customLong("metrics-endpoint"), help: "Metrics exporter SUB endpoint to publish to, e.g. tcp://127.0.0.1:8085 [env: MRP_METRICS_EVENTS_ENDPOINT].")
    var metricsEndpoint: String?
    @Option(name: .customLong("control-token"), help: "Shared secret control requests must carry [env: MRP_CONTROL_TOKEN].")
    var controlToken: String?
    @Flag(name: .customLong("worker-tls"), help: "Call workers over TLS, verifying their certificates [env: MRP_SCHEDULER_WORKER_TLS].")
    var workerTLS = false
    @Option(name: .customLong("worker-tls-ca-file"), help: "PEM CA that signed the workers' certificates (implies --worker-tls; default: the system's roots) [env: MRP_SCHEDULER_WORKER_TLS_CA_FILE].")
    var workerTLSCAFile: String?
    @Option(name: .customLong("worker-tls-cert-file"), help: "PEM client certificate for workers that require one (mutual TLS) [env: MRP_SCHEDULER_WORKER_TLS_CERT_FILE].")
    var workerTLSCertFile: String?
    @Option(name: .customLong("worker-tls-key-file"), help: "PEM private key of that client certificate [env: MRP_SCHEDULER_WORKER_TLS_KEY_FILE].")
    var workerTLSKeyFile: String?
    @Option(name: .customLong("curve-secret-key-file"), help: "The scheduler's CURVE secret key (ctl keygen writes NAME.key): the job endpoint is encrypted and authenticated [env: MRP_SCHEDULER_CURVE_SECRET_KEY_FILE, or the key itself in MRP_SCHEDULER_CURVE_SECRET_KEY].")
    var curveSecretKeyFile: String?
    @Option(name: .customLong("curve-allowed-clients"), help: "File of proxy public keys allowed on the job endpoint, one per line [env: MRP_SCHEDULER_CURVE_ALLOWED_CLIENTS_FILE, or comma-separated keys in MRP_SCHEDULER_CURVE_ALLOWED_CLIENTS].")
    var curveAllowedClients: String?
    @Option(name: .customLong("metrics-public-key"), help: "The metrics exporter's CURVE public key, or a file holding it: metric events go encrypted, signed with the scheduler's key [env: MRP_METRICS_PUBLIC_KEY].")
    var metricsPublicKey: String?
    @Flag(help: "Allow a plaintext job endpoint on a non-loopback address, or plaintext metric events to another host (a network you trust) [env: MRP_SCHEDULER_INSECURE].")
    var insecure = false
    @Option(name: .customLong("grace-period"), help: "After SIGTERM, how long queued and running jobs may go on, e.g. 20s [env: MRP_GRACE_PERIOD, default 20s].")
    var gracePeriod: String?
    @Option(name: .customLong("graceful-shutdown-timeout"), help: "Bound on handing jobs back and closing after the grace period, e.g. 5s [env: MRP_GRACEFUL_SHUTDOWN_TIMEOUT, default 5s].")
    var gracefulShutdownTimeout: String?
    /// Prints the `MRP_*` variables this executable reads, one per line, and exits (for packaging checks).
    @Flag(name: .customLong("print-environment"), help: .hidden)
    var printEnvironment = false

    func run() async throws {
        let variables = SchedulerEnvironment()
        if printEnvironment { return print(ServiceEnvironment.listing(variables)) }
        Configuration.bootstrapLogging()
        let logger = Logger(label: "scheduler")
        try EventLoopExecutor.install(logger: logger)
        let tracing = try TracingBootstrap.start(serviceName: "mrp-scheduler")
        let name = proofType ?? Configuration.environment(variables.proofType) ?? "transaction"
        guard let kind = ProofKind(name: name) else { throw ValidationError("unknown proof type '\(name)': transaction, batch or block") }
        let jobPort = try port ?? Configuration.environment(variables.jobPort).map { try parsePort($0) }
            ?? SchedulerFrontEndConfiguration.defaultJobPort
        let controlPort = try self.controlPort ?? Configuration.environment(variables.controlPort).map { try parsePort($0) }
            ?? SchedulerFrontEndConfiguration.defaultControlPort
        let initial: [WorkerAddress]
        do { initial = try WorkerAddress.list(workers ?? Configuration.environment(variables.workers) ?? "") } catch {
            throw ValidationError("--workers: \(error)")
        }
        let discoveryNames: [WorkerAddress]
        do { discoveryNames = try WorkerAddress.list(discoverWorkers ?? Configuration.environment(variables.discoverWorkers) ?? "") } catch {
            throw ValidationError("--discover-workers: \(error)")
        }
        let discoveryEvery = try duration(discoveryInterval, env: variables.discoveryInterval, flag: "--discovery-interval", default: .seconds(10))
        let queueItems = try maxQueueItems ?? Configuration.environment(variables.maxQueueItems).map { try integer($0, variables.maxQueueItems) } ?? 10
        let retries = try maxRetries ?? Configuration.environment(variables.maxRetries).map { try integer($0, variables.maxRetries) } ?? 1
        let interval = try duration(healthCheckInterval, env: variables.healthCheckInterval, flag: "--health-check-interval", default: .seconds(10))
        let timeout = try duration(connectionTimeout, env: variables.connectionTimeout, flag: "--connection-timeout", default: .seconds(10))
        let startupGrace = try duration(workerStartupGrace, env: variables.workerStartupGrace, flag: "--worker-startup-grace", default: .seconds(30))
        let state = stateFile ?? Configuration.environment(variables.stateFile) ?? "scheduler-state.json"
        let metricsTarget = metricsEndpoint ?? Configuration.environment(variables.metrics.endpoint)
        let token = controlToken ?? Configuration.environment(variables.controlToken)
        let drainSettings: DrainSettings
        do { drainSettings = try DrainSettings.resolve(gracePeriod: gracePeriod, shutdownTimeout: gracefulShutdownTimeout, variables: variables.drain) } catch {
            throw ValidationError(error.description)
        }

        let host = jobHost ?? Configuration.environment(variables.jobHost) ?? "127.0.0.1"
        let jobEndpoint = "tcp://\(host):\(jobPort)"
        let trusted = Configuration.flag(insecure, environment: variables.insecure)
        let jobCurve: CurveServerSettings?
        let metricsSecurity: ZMQLinkSecurity
        do {
            jobCurve = try CurveKeySettings(keys: variables.curve, allowedClients: variables.curveAllowedClients).server(
                keyFile: curveSecretKeyFile, allowedFile: curveAllowedClients, endpoint: jobEndpoint, insecure: trusted, link: "job endpoint")
            metricsSecurity = try CurveKeySettings.metricEventLink(
                exporterKey: metricsPublicKey, pair: jobCurve?.keys.keyPair, endpoint: metricsTarget, insecure: trusted, variables: variables.metrics)
        } catch {
            throw ValidationError("\(error)")
        }

        let env = Configuration.environment
        let caFile = workerTLSCAFile ?? env(variables.workerTLSCAFile)
        let certFile = workerTLSCertFile ?? env(variables.workerTLSCertFile)
        let keyFile = workerTLSKeyFile ?? env(variables.workerTLSKeyFile)
        let wantsTLS = workerTLS || (env(variables.workerTLS).flatMap(Configuration.bool) ?? false) || caFile != nil || certFile != nil || keyFile != nil
        let workerTLSSettings: ClientTLSSettings?
        do {
            workerTLSSettings = wantsTLS ? try ClientTLSSettings(caFile: caFile, certificateChainFile: certFile, privateKeyFile: keyFile).validated() : nil
        } catch {
            throw ValidationError(error.description)
        }

        let context = try ZMQContext()
        defer { context.close() }
        let metrics = metricsTarget.map {
            SchedulerMetricsPublisher(context: context, endpoint: $0, source: "scheduler:\(jobPort)", kind: kind, security: metricsSecurity, logger: logger)
        }
        let scheduler = try Scheduler(
            configuration: SchedulerConfiguration(
                kind: kind, maxQueueItems: queueItems, maxRetries: retries, healthCheckInterval: interval, stateFile: state,
                startupGrace: startupGrace),
            workers: initial, connectionFactory: GRPCWorkerConnection.factory(probeTimeout: timeout, tls: workerTLSSettings),
            events: metrics?.events ?? .none, logger: logger)
        let frontEnd = SchedulerFrontEnd(
            scheduler: scheduler,
            configuration: SchedulerFrontEndConfiguration(
                jobEndpoint: jobEndpoint, controlEndpoint: "tcp://127.0.0.1:\(controlPort)", controlToken: token,
                jobCurve: jobCurve?.keys),
            context: context, metrics: metrics, logger: logger)
        let service = SchedulerService(frontEnd: frontEnd, drain: drainSettings) { jobs, control in
            logger.info("ready", metadata: [
                "jobs": "\(jobs)", "worker_tls": "\(workerTLSSettings.map { $0.certificateChainFile == nil ? "on" : "mutual" } ?? "off")", "job_security": "\(jobCurve.map { "CURVE, \($0.keys.allowedClients.count) proxy keys from \($0.allowList), public key \($0.keys.keyPair.publicKey)" } ?? "plaintext")", "control": "\(control)", "proof_type": "\(kind)", "state_file": "\(state)",
                "metrics": "\(metricsTarget ?? "off")",
            ])
            FileHandle.standardError.write(Data("scheduler ready: jobs \(jobs) control \(control)\n".utf8))
        }
        let discovery: [any Service] = discoveryNames.isEmpty ? [] : [
            WorkerDiscoveryService(names: discoveryNames, interval: discoveryEvery, scheduler: scheduler, logger: logger)
        ]
        // Last in the group, so the first to stop on SIGTERM.
        let keyRotation: [any Service] = jobCurve.map {
            [CurveAllowListReloadService(allowList: $0.allowList, link: "job endpoint", logger: logger) { frontEnd.replaceAllowedClients($0) }]
        } ?? []
        let group = ServiceGroup(
            services: (tracing.map { [$0] } ?? []) + [service] + discovery + keyRotation, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    func parsePort(_ text: String) throws -> Int {
        guard let p = Int(text), (0...65535).contains(p) else { throw ValidationError("port '\(text)' is not in 0...65535") }
        return p
    }

    func integer(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw ValidationError("\(name): '\(text)' is not a non-negative integer") }
        return value
    }

    func duration(_ flagValue: String?, env: String, flag: String, default value: Duration) throws -> Duration {
        if let flagValue {
            guard let parsed = DurationParsing.parse(flagValue) else { throw ValidationError("\(flag): '\(flagValue)' is not a duration (e.g. 10s, 500ms, 5m)") }
            return parsed
        }
        if let text = Configuration.environment(env) {
            guard let parsed = DurationParsing.parse(text) else { throw ValidationError("\(env): '\(text)' is not a duration (e.g. 10s, 500ms, 5m)") }
            return parsed
        }
        return value
    }
}
