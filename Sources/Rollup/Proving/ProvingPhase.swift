/// The phases of one proving request, in order: decode the witness, prove, encode the proof.
public enum ProvingPhase: String, Sendable, CaseIterable {
    case decode
    case prove
    case encode
}

/// Told when each phase of a ``ProvingBackend/prove(_:payload:phases:)`` call begins and ends
/// (the worker turns them into trace spans). Called on the proving thread; must not block.
public protocol ProvingPhaseObserver: Sendable {
    /// `phase` is starting.
    func began(_ phase: ProvingPhase)
    /// `phase` has ended; `failure` is the error it ended with, if any.
    func ended(_ phase: ProvingPhase, failure: ProvingError?)
}
