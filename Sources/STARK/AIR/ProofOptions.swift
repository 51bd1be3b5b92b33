/// The parameters of a proof: they fix its size, speed and soundness, travel inside the proof,
/// and are absorbed into the transcript so they cannot be changed after the fact.
public struct ProofOptions: Hashable, Sendable {
    /// Number of FRI/trace queries.
    public var numQueries: Int
    /// Low-degree-extension blowup factor (power of two, 2...128).
    public var blowupFactor: Int
    /// Proof-of-work bits the prover grinds before the query positions are drawn.
    public var grindingBits: Int
    /// Degree of the field extension the challenges are drawn from (1 or 2).
    public var extensionDegree: Int
    /// FRI folding factor (2, 4 or 8).
    public var friFoldingFactor: Int
    /// FRI stops folding once the degree bound is at most this + 1 and sends the remainder (2^k − 1).
    public var friRemainderMaxDegree: Int
    /// Hash of the Merkle commitments and the transcript.
    public var hashFunction: HashFunction

    public init(
        numQueries: Int = 32, blowupFactor: Int = 8, grindingBits: Int = 16, extensionDegree: Int = 2,
        friFoldingFactor: Int = 8, friRemainderMaxDegree: Int = 31, hashFunction: HashFunction = .blake3
    ) {
        self.numQueries = numQueries
        self.blowupFactor = blowupFactor
        self.grindingBits = grindingBits
        self.extensionDegree = extensionDegree
        self.friFoldingFactor = friFoldingFactor
        self.friRemainderMaxDegree = friRemainderMaxDegree
        self.hashFunction = hashFunction
    }

    /// The defaults: 32 queries, blowup 8, 16 grinding bits, quadratic extension, FRI folding 8,
    /// remainder degree ≤ 31, BLAKE3 commitments (the parameters of the Winterfell comparison).
    public static let `default` = ProofOptions()

    /// Checks every field is in range; throws naming the bad one.
    public func validate() throws(StarkError) {
        guard (1...255).contains(numQueries) else { throw .invalidOptions("numQueries \(numQueries) not in 1...255") }
        guard (2...128).contains(blowupFactor), blowupFactor & (blowupFactor - 1) == 0 else {
            throw .invalidOptions("blowupFactor \(blowupFactor) must be a power of two in 2...128")
        }
        guard (0...32).contains(grindingBits) else { throw .invalidOptions("grindingBits \(grindingBits) not in 0...32") }
        guard extensionDegree == 1 || extensionDegree == 2 else {
            throw .invalidOptions("extensionDegree \(extensionDegree) must be 1 or 2")
        }
        guard [2, 4, 8].contains(friFoldingFactor) else {
            throw .invalidOptions("friFoldingFactor \(friFoldingFactor) must be 2, 4 or 8")
        }
        guard (0...1023).contains(friRemainderMaxDegree), (friRemainderMaxDegree + 1) & friRemainderMaxDegree == 0 else {
            throw .invalidOptions("friRemainderMaxDegree \(friRemainderMaxDegree) must be 2^k − 1 below 1024")
        }
    }

    /// Conjectured security in bits for a trace of `traceLength` rows, computed as Winterfell does:
    /// min(field bits − log2(LDE domain size), log2(blowup)·queries + grinding) − 1, capped by the
    /// hash's collision resistance (grinding counts only once queries alone reach 80 bits).
    public func conjecturedSecurity(traceLength: Int, collisionResistance: Int = 128) -> Int {
        let fieldBits = 64 * extensionDegree
        let ldeLog = (traceLength * blowupFactor).trailingZeroBitCount
        let fieldSecurity = fieldBits - ldeLog
        var querySecurity = blowupFactor.trailingZeroBitCount * numQueries
        if querySecurity >= 80 { querySecurity += grindingBits }
        return min(min(fieldSecurity, querySecurity) - 1, collisionResistance)
    }

    /// The option fields as field elements, for the transcript seed.
    public var transcriptElements: [Felt] {
        [numQueries, blowupFactor, grindingBits, extensionDegree, friFoldingFactor, friRemainderMaxDegree,
         Int(hashFunction.rawValue)].map { Felt(UInt64($0)) }
    }
}
