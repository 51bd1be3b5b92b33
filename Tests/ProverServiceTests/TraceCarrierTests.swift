import Foundation
import GRPCCore
import Logging
import OTel
import Testing
import Tracing
import ProverService
import Wire

/// The trace context carriers (gRPC metadata, the internal job's fields) with swift-otel's W3C
/// propagator, and the tracing settings read from the environment.
@Suite struct TraceCarrierTests {
    /// A real swift-otel tracer (W3C propagator, always-on sampling) that exports nothing; not
    /// bootstrapped globally, so tests stay independent.
    static let tracer: any Tracer = {
        var configuration = OTel.Configuration.default
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .none
        configuration.diagnosticLogger = .custom(Logger(label: "otel-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try! OTel.makeTracingBackend(configuration: configuration).factory
    }()

    static func parts(_ traceparent: String) -> [String] {
        traceparent.split(separator: "-").map(String.init)
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.count == count && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    @Test func metadataRoundTripKeepsTraceAndParent() throws {
        let tracer = Self.tracer
        let client = tracer.startSpan("client", context: .topLevel)
        defer { client.end() }
        var metadata = Metadata()
        metadata.addString("keep-me", forKey: "x-request-id")
        TracePropagation.inject(client.context, into: &metadata, instrument: tracer)
        let sent = try #require(metadata[stringValues: "traceparent"].first(where: { _ in true }))
        let fields = Self.parts(sent)
        #expect(fields.count == 4 && fields[0] == "00" && fields[3] == "01")
        #expect(Self.isHex(fields[1], count: 32) && Self.isHex(fields[2], count: 16))
        #expect(fields[1] == client.context.otelTraceID)
        #expect(metadata[stringValues: "x-request-id"].first(where: { _ in true }) == "keep-me")

        let received = TracePropagation.context(from: metadata, instrument: tracer)
        #expect(received.otelTraceID == fields[1])
        // The extracted remote parent re-injects unchanged: trace id and parent span id survive the hop.
        var forwarded = Metadata()
        TracePropagation.inject(received, into: &forwarded, instrument: tracer)
        #expect(forwarded[stringValues: "traceparent"].first(where: { _ in true }) == sent)

        // A span started from it continues the trace with a span id of its own.
        let server = tracer.startSpan("server", context: received)
        defer { server.end() }
        var next = Metadata()
        TracePropagation.inject(server.context, into: &next, instrument: tracer)
        let nextFields = Self.parts(try #require(next[stringValues: "traceparent"].first(where: { _ in true })))
        #expect(nextFields[1] == fields[1])
        #expect(nextFields[2] != fields[2])
        // Injecting twice replaces, never duplicates, the header.
        TracePropagation.inject(server.context, into: &next, instrument: tracer)
        #expect(Array(next[stringValues: "traceparent"]).count == 1)
    }

    @Test func jobRoundTripCarriesTraceparentAndTracestate() throws {
        let tracer = Self.tracer
        var incoming = Metadata()
        incoming.addString("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", forKey: "traceparent")
        incoming.addString("vendor=value", forKey: "tracestate")
        let request = tracer.startSpan("proxy.prove", context: TracePropagation.context(from: incoming, instrument: tracer))
        defer { request.end() }
        var job = Mrp_Internal_V1_Job.with { $0.requestID = "r1"; $0.payload = Data([1, 2, 3]) }
        TracePropagation.inject(request.context, into: &job, instrument: tracer)
        let fields = Self.parts(job.traceparent)
        #expect(fields.count == 4)
        #expect(fields[1] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(fields[2] != "00f067aa0ba902b7")  // the proxy's own span is the scheduler's parent
        #expect(job.tracestate == "vendor=value")
        #expect(job.requestID == "r1" && job.payload == Data([1, 2, 3]))

        let atScheduler = TracePropagation.context(from: job, instrument: tracer)
        #expect(atScheduler.otelTraceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        var again = Mrp_Internal_V1_Job()
        TracePropagation.inject(atScheduler, into: &again, instrument: tracer)
        #expect(again.traceparent == job.traceparent)
        #expect(again.tracestate == job.tracestate)
    }

    @Test(arguments: [
        "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-XYZ-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-" + String(repeating: "a", count: 64) + "-00f067aa0ba902b7-01",
    ])
    func malformedTraceparentIsIgnoredAndANewTraceStarts(_ traceparent: String) throws {
        let tracer = Self.tracer
        var metadata = Metadata()
        metadata.addString(traceparent, forKey: "traceparent")
        let fromMetadata = TracePropagation.context(from: metadata, instrument: tracer)
        #expect(fromMetadata.otelTraceID == nil)
        let fromJob = TracePropagation.context(from: .with { $0.traceparent = traceparent }, instrument: tracer)
        #expect(fromJob.otelTraceID == nil)

        let span = tracer.startSpan("proxy.prove", context: fromMetadata)
        defer { span.end() }
        let traceID = try #require(span.context.otelTraceID)
        #expect(Self.isHex(traceID, count: 32))
        #expect(!traceparent.contains(traceID))
        var job = Mrp_Internal_V1_Job()
        TracePropagation.inject(span.context, into: &job, instrument: tracer)
        #expect(Self.parts(job.traceparent)[1] == traceID)
    }

    @Test func tracingOffInjectsNothingAndKeepsTheJobsFields() {
        let off = NoOpTracer()
        var metadata = Metadata()
        metadata.addString("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", forKey: "traceparent")
        let context = TracePropagation.context(from: metadata, instrument: off)
        #expect(context.otelTraceID == nil)
        var outgoing = Metadata()
        TracePropagation.inject(context, into: &outgoing, instrument: off)
        #expect(outgoing.isEmpty)
        var job = Mrp_Internal_V1_Job.with { $0.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }
        TracePropagation.inject(context, into: &job, instrument: off)
        #expect(job.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }

    @Test func tracingIsOnlyRequestedWithAnEndpoint() {
        #expect(!TracingBootstrap.isRequested([:]))
        #expect(!TracingBootstrap.isRequested(["OTEL_SERVICE_NAME": "x", "OTEL_EXPORTER_OTLP_ENDPOINT": " "]))
        #expect(TracingBootstrap.isRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"]))
        #expect(TracingBootstrap.isRequested(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4317"]))
        #expect(!TracingBootstrap.isRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_SDK_DISABLED": "true"]))
        #expect(!TracingBootstrap.isRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_TRACES_EXPORTER": "none"]))
    }

    @Test(arguments: [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"),
        ("OTEL_PROPAGATORS", "tracecontext,baggage"), ("OTEL_TRACES_SAMPLER", "jaeger_remote"), ("OTEL_TRACES_EXPORTER", "zipkin"),
    ])
    func unsupportedSettingsAreRefusedByName(_ variable: String, _ value: String) {
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", variable: value]
        do {
            try TracingBootstrap.validate(environment)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.description.contains(variable))
        }
        #expect(throws: TracingBootstrap.UnsupportedSetting.self) {
            _ = try TracingBootstrap.start(serviceName: "test", environment: environment)
        }
    }

    @Test func supportedSettingsPass() throws {
        try TracingBootstrap.validate([
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_PROPAGATORS": "tracecontext", "OTEL_TRACES_SAMPLER": "parentbased_always_on",
            "OTEL_TRACES_EXPORTER": "otlp",
        ])
    }
}
