import GRPCCore
import Rollup
import Tracing
import Wire

/// The proxy's spans: the request (a server span continuing the client's `traceparent`, or a new
/// trace), its admission checks and its round trip to a scheduler.
public enum ProxyTracing {
    /// Runs a Prove call inside its `proxy.prove` span; a thrown `RPCError` marks the span failed.
    public static func withRequestSpan<Response>(
        metadata: Metadata, message: RemoteProver_ProofRequest, client: String,
        _ body: (any Span) async throws -> Response
    ) async throws -> Response {
        try await withSpan(TraceNames.proxyRequest, context: TracePropagation.context(from: metadata), ofKind: .server) { span in
            span.attributes[TraceAttributes.client] = client
            span.attributes[TraceAttributes.witnessBytes] = message.payload.count
            span.attributes[TraceAttributes.proofType] = ProofKind(wire: message.proofType).map { "\($0)" } ?? "\(message.proofType.rawValue)"
            do {
                let response = try await body(span)
                SpanOutcome.record(nil, on: span)
                return response
            } catch let error as RPCError {
                SpanOutcome.record(error, on: span)
                throw error
            }
        }
    }

    /// Starts the `proxy.checks` span (a child of the current request span).
    public static func startChecks() -> any Span {
        startSpan(TraceNames.proxyChecks)
    }

    /// Ends the checks span, failed with `reason` when a check refused the request.
    public static func endChecks(_ span: any Span, refusal reason: String? = nil) {
        if let reason {
            span.attributes[TraceAttributes.refusal] = reason
            span.setStatus(SpanStatus(code: .error, message: reason))
        }
        span.end()
    }

    /// Starts the `proxy.scheduler_round_trip` span for a job sent to `scheduler`.
    public static func startRoundTrip(scheduler: String) -> any Span {
        let span = startSpan(TraceNames.proxySchedulerRoundTrip, ofKind: .client)
        span.attributes[TraceAttributes.scheduler] = scheduler
        return span
    }

    /// Ends the round-trip span with the scheduler's result (nil: no result before the deadline).
    public static func endRoundTrip(_ span: any Span, result: Mrp_Internal_V1_JobResult?) {
        if let result {
            SpanOutcome.record(result, on: span)
        } else {
            SpanOutcome.record(RPCError(code: .deadlineExceeded, message: "no result before the deadline"), on: span)
        }
        span.end()
    }
}
