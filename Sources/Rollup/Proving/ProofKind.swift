/// The three kinds of proof the service produces (numbered as the public API's `ProofType`).
public enum ProofKind: Int, Sendable, CaseIterable, CustomStringConvertible {
    case transaction = 0
    case batch = 1
    case block = 2

    public var description: String {
        switch self {
        case .transaction: return "transaction"
        case .batch: return "batch"
        case .block: return "block"
        }
    }

    /// Parses "transaction", "batch" or "block".
    public init?(name: String) {
        guard let kind = ProofKind.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = kind
    }
}
