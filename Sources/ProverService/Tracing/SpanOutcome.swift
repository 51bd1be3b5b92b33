import GRPCCore
import Tracing

/// Marks how the operation behind a span ended: `mrp.outcome` "ok", or the gRPC code's name plus
/// `rpc.grpc.status_code` and an error status carrying the message.
enum SpanOutcome {
    static func record(_ error: RPCError?, on span: any Span) {
        guard let error else {
            span.attributes[TraceAttributes.outcome] = "ok"
            return
        }
        span.attributes[TraceAttributes.outcome] = "\(error.code)"
        span.attributes[TraceAttributes.grpcStatusCode] = error.code.rawValue
        span.setStatus(SpanStatus(code: .error, message: "\(error.code): \(error.message)"))
    }

    /// The span of the current context, when a recording tracer knows it.
    static func currentSpan() -> (any Span)? {
        guard let context = InstrumentationContext.current else { return nil }
        return InstrumentationSystem.tracer.activeSpan(identifiedBy: context)
    }
}
