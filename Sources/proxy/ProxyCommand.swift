import ArgumentParser
import Foundation
import Logging
import ProverService
import Rollup
import ServiceLifecycle
import Wire

/// `proxy`: the public gRPC endpoint for one proof type, forwarding jobs to schedulers over ZeroMQ.
@main
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Serves remote_prover.Api/Prove, ProxyStatusApi/Status and health; forwards jobs to schedulers.")

    @Option(name: .customLong("proof-type"), help: "transaction, batch or block [env: MRP_PROOF_TYPE, default transaction].")
    var proofType: String?
    @Option(help: "Port for clients [env: MRP_PORT, default 8082].") var port: Int?
    @Option(name: .customLong("status-port"), help: "Extra port serving status and health only [env: MRP_STATUS_PORT].")
    var statusPort: Int?
    @Flag(help: "Bind 127.0.0.1 instead of 0.0.0.0 [env: MRP_PROXY_LOCALHOST].") var localhost = false
    @Option(help: "Scheduler job endpoints, comma-separated [env: MRP_SCHEDULER_ENDPOINTS, default tcp://127.0.0.1:8084].")
    var scheduler: String?
    @Option(help: "Longest time a request may take, e.g. 100s [env: MRP_TIMEOUT, default 100s].") var timeout: String?
    @Option(name: .customLong("max-req-per-sec"), help: "Requests per second per client IP, 0 = unlimited [env: MRP_MAX_REQ_PER_SEC, default 5].")
    var maxRequestsPerSecond: Double?
    @Option(name: .customLong("max-payload-bytes"), help: "Largest witness accepted [env: MRP_MAX_PAYLOAD_BYTES, default 67108864].")
    var maxPayloadBytes: Int?
    @Option(name: .customLong("metrics-endpoint"), help: "Metrics exporter events endpoint [env: MRP_METRICS_EVENTS_ENDPOINT].")
    var metricsEndpoint: String?
    @Option(name: .customLong("grace-period"), help: "After SIGTERM, how long calls in flight may go on, e.g. 20s [env: MRP_GRACE_PERIOD, default 20s].")
    var gracePeriod: String?
    @Option(name: .customLong("graceful-shutdown-timeout"), help: "Bound on the final shutdown step after the grace period, e.g. 5s [env: MRP_GRACEFUL_SHUTDOWN_TIMEOUT, default 5s].")
    var gracefulShutdownTimeout: String?
    @Option(name: .customLong("tls-cert-file"), help: "PEM certificate chain: serve gRPC over TLS instead of h2c [env: MRP_PROXY_TLS_CERT_FILE].")
    var tlsCertFile: String?
    @Option(name: .customLong("tls-key-file"), help: "PEM private key of that certificate [env: MRP_PROXY_TLS_KEY_FILE].")
    var tlsKeyFile: String?
    @Option(name: .customLong("tls-client-ca-file"), help: "PEM CA: clients must present a certificate it signed (mutual TLS) [env: MRP_PROXY_TLS_CLIENT_CA_FILE].")
    var tlsClientCAFile: String?
    @Option(name: .customLong("curve-secret-key-file"), help: "The proxy's CURVE secret key (ctl keygen writes NAME.key): links to schedulers are encrypted and authenticated [env: MRP_PROXY_CURVE_SECRET_KEY_FILE, or the key itself in MRP_PROXY_CURVE_SECRET_KEY].")
    var curveSecretKeyFile: String?
    @Option(name: .customLong("scheduler-public-key"), help: "The schedulers' CURVE public key, or a file holding it (NAME.pub) [env: MRP_SCHEDULER_PUBLIC_KEY].")
    var schedulerPublicKey: String?
    @Option(name: .customLong("metrics-public-key"), help: "The metrics exporter's CURVE public key, or a file holding it: metric events go encrypted, signed with this proxy's key [env: MRP_METRICS_PUBLIC_KEY].")
    var metricsPublicKey: String?
    @Flag(help: "Allow plaintext links to schedulers or the metrics exporter on other hosts (a network you trust) [env: MRP_PROXY_INSECURE].")
    var insecure = false
    @Option(name: .customLong("grpc-web-port"), help: "Port serving gRPC-Web (HTTP/1.1 and h2c) with CORS for browsers; off when unset [env: MRP_GRPC_WEB_PORT].")
    var grpcWebPort: Int?
    @Option(name: .customLong("grpc-web-allowed-origins"), help: "Origins browsers may call gRPC-Web from, comma-separated, or * [env: MRP_GRPC_WEB_ALLOWED_ORIGINS, default *].")
    var grpcWebAllowedOrigins: String?
    /// Prints the `MRP_*` variables this executable reads, one per line, and exits (for packaging checks).
    @Flag(name: .customLong("print-environment"), help: .hidden)
    var printEnvironment = false

    func run() async throws {
        let variables = ProxyEnvironment()
        if printEnvironment { return print(ServiceEnvironment.listing(variables)) }
        Configuration.bootstrapLogging()
        let logger = Logger(label: "proxy")
        try EventLoopExecutor.install(logger: logger)
        let tracing = try TracingBootstrap.start(serviceName: "mrp-proxy")
        let env = Configuration.environment
        let typeName = proofType ?? env(variables.proofType) ?? "transaction"
        guard let kind = ProofKind(name: typeName) else { throw ValidationError("unknown proof type '\(typeName)': transaction, batch or block") }
        let timeoutText = timeout ?? env(variables.timeout) ?? "100s"
        let tls: ServerTLSSettings?
        do { tls = try ServerTLSSettings.resolve(certificate: tlsCertFile, key: tlsKeyFile, clientCA: tlsClientCAFile, variables: variables.tls) } catch {
            throw ValidationError(error.description)
        }
        let config = ProxyConfiguration(
            kind: kind,
            port: port ?? env(variables.port).flatMap(Int.init) ?? ProxyConfiguration.defaultPort,
            statusPort: statusPort ?? env(variables.statusPort).flatMap(Int.init),
            localhost: localhost || (env(variables.localhost).flatMap(Configuration.bool) ?? false),
            schedulers: (scheduler ?? env(variables.schedulers) ?? ProxyConfiguration.defaultScheduler)
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            timeout: try DurationParsing.parse(timeoutText, setting: "--timeout"),
            maxRequestsPerSecond: maxRequestsPerSecond ?? env(variables.maxRequestsPerSecond).flatMap(Double.init) ?? 5,
            maxPayloadBytes: maxPayloadBytes ?? env(variables.maxPayloadBytes).flatMap(Int.init) ?? ProxyConfiguration.defaultMaxPayloadBytes,
            metricsEndpoint: metricsEndpoint ?? env(variables.metrics.endpoint), tls: tls)
        guard !config.schedulers.isEmpty else { throw ValidationError("--scheduler needs at least one endpoint") }
        let drainSettings: DrainSettings
        do { drainSettings = try DrainSettings.resolve(gracePeriod: gracePeriod, shutdownTimeout: gracefulShutdownTimeout, variables: variables.drain) } catch {
            throw ValidationError(error.description)
        }

        let security = try linkSecurity(schedulers: config.schedulers, metricsEndpoint: config.metricsEndpoint, variables: variables)

        let context = try ZMQContext()
        let pool = try SchedulerPool(endpoints: config.schedulers, context: context, security: security.schedulers, logger: logger)
        let metrics = try config.metricsEndpoint.map {
            try MetricEventPublisher(endpoint: $0, source: "proxy:\(config.port)", context: context, security: security.metrics, logger: logger)
        }
        let gate = DrainGate(services: ["remote_prover.Api"], refusal: "proxy is shutting down; send the request to another proxy")
        let grpcWeb = try GRPCWebSettings.configuration(port: grpcWebPort, allowedOrigins: grpcWebAllowedOrigins, proxy: config, variables: variables, env: env)
        let (servers, health, webServer) = ProxyServer.make(config, pool: pool, metrics: metrics, logger: logger, gate: gate, grpcWeb: grpcWeb)
        // Both servers drain through the one gate (it counts Api calls on either). ServiceGroup shuts
        // services down one by one in reverse order: the gRPC servers first (health NOT_SERVING and
        // the gate closed at once, then they wait for every call in flight), then gRPC-Web, then tracing.
        let serving: [any Service] = (webServer.map { [DrainingGRPCServerService(server: $0, gate: gate, settings: drainSettings, logger: logger)] } ?? [])
            + servers.map {
                DrainingGRPCServerService(server: $0, gate: gate, settings: drainSettings, logger: logger, onShutdown: { health.markNotServing() })
            }
        let group = ServiceGroup(
            services: (tracing.map { [$0] } ?? []) + serving,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        Task {
            if let address = try await servers[0].listeningAddress {
                logger.info("listening", metadata: [
                    "address": "\(address)", "proof_type": "\(kind)", "schedulers": "\(config.schedulers)",
                    "scheduler_link": "\(security.schedulers.isCurve ? "CURVE" : "plaintext")",
                    "metrics_link": "\(security.metrics.isCurve ? "CURVE" : "plaintext")",
                    "tls": "\(ServerTLSSettings.mode(tls))",
                ])
                FileHandle.standardError.write(Data("proxy ready: \(kind) on \(address)\n".utf8))
            }
            if let webServer, let address = try? await webServer.transport.listeningAddress {
                logger.info("gRPC-Web listening", metadata: ["address": "\(address)", "allowed_origins": "\(grpcWeb?.allowedOrigins ?? [])"])
            }
        }
        try await group.run()
        pool.close()
        metrics?.close()
    }

    /// CURVE links to the schedulers and the metrics exporter when keys are given; plaintext only to
    /// loopback or with `--insecure`.
    func linkSecurity(schedulers: [String], metricsEndpoint: String?, variables: ProxyEnvironment) throws -> (schedulers: ZMQLinkSecurity, metrics: ZMQLinkSecurity) {
        do {
            let pair = try CurveKeySettings(keys: variables.curve).keyPair(file: curveSecretKeyFile)
            let trusted = Configuration.flag(insecure, environment: variables.insecure)
            let schedulerLinks = try CurveKeySettings.clientSecurity(
                pair: pair, serverKey: try (schedulerPublicKey ?? Configuration.environment(variables.schedulerPublicKey)).map(ZMQCurveKeyFiles.publicKey),
                endpoints: schedulers, insecure: trusted, link: "link to scheduler",
                keysHint: "give --curve-secret-key-file and --scheduler-public-key (ctl keygen writes keys)")
            let metricsLink = try CurveKeySettings.metricEventLink(exporterKey: metricsPublicKey, pair: pair, endpoint: metricsEndpoint, insecure: trusted, variables: variables.metrics)
            return (schedulerLinks, metricsLink)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
