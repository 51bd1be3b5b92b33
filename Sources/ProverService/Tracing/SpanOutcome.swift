import GRPCCore
import Tracing
import Wire

/// Marks how the operation behind a span ended: `mrp.outcome` "ok", or the gRPC code's name plus
/// `rpc.grpc.status_code` and an error status carrying the message.
enum SpanOutcome {
    static func record(_ error: RPCError?, on span: any Span) {
        guard span.isRecording else { return }  // tracing off: no attribute work per request
        guard let error else {
            span.attributes[TraceAttributes.outcome] = "ok"
            return
        }
        span.attributes[TraceAttributes.outcome] = "\(error.code)"
        span.attributes[TraceAttributes.grpcStatusCode] = error.code.rawValue
        span.setStatus(SpanStatus(code: .error, message: "\(error.code): \(error.message)"))
    }

    /// Records a scheduler's job result: its attempts, last worker and outcome.
    static func record(_ result: Mrp_Internal_V1_JobResult, on span: any Span) {
        guard span.isRecording else { return }
        span.attributes[TraceAttributes.attempts] = Int(result.attempts)
        if !result.worker.isEmpty { span.attributes[TraceAttributes.worker] = result.worker }
        if case .failure(let failure) = result.outcome {
            let code = Status.Code(rawValue: Int(failure.code)).flatMap { RPCError.Code($0) } ?? .unknown
            record(RPCError(code: code, message: failure.message), on: span)
        } else {
            record(nil, on: span)
        }
    }

    /// The span of the current context, when a recording tracer knows it.
    static func currentSpan() -> (any Span)? {
        guard let context = InstrumentationContext.current else { return nil }
        return InstrumentationSystem.tracer.activeSpan(identifiedBy: context)
    }
}
