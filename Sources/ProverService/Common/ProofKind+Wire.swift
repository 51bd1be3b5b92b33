import Rollup
import Wire

extension ProofKind {
    /// The public API's enum value.
    public var wire: RemoteProver_ProofType {
        switch self {
        case .transaction: return .transaction
        case .batch: return .batch
        case .block: return .block
        }
    }

    /// The kind named by an API value; nil for a number this build does not know.
    public init?(wire: RemoteProver_ProofType) {
        switch wire {
        case .transaction: self = .transaction
        case .batch: self = .batch
        case .block: self = .block
        case .UNRECOGNIZED: return nil
        }
    }
}
