import Foundation
import Logging
import OTel
import ServiceLifecycle

/// Turns on OpenTelemetry tracing from the standard `OTEL_*` environment variables, through
/// swift-otel: spans are batched and exported over OTLP/gRPC.
///
/// Tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set
/// (and neither `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none`); otherwise nothing is
/// bootstrapped and spans cost nothing (the no-op tracer). `OTEL_SERVICE_NAME` overrides the
/// process's default service name; the other swift-otel variables (`OTEL_TRACES_SAMPLER`,
/// `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_EXPORTER_OTLP_HEADERS`, ...) apply as documented there.
/// Settings this build cannot honour are refused with an error naming the variable, never a trap.
public enum TracingBootstrap {
    /// An `OTEL_*` setting this build does not support.
    public struct UnsupportedSetting: Error, CustomStringConvertible {
        public let variable: String
        public let value: String
        public let supported: String
        public var description: String { "\(variable)=\(value) is not supported: use \(supported)" }
    }

    /// Whether the environment asks for traces.
    public static func isRequested(_ environment: [String: String]) -> Bool {
        func value(_ key: String) -> String? {
            guard let text = environment[key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text.lowercased()
        }
        if value("OTEL_SDK_DISABLED") == "true" || value("OTEL_TRACES_EXPORTER") == "none" { return false }
        return value("OTEL_EXPORTER_OTLP_ENDPOINT") != nil || value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil
    }

    /// Refuses the settings swift-otel would trap on or this build lacks (OTLP/HTTP, other
    /// exporters, propagators and samplers).
    public static func validate(_ environment: [String: String]) throws(UnsupportedSetting) {
        func check(_ variable: String, allowed: Set<String>, supported: String) throws(UnsupportedSetting) {
            guard let raw = environment[variable], !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return }
            for item in raw.split(separator: ",") {
                let name = item.trimmingCharacters(in: .whitespaces).lowercased()
                guard allowed.contains(name) else { throw UnsupportedSetting(variable: variable, value: raw, supported: supported) }
            }
        }
        try check("OTEL_TRACES_EXPORTER", allowed: ["otlp", "none"], supported: "otlp or none")
        try check("OTEL_EXPORTER_OTLP_PROTOCOL", allowed: ["grpc"], supported: "grpc (this build exports OTLP over gRPC only)")
        try check("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", allowed: ["grpc"], supported: "grpc (this build exports OTLP over gRPC only)")
        try check("OTEL_PROPAGATORS", allowed: ["tracecontext", "none"], supported: "tracecontext (W3C) or none")
        try check(
            "OTEL_TRACES_SAMPLER",
            allowed: ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"],
            supported: "always_on, always_off, traceidratio or their parentbased_ forms")
    }

    /// Bootstraps the process-wide tracer when the environment asks for traces and returns the
    /// service that exports spans (run it in the process's `ServiceGroup`, first in the list so it
    /// shuts down last and flushes the spans of the others); nil when tracing is off.
    public static func start(
        serviceName: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (any Service)? {
        guard isRequested(environment) else { return nil }
        try validate(environment)
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.resourceAttributes["service.version"] = ServiceVersion.current
        configuration.diagnosticLogger = .custom(Logger(label: "otel"))
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .grpc
        configuration.traces.otlpExporter.endpoint = "http://localhost:4317"
        let service = try OTel.bootstrap(configuration: configuration, environment: environment)
        Logger(label: serviceName).info("tracing on", metadata: [
            "endpoint": "\(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "")",
            "service_name": "\(environment["OTEL_SERVICE_NAME"] ?? serviceName)",
        ])
        return service
    }
}
