import Foundation
import GRPCCore
import Logging
import Rollup
import Tracing
import Wire

/// `remote_prover.Api/Prove` on a proxy: refuses what it can (wrong or unknown proof type,
/// oversized payload, rate limit) before anything is queued, then forwards the job to a scheduler
/// with its request id, deadline, client address and trace context, and answers with the proof or
/// the scheduler's gRPC error. Nothing waits past the request's deadline.
public final class ProxyProveService: RemoteProver_Api.ServiceProtocol, Sendable {
    let configuration: ProxyConfiguration
    let pool: SchedulerPool
    let limiter: RateLimiter
    let metrics: MetricEventPublisher?
    let logger: Logger

    public init(configuration: ProxyConfiguration, pool: SchedulerPool, metrics: MetricEventPublisher?, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.limiter = RateLimiter(requestsPerSecond: configuration.maxRequestsPerSecond)
        self.metrics = metrics
        self.logger = logger
    }

    public func prove(
        request: ServerRequest<RemoteProver_ProofRequest>, context: ServerContext
    ) async throws -> ServerResponse<RemoteProver_Proof> {
        let client = clientIP(fromPeer: context.remotePeer)
        return try await ProxyTracing.withRequestSpan(metadata: request.metadata, message: request.message, client: client) { span in
            try await prove(request: request, context: context, client: client, span: span)
        }
    }

    private func prove(
        request: ServerRequest<RemoteProver_ProofRequest>, context: ServerContext, client: String, span: any Span
    ) async throws -> ServerResponse<RemoteProver_Proof> {
        let start = ContinuousClock.now
        let requestID = RequestID.from(request.metadata)
        span.attributes[TraceAttributes.requestID] = requestID
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "client"] = "\(client)"

        let checks = ProxyTracing.startChecks()
        func refuse(_ code: RPCError.Code, _ reason: String, _ message: String) -> RPCError {
            ProxyTracing.endChecks(checks, refusal: reason)
            logger.info("refused", metadata: ["reason": "\(reason)", "message": "\(message)"])
            metrics?.publish(.with {
                $0.proofType = configuration.kind.wire
                $0.requestRejected = .with { r in
                    r.reason = reason
                    r.grpcCode = Int32(code.rawValue)
                    r.clientAddress = client
                }
            })
            return RPCError(code: code, message: message)
        }

        guard limiter.allow(client) else {
            throw refuse(.resourceExhausted, "rate_limited",
                         "rate limit exceeded: at most \(configuration.maxRequestsPerSecond) requests per second per client")
        }
        let message = request.message
        guard let kind = ProofKind(wire: message.proofType) else {
            throw refuse(.invalidArgument, "unknown_proof_type", "unknown proof type \(message.proofType.rawValue)")
        }
        guard kind == configuration.kind else {
            throw refuse(.invalidArgument, "wrong_proof_type", "this proxy serves \(configuration.kind) proofs, not \(kind)")
        }
        guard message.payload.count <= configuration.maxPayloadBytes else {
            throw refuse(.resourceExhausted, "payload_too_large",
                         "payload is \(message.payload.count) bytes; the limit is \(configuration.maxPayloadBytes)")
        }
        ProxyTracing.endChecks(checks)

        var timeout = configuration.timeout
        for value in request.metadata[stringValues: "grpc-timeout"] {
            if let clientTimeout = parseGRPCTimeout(value), clientTimeout < timeout { timeout = clientTimeout }
        }
        let deadlineNanos = Int64(Date().timeIntervalSince1970 * 1e9) + timeout.components.seconds * 1_000_000_000
            + timeout.components.attoseconds / 1_000_000_000
        var job = Mrp_Internal_V1_Job.with {
            $0.requestID = requestID
            $0.proofType = message.proofType
            $0.payload = message.payload
            $0.deadlineUnixNanos = deadlineNanos
            $0.clientAddress = context.remotePeer
            $0.traceparent = request.metadata[stringValues: "traceparent"].first(where: { _ in true }) ?? ""
            $0.tracestate = request.metadata[stringValues: "tracestate"].first(where: { _ in true }) ?? ""
        }
        TracePropagation.inject(into: &job)  // the scheduler's job span becomes a child of this request's span
        let link = pool.pick()
        logger.info("forwarding", metadata: ["scheduler": "\(link.endpoint)", "bytes": "\(message.payload.count)"])
        // A client that goes away is signalled through the RPC's cancellation handle, not task
        // cancellation: stop waiting for its result then.
        let cancellation = context.cancellation
        let watcher = Task {
            try await cancellation.cancelled
            _ = link.abandon(requestID: requestID)
        }
        defer { watcher.cancel() }
        // Wait for the result, the deadline (plus a little for the scheduler's own answer) or the client leaving.
        let roundTrip = ProxyTracing.startRoundTrip(scheduler: link.endpoint)
        let outcome = await withTimeout(timeout + .milliseconds(500)) { [job] () async -> Result<Mrp_Internal_V1_JobResult, any Error> in
            do {
                return .success(try await withTaskCancellationHandler {
                    try await link.submit(job)
                } onCancel: {
                    _ = link.abandon(requestID: requestID)
                })
            } catch {
                return .failure(error)
            }
        }
        // A link that cannot carry the job (refused by the scheduler, closed) says so at once.
        if case .failure(let error as SchedulerLink.LinkError)? = outcome {
            let refusal = RPCError(code: .unavailable, message: error.description)
            SpanOutcome.record(refusal, on: roundTrip)
            roundTrip.end()
            logger.warning("scheduler link unavailable", metadata: ["scheduler": "\(link.endpoint)", "error": "\(error)"])
            metrics?.publish(.with {
                $0.proofType = configuration.kind.wire
                $0.requestRejected = .with { r in
                    r.reason = "scheduler_unavailable"
                    r.grpcCode = Int32(RPCError.Code.unavailable.rawValue)
                    r.clientAddress = client
                }
            })
            throw refusal
        }
        let result = try? outcome?.get()
        ProxyTracing.endRoundTrip(roundTrip, result: result)
        guard let result else {
            _ = link.abandon(requestID: requestID)
            logger.info("deadline exceeded", metadata: ["seconds": "\(start.duration(to: .now))"])
            throw RPCError(code: .deadlineExceeded, message: "no proof before the deadline (\(timeout))")
        }
        switch result.outcome {
        case .proof(let proof):
            logger.info("proved", metadata: ["worker": "\(result.worker)", "attempts": "\(result.attempts)",
                                             "seconds": "\(start.duration(to: .now))"])
            return ServerResponse(message: .with { $0.payload = proof })
        case .failure(let failure):
            logger.info("failed", metadata: ["code": "\(failure.code)", "message": "\(failure.message)"])
            throw RPCError(code: Status.Code(rawValue: Int(failure.code)).flatMap { RPCError.Code($0) } ?? .internalError, message: failure.message)
        case nil:
            throw RPCError(code: .internalError, message: "the scheduler sent an empty result")
        }
    }
}
