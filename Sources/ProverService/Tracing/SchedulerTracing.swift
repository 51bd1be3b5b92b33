import GRPCCore
import Rollup
import Tracing
import Wire

/// The scheduler's spans: a job (a server span continuing the proxy's trace from the job's
/// `traceparent`), its waits for a worker, and one span per attempt on a worker.
public enum SchedulerTracing {
    /// Runs a job inside its `scheduler.job` span; the reply's outcome marks the span.
    public static func withJobSpan(
        _ job: Mrp_Internal_V1_Job, _ body: () async -> Mrp_Internal_V1_SchedulerReply
    ) async -> Mrp_Internal_V1_SchedulerReply {
        await withSpan(TraceNames.schedulerJob, context: TracePropagation.context(from: job), ofKind: .server) { span in
            span.attributes[TraceAttributes.requestID] = job.requestID
            span.attributes[TraceAttributes.witnessBytes] = job.payload.count
            span.attributes[TraceAttributes.proofType] = ProofKind(wire: job.proofType).map { "\($0)" } ?? "\(job.proofType.rawValue)"
            let reply = await body()
            if case .result(let result) = reply.reply { SpanOutcome.record(result, on: span) }
            return reply
        }
    }

    /// Adds the job's total time waiting for workers to the current job span.
    public static func recordQueueTime(_ queueTime: Duration) {
        let seconds = Double(queueTime.components.seconds) + Double(queueTime.components.attoseconds) / 1e18
        SpanOutcome.currentSpan()?.attributes[TraceAttributes.queueSeconds] = seconds
    }

    /// Starts a `scheduler.queue_wait` span (a child of the current job span).
    public static func startQueueWait(isRetry: Bool) -> any Span {
        let span = startSpan(TraceNames.schedulerQueueWait)
        span.attributes["mrp.retry"] = isRetry
        return span
    }

    /// Starts the `scheduler.attempt` span of attempt `number` (1 = first) on `worker`.
    public static func startAttempt(number: Int, worker: WorkerAddress) -> any Span {
        let span = startSpan(TraceNames.schedulerAttempt, ofKind: .client)
        span.attributes[TraceAttributes.attempt] = number
        span.attributes[TraceAttributes.worker] = worker.description
        return span
    }

    /// Runs `body` (the call to the worker) with the attempt span as the current context, so the
    /// call's metadata carries it to the worker.
    public static func within<T>(
        _ span: any Span, isolation: isolated (any Actor)? = #isolation, _ body: () async -> T
    ) async -> T {
        await InstrumentationContext.$current.withValue(span.context) { await body() }
    }

    /// Ends an attempt span with the worker's answer.
    public static func endAttempt(_ span: any Span, _ result: Result<[UInt8], RPCError>) {
        switch result {
        case .success(let proof):
            if span.isRecording { span.attributes[TraceAttributes.proofBytes] = proof.count }
            SpanOutcome.record(nil, on: span)
        case .failure(let error):
            SpanOutcome.record(error, on: span)
        }
        span.end()
    }
}
