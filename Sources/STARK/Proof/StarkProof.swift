/// A STARK proof: the statement's shape and options, the commitments, out-of-domain values,
/// FRI data and the query openings. Public inputs are not inside: the verifier supplies them
/// (through the AIR), so a proof only verifies for the statement it was made for.
public struct StarkProof: Hashable, Sendable {
    /// The serialization format version this type reads and writes.
    public static let formatVersion: UInt8 = 1

    public var options: ProofOptions
    public var traceInfo: TraceInfo

    public var mainRoot: Digest
    /// Present exactly when the trace has an auxiliary segment.
    public var auxRoot: Digest?
    public var compositionRoot: Digest
    public var friRoots: [Digest]

    /// Main trace at z and at g·z.
    public var oodMainCurrent: [QuadFelt]
    public var oodMainNext: [QuadFelt]
    /// Auxiliary trace at z and at g·z.
    public var oodAuxCurrent: [QuadFelt]
    public var oodAuxNext: [QuadFelt]
    /// Composition columns at z.
    public var oodComposition: [QuadFelt]

    /// Coefficients of the FRI remainder polynomial.
    public var friRemainder: [QuadFelt]
    public var powNonce: UInt64

    public var mainOpening: SegmentOpening<Felt>
    public var auxOpening: SegmentOpening<QuadFelt>?
    public var compositionOpening: SegmentOpening<QuadFelt>
    public var friOpenings: [FRILayerOpening]

    /// The out-of-domain values in transcript order: main at z, main at gz, aux at z, aux at gz, composition.
    static func outOfDomainElements(
        main: [QuadFelt], mainNext: [QuadFelt], aux: [QuadFelt], auxNext: [QuadFelt], composition: [QuadFelt], degree: Int
    ) -> [Felt] {
        (main + mainNext + aux + auxNext + composition).flattened(extensionDegree: degree)
    }

    var outOfDomainElements: [Felt] {
        StarkProof.outOfDomainElements(
            main: oodMainCurrent, mainNext: oodMainNext, aux: oodAuxCurrent, auxNext: oodAuxNext,
            composition: oodComposition, degree: options.extensionDegree)
    }

    /// Conjectured security of this proof (Winterfell's formula) for its hash.
    public var conjecturedSecurity: Int {
        options.conjecturedSecurity(traceLength: traceInfo.length, collisionResistance: 128)
    }
}

/// The rows of a committed segment at the query positions (sorted, unique) and their batched Merkle proof.
public struct SegmentOpening<E: FlattenableElement>: Hashable, Sendable {
    public var rows: [[E]]
    public var proof: [Digest]
    public init(rows: [[E]], proof: [Digest]) {
        self.rows = rows
        self.proof = proof
    }
}

/// One FRI layer's queried rows (each `factor` values) and their batched Merkle proof.
public struct FRILayerOpening: Hashable, Sendable {
    public var rows: [[QuadFelt]]
    public var proof: [Digest]
    public init(rows: [[QuadFelt]], proof: [Digest]) {
        self.rows = rows
        self.proof = proof
    }
}

/// The statement-independent part of the transcript seed: format version, options and trace shape.
func transcriptContext(options: ProofOptions, traceInfo: TraceInfo) -> [Felt] {
    [Felt(UInt64(StarkProof.formatVersion))] + options.transcriptElements
        + [traceInfo.mainWidth, traceInfo.auxWidth, traceInfo.auxChallenges, traceInfo.length].map { Felt(UInt64($0)) }
}
