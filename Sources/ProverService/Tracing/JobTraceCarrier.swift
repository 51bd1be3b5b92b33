import Tracing
import Wire

/// The W3C trace context of an internal job (`Job.traceparent`, `Job.tracestate`): the carrier
/// from proxy to scheduler over ZeroMQ. A small value of its own, so nothing logs a job's payload
/// when its trace context is malformed.
public struct JobTraceFields: Sendable, Equatable, CustomStringConvertible {
    public var traceparent: String
    public var tracestate: String

    public init(traceparent: String = "", tracestate: String = "") {
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// The fields of `job`.
    public init(_ job: Mrp_Internal_V1_Job) {
        self.init(traceparent: job.traceparent, tracestate: job.tracestate)
    }

    /// Writes these fields into `job`.
    public func apply(to job: inout Mrp_Internal_V1_Job) {
        job.traceparent = traceparent
        job.tracestate = tracestate
    }

    public var description: String { "traceparent=\(traceparent) tracestate=\(tracestate)" }
}

/// Writes `traceparent` and `tracestate` into ``JobTraceFields``; other keys (e.g. baggage) have
/// no field in the job and are dropped.
public struct JobTraceInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout JobTraceFields) {
        switch key.lowercased() {
        case "traceparent": carrier.traceparent = value
        case "tracestate": carrier.tracestate = value
        default: break
        }
    }
}

/// Reads `traceparent` and `tracestate` from ``JobTraceFields``; an empty field is absent.
public struct JobTraceExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: JobTraceFields) -> String? {
        let value: String
        switch key.lowercased() {
        case "traceparent": value = carrier.traceparent
        case "tracestate": value = carrier.tracestate
        default: return nil
        }
        return value.isEmpty ? nil : value
    }
}
