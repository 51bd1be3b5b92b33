import STARK

/// A kind of top-level binary payload, identified by the 4-byte magic tag it starts with.
///
/// Decoders use `recognise(_:)` to tell a caller who sent the wrong payload what it actually
/// sent. When a new payload kind gets a codec, add it to `known`.
public struct PayloadKind: Hashable, Sendable, CustomStringConvertible {
    /// The four ASCII characters of the magic tag, e.g. "MTXI".
    public let tag: String
    /// The name of the payload for messages, e.g. "TransactionInputs".
    public let name: String

    init(tag: String, name: String) {
        precondition(tag.utf8.count == 4, "a magic tag is four ASCII bytes")
        self.tag = tag
        self.name = name
    }

    /// The magic tag as bytes.
    public var magic: [UInt8] { Array(tag.utf8) }

    /// `TransactionInputs`, the transaction-proof witness.
    public static let transactionInputs = PayloadKind(tag: "MTXI", name: "TransactionInputs")
    /// `ProvenTransaction`, the transaction-proof output.
    public static let provenTransaction = PayloadKind(tag: "MTXP", name: "ProvenTransaction")
    /// `ProposedBatch`, the batch-proof witness.
    public static let proposedBatch = PayloadKind(tag: "MBTI", name: "ProposedBatch")
    /// `ProvenBatch`, the batch-proof output.
    public static let provenBatch = PayloadKind(tag: "MBTP", name: "ProvenBatch")
    /// `BlockProofRequest`, the block-proof witness.
    public static let blockProofRequest = PayloadKind(tag: "MBKI", name: "BlockProofRequest")
    /// `BlockProof`, the block-proof output.
    public static let blockProof = PayloadKind(tag: "MBKP", name: "BlockProof")
    /// A bare STARK proof as written by `ProofCodec`.
    public static let starkProof = PayloadKind(tag: String(decoding: ProofCodec.magic, as: UTF8.self), name: "STARK proof")

    /// Every payload kind the project defines.
    public static let known: [PayloadKind] = [
        transactionInputs, provenTransaction, proposedBatch, provenBatch, blockProofRequest, blockProof, starkProof,
    ]

    /// The project payload kind whose magic tag is `magic`, if any.
    public static func recognise(_ magic: [UInt8]) -> PayloadKind? { known.first { $0.magic == magic } }

    /// "TransactionInputs (MTXI)".
    public var description: String { "\(name) (\(tag))" }
}
