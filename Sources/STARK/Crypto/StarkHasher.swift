/// The hash used for Merkle commitments and the Fiat–Shamir transcript of a proof.
///
/// Implementations are stateless; the prover and verifier are specialised on the concrete type,
/// so the hot loops call these functions directly. `hashElements` hashes a trace row (a leaf).
public protocol StarkHasher: Sendable {
    /// The proof-option value naming this hash.
    static var hashFunction: HashFunction { get }
    /// Collision resistance in bits (caps the conjectured security of a proof).
    static var collisionResistance: Int { get }
    /// Hashes a sequence of field elements (a Merkle leaf, or transcript data).
    static func hashElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest
    /// Hashes two digests into one (a Merkle inner node, or a transcript reseed).
    static func merge(_ left: Digest, _ right: Digest) -> Digest
    /// Hashes a digest with a 64-bit value (transcript draws and proof-of-work).
    static func merge(_ seed: Digest, value: UInt64) -> Digest
    /// True if `digest` is a value this hash can output, in its one encoding (RPO256: every word
    /// below p). Verifiers refuse any other digest from a proof rather than reduce it.
    static func isCanonical(_ digest: Digest) -> Bool
    /// out[i] = merge(pairs[2i], pairs[2i + 1]) for i < count (a Merkle level); `out` does not
    /// overlap `pairs`. The default merges one pair at a time.
    static func merge(pairs: UnsafePointer<Digest>, count: Int, into out: UnsafeMutablePointer<Digest>)
    /// out[i] = hashElements(rows[i·width ..< (i + 1)·width]) for i < count (Merkle leaves of
    /// equal-width rows, row-major). The default hashes one row at a time.
    static func hashRows(_ rows: UnsafePointer<Felt>, width: Int, count: Int, into out: UnsafeMutablePointer<Digest>)
    /// out[i] = merge(seed, value: start + i) for i < count (proof-of-work candidates). The
    /// default merges one value at a time.
    static func merge(_ seed: Digest, valuesFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<Digest>)
}

extension StarkHasher {
    /// Every 256-bit value is a canonical digest (a byte-oriented hash such as BLAKE3).
    @inlinable
    public static func isCanonical(_ digest: Digest) -> Bool { true }

    /// Merges one pair at a time.
    @inlinable
    public static func merge(pairs: UnsafePointer<Digest>, count: Int, into out: UnsafeMutablePointer<Digest>) {
        for i in 0..<count { out[i] = merge(pairs[2 * i], pairs[2 * i + 1]) }
    }

    /// Hashes one row at a time.
    @inlinable
    public static func hashRows(_ rows: UnsafePointer<Felt>, width: Int, count: Int, into out: UnsafeMutablePointer<Digest>) {
        for i in 0..<count { out[i] = hashElements(UnsafeBufferPointer(start: rows + i * width, count: width)) }
    }

    /// Merges one value at a time.
    @inlinable
    public static func merge(_ seed: Digest, valuesFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<Digest>) {
        for i in 0..<count { out[i] = merge(seed, value: start &+ UInt64(i)) }
    }

    /// Hashes an array of field elements.
    @inlinable
    public static func hashElements(_ elements: [Felt]) -> Digest {
        elements.withUnsafeBufferPointer { hashElements($0) }
    }
}

/// The commitment hash named in a proof's options.
public enum HashFunction: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// BLAKE3 with 256-bit output over the little-endian bytes of the elements: fast, the default.
    case blake3 = 1
    /// RPO256 (Miden's algebraic hash): slower, but cheap to verify inside a STARK.
    case rpo256 = 2

    public var description: String {
        switch self {
        case .blake3: return "blake3"
        case .rpo256: return "rpo256"
        }
    }

    /// Collision resistance in bits of the hash (caps a proof's conjectured security).
    public var collisionResistance: Int {
        switch self {
        case .blake3: return Blake3Hasher.collisionResistance
        case .rpo256: return RPO256Hasher.collisionResistance
        }
    }
}
