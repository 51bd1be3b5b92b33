/// Everything that can go wrong when proving, verifying or decoding, with a message naming the
/// part that was wrong. Bad input is reported, never trapped on.
public enum StarkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The trace shape or contents do not fit the AIR (prover side).
    case invalidTrace(String)
    /// The trace does not satisfy a constraint (prover side, before any proof is made).
    case unsatisfiedConstraint(String)
    /// The proof options are out of range.
    case invalidOptions(String)
    /// The proof bytes could not be decoded.
    case malformedProof(String)
    /// The proof's conjectured security is below what the verifier accepts.
    case insufficientSecurity(got: Int, required: Int)
    /// The proof does not verify; the message names the failed check.
    case verificationFailed(String)
    /// The proof was stopped by its `ProofCancellation` before it was finished (prover side).
    case cancelled(String)

    public var description: String {
        switch self {
        case .invalidTrace(let m): return "invalid trace: \(m)"
        case .unsatisfiedConstraint(let m): return "constraint not satisfied: \(m)"
        case .invalidOptions(let m): return "invalid proof options: \(m)"
        case .malformedProof(let m): return "malformed proof: \(m)"
        case .insufficientSecurity(let got, let required):
            return "proof security \(got) bits is below the required \(required) bits"
        case .verificationFailed(let m): return "verification failed: \(m)"
        case .cancelled(let m): return "proof cancelled: \(m)"
        }
    }
}
