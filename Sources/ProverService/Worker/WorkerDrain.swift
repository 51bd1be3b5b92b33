import GRPCCore
import STARK
import Synchronization

/// A worker's drain state: whether it still takes proofs, and the proof in hand (so a shutdown can
/// wait for it or cancel it).
///
/// Once ``begin()`` has been called every new `Prove` gets UNAVAILABLE carrying the
/// ``refusalMetadataKey`` trailer, which tells the scheduler the worker did no work (it places the
/// job on another worker without counting an attempt).
public final class WorkerDrain: Sendable {
    /// The trailer a draining worker's refusal carries (value "draining").
    public static let refusalMetadataKey = "mrp-worker-draining"

    private struct State {
        var draining = false
        var inHand: ProofCancellation?
        var cancelledForShutdown = false
    }

    private let state = Mutex(State())

    public init() {}

    /// True once the worker has begun to drain.
    public var isDraining: Bool { state.withLock { $0.draining } }

    /// True while a proof is being made.
    public var hasProofInHand: Bool { state.withLock { $0.inHand != nil } }

    /// Stops taking new proofs (the proof in hand runs on).
    public func begin() { state.withLock { $0.draining = true } }

    /// Throws the UNAVAILABLE refusal while draining.
    func admit() throws(RPCError) {
        guard isDraining else { return }
        throw Self.refusal
    }

    static var refusal: RPCError {
        var metadata = Metadata()
        metadata.addString("draining", forKey: refusalMetadataKey)
        return RPCError(code: .unavailable, message: "worker is shutting down and takes no new proofs; use another worker", metadata: metadata)
    }

    /// Records the proof now in hand (its flag is what ``cancelProofInHand(reason:)`` sets), or
    /// throws the refusal if the drain has begun. One locked step: a drain that begins at any moment
    /// either sees this proof in hand (and waits for it) or makes this call refuse it, never neither.
    func proofStarted(_ cancellation: ProofCancellation) throws(RPCError) {
        let admitted = state.withLock { state -> Bool in
            guard !state.draining else { return false }
            state.inHand = cancellation
            state.cancelledForShutdown = false
            return true
        }
        guard admitted else { throw Self.refusal }
    }

    /// The proof in hand has ended; returns whether the shutdown cancelled it.
    @discardableResult
    func proofEnded() -> Bool {
        state.withLock { state in
            state.inHand = nil
            return state.cancelledForShutdown
        }
    }

    /// Cancels the proof in hand (the grace period is over); returns whether there was one.
    @discardableResult
    public func cancelProofInHand(reason: String) -> Bool {
        state.withLock { state in
            guard let proof = state.inHand else { return false }
            state.cancelledForShutdown = true
            proof.cancel(reason: reason)
            return true
        }
    }

    /// Waits until no proof is in hand or `limit` has passed; returns true when idle.
    public func waitUntilIdle(within limit: Duration, poll: Duration = .milliseconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while hasProofInHand {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: min(poll, ContinuousClock.now.duration(to: deadline)))
        }
        return true
    }
}

extension WorkerDrain {
    /// The error for a proof the shutdown cancelled: UNAVAILABLE with the drain trailer, so the
    /// scheduler proves the job on another worker.
    static func shutdownCancellation(_ why: String) -> RPCError {
        var metadata = Metadata()
        metadata.addString("cancelled", forKey: refusalMetadataKey)
        return RPCError(code: .unavailable, message: "worker shut down before the proof was finished (\(why)); use another worker", metadata: metadata)
    }
}

extension WorkerProveService {
    /// Runs `body` (a proof on a dispatch thread) with `cancellation` set when gRPC cancels the call
    /// (its deadline passed, the caller reset the stream) or the handler's task is cancelled.
    static func whileCancellable<T>(_ cancellation: ProofCancellation, _ body: () async -> T) async -> T {
        await withRPCCancellationHandler {
            await withTaskCancellationHandler {
                await body()
            } onCancel: {
                cancellation.cancel(reason: "the call was cancelled")
            }
        } onCancelRPC: {
            cancellation.cancel(reason: "the call was cancelled or its deadline passed")
        }
    }
}
