import Rollup
import STARK

/// What happened to one mutant.
public enum CaseOutcome: Sendable, Equatable {
    /// The decoder refused it; the category names the kind of refusal (truncated, felt, count, …).
    case refusedAtDecode(String)
    /// It decoded, and the verifier (or the prover's checks, for a witness) refused it.
    case refusedAtVerification(String)
    /// It decoded and passed every check.
    case accepted(Acceptance)
}

/// Why an accepted mutant is fine, or that it is not.
public enum Acceptance: Sendable, Equatable {
    /// Byte-identical to an honest sample (the mutations cancelled out).
    case honest
    /// A mutated witness that is still a valid witness (witnesses carry no proof of themselves).
    case validWitness
    /// It differs from an honest sample only in fields its proof does not bind, as documented.
    case explained(String)
    /// A mutated proof verified: a soundness failure.
    case unexplained(String)

    public var isFailure: Bool {
        if case .unexplained = self { return true }
        return false
    }
}

/// Short names for refusals, for the per-kind breakdown.
enum RefusalCategory {
    static func of(_ error: any Error) -> String {
        switch error {
        case let e as Rollup.DecodingError: return of(e)
        case let e as StarkError: return of(e)
        case let e as ProtocolError: return of(e)
        default: return "other \(type(of: error))"
        }
    }

    static func of(_ error: Rollup.DecodingError) -> String {
        switch error {
        case .wrongMagic: "magic"
        case .unsupportedVersion: "version"
        case .truncated: "truncated"
        case .nonCanonicalFelt: "felt ≥ p"
        case .amountTooLarge: "amount"
        case .valueOutOfRange: "range"
        case .tooMany: "count"
        case .trailingBytes: "trailing"
        }
    }

    static func of(_ error: StarkError) -> String {
        switch error {
        case .malformedProof(let m): "proof decode: " + decodeCategory(m)
        case .insufficientSecurity: "security"
        case .verificationFailed(let m): verificationCategory(m)
        case .invalidOptions: "options"
        case .invalidTrace, .unsatisfiedConstraint, .cancelled: "prover-side"
        }
    }

    /// A rule broken, or (for witnesses carrying proven objects) an embedded proof that does not verify.
    static func of(_ error: ProtocolError) -> String {
        let m = error.description
        guard m.contains("does not verify: ") else { return "rule" }
        if m.contains("malformed proof: ") { return "embedded proof decode: " + decodeCategory(m) }
        if m.contains("verification failed: ") { return "embedded proof: " + verificationCategory(m) }
        if m.contains("security") { return "embedded proof: security" }
        return "embedded proof: rule"
    }

    static func decodeCategory(_ m: String) -> String {
        for (needle, name) in [("truncated", "truncated"), ("canonical", "felt ≥ p"), ("not below p", "felt ≥ p"),
                               ("exceeds the limit", "count"), ("trailing", "trailing"), ("magic", "magic"),
                               ("format version", "version"), ("options", "options"), ("traceInfo", "trace shape"),
                               ("trace", "trace shape")] where m.contains(needle) {
            return name
        }
        return "other"
    }

    static func verificationCategory(_ m: String) -> String {
        for (needle, name) in [("out-of-domain point", "ood"), ("FRI remainder", "fri remainder"), ("FRI layer", "fri layer"),
                               ("FRI has", "fri shape"), ("openings do not match", "merkle"), ("opening has", "opening shape"),
                               ("proof-of-work", "pow"), ("proof is for a trace", "trace shape"), ("frame", "trace shape"),
                               ("composition columns", "composition shape"), ("blowup", "options"), ("invalid proof options", "options")]
            where m.contains(needle) {
            return name
        }
        return "verification other"
    }
}
