import ArgumentParser
import Foundation
import Logging
import ProverService
import ServiceLifecycle
import Wire

/// `metrics-exporter`: subscribes to the proxies' and schedulers' metric events over ZeroMQ and
/// serves them to Prometheus at `/metrics`.
@main
struct MetricsExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics-exporter",
        abstract: "Serves the proving service's metrics to Prometheus: binds a ZeroMQ SUB socket for metric events and an HTTP /metrics endpoint.")

    @Option(help: "HTTP port of /metrics [env: MRP_METRICS_PORT, default 6192].")
    var port: Int?
    @Flag(help: "Bind 127.0.0.1 instead of 0.0.0.0 [env: MRP_METRICS_LOCALHOST].")
    var localhost = false
    @Option(name: .customLong("events-endpoint"), help: "ZeroMQ endpoint to bind for metric events; publishers connect to it [env: MRP_METRICS_EVENTS_ENDPOINT, default tcp://127.0.0.1:8085].")
    var eventsEndpoint: String?
    @Option(name: .customLong("curve-secret-key-file"), help: "The exporter's CURVE secret key (ctl keygen writes NAME.key): the events endpoint is encrypted and authenticated [env: MRP_METRICS_CURVE_SECRET_KEY_FILE, or the key itself in MRP_METRICS_CURVE_SECRET_KEY].")
    var curveSecretKeyFile: String?
    @Option(name: .customLong("curve-allowed-clients"), help: "File of publisher (proxy, scheduler) public keys allowed to send events, one per line [env: MRP_METRICS_CURVE_ALLOWED_CLIENTS_FILE, or comma-separated keys in MRP_METRICS_CURVE_ALLOWED_CLIENTS].")
    var curveAllowedClients: String?
    @Flag(help: "Allow a plaintext events endpoint on a non-loopback address (a network you trust) [env: MRP_METRICS_INSECURE].")
    var insecure = false
    @Option(name: .customLong("max-client-series"), help: "Most client_address series of the rate-limit violation counter, per proof type (the most recent violators) [env: MRP_METRICS_MAX_CLIENT_SERIES, default 100].")
    var maxClientSeries: Int?
    /// Prints the `MRP_*` variables this executable reads, one per line, and exits (for packaging checks).
    @Flag(name: .customLong("print-environment"), help: .hidden)
    var printEnvironment = false

    func run() async throws {
        let variables = MetricsExporterEnvironment()
        if printEnvironment { return print(ServiceEnvironment.listing(variables)) }
        Configuration.bootstrapLogging()
        let logger = Logger(label: "metrics-exporter")
        try EventLoopExecutor.install(logger: logger)
        let events = eventsEndpoint ?? Configuration.environment(variables.eventsEndpoint) ?? MetricsExporterConfiguration.defaultEventsEndpoint
        let eventsCurve: CurveServerSettings?
        do {
            eventsCurve = try CurveKeySettings(keys: variables.curve, allowedClients: variables.curveAllowedClients).server(
                keyFile: curveSecretKeyFile, allowedFile: curveAllowedClients, endpoint: events,
                insecure: Configuration.flag(insecure, environment: variables.insecure), link: "events endpoint")
        } catch {
            throw ValidationError("\(error)")
        }
        let config = MetricsExporterConfiguration(
            port: try port.map(checkPort) ?? Configuration.environment(variables.port).map(parsePort) ?? MetricsExporterConfiguration.defaultPort,
            localhost: localhost || (Configuration.environment(variables.localhost).flatMap(Configuration.bool) ?? false),
            eventsEndpoint: events, eventsCurve: eventsCurve?.keys)
        let clientSeries = try maxClientSeries ?? Configuration.environment(variables.maxClientSeries).map(parseCount) ?? ExporterMetrics.defaultMaxClientSeries
        guard clientSeries >= 1 else { throw ValidationError("--max-client-series must be at least 1, not \(clientSeries)") }
        let metrics = ExporterMetrics(maxClientSeries: clientSeries)
        let service = MetricsExporterService(configuration: config, metrics: metrics, logger: logger) { addresses in
            logger.info("listening", metadata: [
                "metrics": "\(addresses.metricsURL)", "events": "\(addresses.eventsEndpoint)",
                "events_security": "\(eventsCurve.map { "CURVE, \($0.keys.allowedClients.count) publisher keys from \($0.allowList)" } ?? "plaintext")",
            ])
            FileHandle.standardError.write(Data("metrics-exporter ready: \(addresses.metricsURL) events \(addresses.eventsEndpoint)\n".utf8))
        }
        let keyRotation: [any Service] = eventsCurve.map {
            [CurveAllowListReloadService(allowList: $0.allowList, link: "events endpoint", logger: logger) { service.replaceAllowedClients($0) }]
        } ?? []
        let group = ServiceGroup(services: [service] + keyRotation, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    func checkPort(_ value: Int) throws -> Int {
        guard (0...65535).contains(value) else { throw ValidationError("port \(value) is not in 0...65535") }
        return value
    }

    func parseCount(_ text: String) throws -> Int {
        guard let n = Int(text) else { throw ValidationError("\(MetricsExporterEnvironment().maxClientSeries) '\(text)' is not a number") }
        return n
    }

    func parsePort(_ text: String) throws -> Int {
        guard let p = Int(text) else { throw ValidationError("port '\(text)' is not a number") }
        return try checkPort(p)
    }
}
