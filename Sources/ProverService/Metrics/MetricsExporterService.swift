import Logging
import Synchronization
import Wire
import ServiceLifecycle

/// Where a running exporter listens.
public struct MetricsExporterAddresses: Sendable, Hashable {
    /// The HTTP host bound.
    public let host: String
    /// The HTTP port bound.
    public let port: Int
    /// The ZeroMQ endpoint the SUB socket bound.
    public let eventsEndpoint: String

    /// The scrape URL.
    public var metricsURL: String { "http://\(host):\(port)/metrics" }
}

/// Settings of the metrics exporter.
public struct MetricsExporterConfiguration: Sendable, Hashable {
    /// Default HTTP port of `/metrics`.
    public static let defaultPort = 6192
    /// Default endpoint the SUB socket binds.
    public static let defaultEventsEndpoint = "tcp://127.0.0.1:8085"

    /// The HTTP port (0 picks a free one).
    public var port: Int
    /// Bind 127.0.0.1 instead of 0.0.0.0.
    public var localhost: Bool
    /// The ZeroMQ endpoint to bind for metric events.
    public var eventsEndpoint: String
    /// CURVE on the events endpoint: the exporter's key pair and the publisher keys it accepts; nil = plaintext.
    public var eventsCurve: ZMQCurveServerKeys?

    /// Creates a configuration.
    public init(
        port: Int = defaultPort, localhost: Bool = false, eventsEndpoint: String = defaultEventsEndpoint,
        eventsCurve: ZMQCurveServerKeys? = nil
    ) {
        self.eventsCurve = eventsCurve
        self.port = port
        self.localhost = localhost
        self.eventsEndpoint = eventsEndpoint
    }

    /// The HTTP host to bind.
    public var host: String { localhost ? "127.0.0.1" : "0.0.0.0" }
}

/// The metrics exporter as a swift-service-lifecycle service: binds the event socket and the HTTP
/// server, reports readiness, and on graceful shutdown stops both.
public struct MetricsExporterService: Service {
    /// The metrics the events update.
    public let metrics: ExporterMetrics
    private let configuration: MetricsExporterConfiguration
    private let logger: Logger
    private let onReady: @Sendable (MetricsExporterAddresses) -> Void
    private let running = RunningExporter()

    /// The exporter while ``run()`` serves (shared by copies of the service).
    private final class RunningExporter: Sendable {
        let exporter = Mutex<MetricsExporter?>(nil)
    }

    /// Creates the service; `onReady` runs once both sockets are bound.
    public init(
        configuration: MetricsExporterConfiguration, metrics: ExporterMetrics = ExporterMetrics(), logger: Logger,
        onReady: @escaping @Sendable (MetricsExporterAddresses) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        let exporter = try await MetricsExporter.start(configuration, metrics: metrics, logger: logger)
        running.exporter.withLock { $0 = exporter }
        onReady(exporter.addresses)
        try? await gracefulShutdown()
        running.exporter.withLock { $0 = nil }
        await exporter.stop()
    }

    /// Replaces the publisher keys the running exporter's CURVE events endpoint admits; nil when it
    /// is plaintext or not running.
    public func replaceAllowedClients(_ keys: Set<String>) -> ZMQAuthenticator.AllowListChange? {
        running.exporter.withLock { $0 }?.replaceAllowedClients(keys)
    }
}

/// A running exporter (subscriber thread + HTTP server), for direct use in tests and embedding.
public final class MetricsExporter: Sendable {
    /// Where it listens.
    public let addresses: MetricsExporterAddresses
    /// The metrics it serves.
    public let metrics: ExporterMetrics
    private let subscriber: MetricEventSubscriber
    private let server: MetricsHTTPServer

    private init(addresses: MetricsExporterAddresses, metrics: ExporterMetrics, subscriber: MetricEventSubscriber, server: MetricsHTTPServer) {
        self.addresses = addresses
        self.metrics = metrics
        self.subscriber = subscriber
        self.server = server
    }

    /// Binds the event socket, then the HTTP server.
    public static func start(
        _ configuration: MetricsExporterConfiguration, metrics: ExporterMetrics = ExporterMetrics(), logger: Logger
    ) async throws -> MetricsExporter {
        let subscriber = MetricEventSubscriber(metrics: metrics, logger: logger)
        let endpoint = try await subscriber.start(endpoint: configuration.eventsEndpoint, curve: configuration.eventsCurve)
        let server: MetricsHTTPServer
        do {
            server = try await MetricsHTTPServer.start(host: configuration.host, port: configuration.port) {
                metrics.render()
            }
        } catch {
            await subscriber.stop()
            throw error
        }
        let addresses = MetricsExporterAddresses(host: configuration.host, port: server.port, eventsEndpoint: endpoint)
        return MetricsExporter(addresses: addresses, metrics: metrics, subscriber: subscriber, server: server)
    }

    /// Replaces the publisher keys a CURVE events endpoint admits; nil for a plaintext one.
    public func replaceAllowedClients(_ keys: Set<String>) -> ZMQAuthenticator.AllowListChange? {
        subscriber.replaceAllowedClients(keys)
    }

    /// Stops the HTTP server and the subscriber thread.
    public func stop() async {
        await server.stop()
        await subscriber.stop()
    }
}
