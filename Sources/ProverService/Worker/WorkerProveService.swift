import Dispatch
import GRPCCore
import Logging
import Rollup
import STARK
import Synchronization
import Wire

/// `remote_prover.Api/Prove` on a worker: proves one request at a time with the backend, on a
/// dispatch thread (never on the gRPC event loops), so status and health keep answering.
///
/// A second request while one is proving gets RESOURCE_EXHAUSTED at once (never queued); a request
/// of another proof type, an unknown proof type number or an undecodable witness gets
/// INVALID_ARGUMENT with a message naming the problem. While the worker drains (``drain``), new
/// requests get UNAVAILABLE. A call cancelled by its caller or its deadline stops the proof at the
/// prover's next phase boundary (CANCELLED), which frees the worker.
public final class WorkerProveService: RemoteProver_Api.ServiceProtocol, Sendable {
    public let kind: ProofKind
    private let backend: ProvingBackend
    private let busy = Mutex(false)
    private let logger: Logger
    /// Refuses new proofs once the worker drains; holds the proof in hand for the shutdown.
    public let drain = WorkerDrain()

    public init(kind: ProofKind, backend: ProvingBackend, logger: Logger) {
        self.kind = kind
        self.backend = backend
        self.logger = logger
    }

    /// True while a proof is being made.
    public var isBusy: Bool { busy.withLock { $0 } }

    public func prove(
        request: ServerRequest<RemoteProver_ProofRequest>, context: ServerContext
    ) async throws -> ServerResponse<RemoteProver_Proof> {
        try await WorkerTracing.withProveSpan(request) {
            var logger = self.logger
            logger[metadataKey: "request_id"] = "\(RequestID.from(request.metadata))"
            logger[metadataKey: "peer"] = "\(context.remotePeer)"
            let proof = try await prove(request.message, logger: logger)
            return ServerResponse(message: proof)
        }
    }

    func prove(_ request: RemoteProver_ProofRequest, logger: Logger) async throws -> RemoteProver_Proof {
        try drain.admit()
        guard let requested = ProofKind(wire: request.proofType) else {
            logger.info("refused: unknown proof type", metadata: ["proof_type": "\(request.proofType.rawValue)"])
            throw RPCError(code: .invalidArgument, message: "unknown proof type \(request.proofType.rawValue)")
        }
        guard requested == kind else {
            logger.info("refused: wrong proof type", metadata: ["proof_type": "\(requested)"])
            throw RPCError(code: .invalidArgument, message: "this worker proves \(kind) proofs, not \(requested)")
        }
        let acquired = busy.withLock { isBusy -> Bool in
            if isBusy { return false }
            isBusy = true
            return true
        }
        guard acquired else {
            logger.info("refused: busy")
            throw RPCError(code: .resourceExhausted, message: "worker is busy with another proof")
        }
        defer { busy.withLock { $0 = false } }

        logger.info("proving", metadata: ["bytes": "\(request.payload.count)"])
        let start = ContinuousClock.now
        let backend = self.backend
        let kind = self.kind
        let payload = [UInt8](request.payload)
        let cancellation = ProofCancellation()
        try drain.proofStarted(cancellation)
        let phases = WorkerTracing.phaseSpans()
        let result: Result<[UInt8], ProvingError> = await Self.whileCancellable(cancellation) {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async {
                    do throws(ProvingError) {
                        continuation.resume(returning: .success(
                            try backend.prove(kind, payload: payload, cancellation: cancellation, phases: phases)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        }
        let cancelledForShutdown = drain.proofEnded()
        let elapsed = ContinuousClock.now - start
        switch result {
        case .success(let proof):
            logger.info("proved", metadata: ["seconds": "\(elapsed)", "proof_bytes": "\(proof.count)"])
            return .with { $0.payload = .init(proof) }
        case .failure(.cancelled(let why)):
            logger.info("proof cancelled", metadata: ["seconds": "\(elapsed)", "reason": "\(why)"])
            throw cancelledForShutdown ? WorkerDrain.shutdownCancellation(why) : RPCError(code: .cancelled, message: why)
        case .failure(let error):
            logger.info("refused: bad witness", metadata: ["error": "\(error)"])
            throw RPCError(code: .invalidArgument, message: error.description)
        }
    }
}
