import Synchronization

/// A flag that stops a proof in progress. The caller keeps it and calls ``cancel(reason:)`` from any
/// thread (a passed deadline, a shutdown); the prover checks it between its phases (assertion
/// check, trace commit, auxiliary commit, constraint evaluation, composition commit, out-of-domain,
/// DEEP, every FRI layer, grinding, queries, verifying the proof) and then throws `StarkError.cancelled`. A check is one relaxed
/// atomic load, so an unused flag costs nothing measurable; the time to stop is at most one phase.
public final class ProofCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let why = Mutex<String>("")

    public init() {}

    /// Asks the proof to stop at its next check; the first reason given is kept.
    public func cancel(reason: String = "cancelled") {
        why.withLock { if $0.isEmpty { $0 = reason } }
        cancelled.store(true, ordering: .releasing)
    }

    /// True once ``cancel(reason:)`` has been called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// The reason given to ``cancel(reason:)``, or nil while not cancelled.
    public var reason: String? { isCancelled ? why.withLock { $0 } : nil }

    /// Throws `StarkError.cancelled` naming `phase` (the step that would have run next) when cancelled.
    public func check(before phase: String) throws(StarkError) {
        guard cancelled.load(ordering: .relaxed) else { return }
        throw .cancelled("\(reason ?? "cancelled") (stopped before \(phase))")
    }
}

extension Optional where Wrapped == ProofCancellation {
    /// ``ProofCancellation/check(before:)`` when there is a flag; nothing otherwise.
    @inline(__always)
    func check(before phase: String) throws(StarkError) {
        if let flag = self { try flag.check(before: phase) }
    }
}
