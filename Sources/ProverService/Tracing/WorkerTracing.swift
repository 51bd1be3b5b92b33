import GRPCCore
import Rollup
import Synchronization
import Tracing
import Wire

/// The worker's spans: `worker.prove` (a server span continuing the scheduler's attempt from the
/// call's metadata) with the proof type, witness and proof sizes, and a child span per proving
/// phase (decode, prove, encode).
public enum WorkerTracing {
    /// Runs a Prove call inside its `worker.prove` span; a thrown `RPCError` marks the span failed.
    public static func withProveSpan(
        _ request: ServerRequest<RemoteProver_ProofRequest>,
        _ body: () async throws -> ServerResponse<RemoteProver_Proof>
    ) async throws -> ServerResponse<RemoteProver_Proof> {
        try await withSpan(TraceNames.workerProve, context: TracePropagation.context(from: request.metadata), ofKind: .server) { span in
            span.attributes[TraceAttributes.requestID] = RequestID.from(request.metadata)
            span.attributes[TraceAttributes.witnessBytes] = request.message.payload.count
            span.attributes[TraceAttributes.proofType] = ProofKind(wire: request.message.proofType).map { "\($0)" }
                ?? "\(request.message.proofType.rawValue)"
            do {
                let response = try await body()
                if let proof = try? response.message { span.attributes[TraceAttributes.proofBytes] = proof.payload.count }
                SpanOutcome.record(nil, on: span)
                return response
            } catch let error as RPCError {
                SpanOutcome.record(error, on: span)
                throw error
            }
        }
    }

    /// An observer making a span per proving phase under the current span; nil when that span is
    /// not recorded (tracing off, or the trace not sampled), so the prover is told nothing.
    public static func phaseSpans() -> (any ProvingPhaseObserver)? {
        guard let parent = InstrumentationContext.current, SpanOutcome.currentSpan()?.isRecording == true else { return nil }
        return PhaseSpans(parent: parent)
    }
}

/// Opens and closes one span per proving phase under `parent`; called from the proving thread.
final class PhaseSpans: ProvingPhaseObserver {
    private let parent: InstrumentationContext
    private let open = Mutex<[ProvingPhase: any Span]>([:])

    init(parent: InstrumentationContext) {
        self.parent = parent
    }

    func began(_ phase: ProvingPhase) {
        let span = startSpan(TraceNames.workerPhase(phase), context: parent)
        open.withLock { $0[phase] = span }
    }

    func ended(_ phase: ProvingPhase, failure: ProvingError?) {
        guard let span = open.withLock({ $0.removeValue(forKey: phase) }) else { return }
        if let failure { span.setStatus(SpanStatus(code: .error, message: failure.description)) }
        span.end()
    }
}
