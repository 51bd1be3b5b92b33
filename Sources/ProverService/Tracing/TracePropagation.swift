import GRPCCore
import Tracing
import Wire

/// Moves the trace context across the hops: gRPC metadata (client → proxy, scheduler → worker)
/// and the internal job (proxy → scheduler). With tracing off the instrument is a no-op: nothing
/// is injected and every extracted context is empty.
///
/// A missing or malformed `traceparent` yields a context without a span, so the first span
/// started from it begins a new trace.
public enum TracePropagation {
    /// The trace context carried by `metadata`.
    public static func context(
        from metadata: Metadata, instrument: any Instrument = InstrumentationSystem.instrument
    ) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        instrument.extract(metadata, into: &context, using: GRPCMetadataExtractor())
        return context
    }

    /// Adds `context` (by default the current one) to `metadata`.
    public static func inject(
        _ context: InstrumentationContext = .current ?? .topLevel, into metadata: inout Metadata,
        instrument: any Instrument = InstrumentationSystem.instrument
    ) {
        instrument.inject(context, into: &metadata, using: GRPCMetadataInjector())
    }

    /// The trace context carried by a job's `traceparent` / `tracestate`.
    public static func context(
        from job: Mrp_Internal_V1_Job, instrument: any Instrument = InstrumentationSystem.instrument
    ) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        instrument.extract(JobTraceFields(job), into: &context, using: JobTraceExtractor())
        return context
    }

    /// Writes `context` (by default the current one) into a job's trace fields; with nothing to
    /// inject (tracing off) the job's fields are left as they are.
    public static func inject(
        _ context: InstrumentationContext = .current ?? .topLevel, into job: inout Mrp_Internal_V1_Job,
        instrument: any Instrument = InstrumentationSystem.instrument
    ) {
        var fields = JobTraceFields()
        instrument.inject(context, into: &fields, using: JobTraceInjector())
        guard !fields.traceparent.isEmpty else { return }
        fields.apply(to: &job)
    }
}
