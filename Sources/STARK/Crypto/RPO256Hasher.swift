/// RPO256 as the proof hash: Merkle leaves and nodes and the Fiat–Shamir transcript.
///
/// Digests are Miden words (four canonical field elements), so proofs using it can be verified
/// inside Miden's VM.
public enum RPO256Hasher: StarkHasher {
    /// Names RPO256 in the proof options.
    public static let hashFunction: HashFunction = .rpo256
    /// RPO256 has a 256-bit digest with 128-bit collision resistance.
    public static let collisionResistance = 128

    /// A digest is four field elements: every word must be below p. `merge` would reduce a word
    /// v ≥ p to v − p, so a verifier refuses such a digest rather than hash it.
    @inlinable
    public static func isCanonical(_ digest: Digest) -> Bool {
        digest.w0 < Felt.modulus && digest.w1 < Felt.modulus && digest.w2 < Felt.modulus && digest.w3 < Felt.modulus
    }

    /// `RPO256.hashElements` (Miden `hash_elements`).
    @inlinable
    public static func hashElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest {
        RPO256.hashElements(elements)
    }

    /// `RPO256.merge` (Miden `merge`: rate = left ‖ right, zero capacity, one permutation).
    @inlinable
    public static func merge(_ left: Digest, _ right: Digest) -> Digest {
        RPO256.merge(left, right)
    }

    /// `RPO256.hashElements` of the 5 elements [seed.w0, seed.w1, seed.w2, seed.w3, value mod p].
    ///
    /// Note this is not Miden's `merge_with_int` (which writes the integer into the rate after the
    /// seed with its own padding flag); it is a plain 5-element hash, so capacity lane 8 holds 5.
    /// A `value` ≥ p is reduced (value − p), so value and value − p collide — harmless for
    /// transcript counters and proof-of-work nonces, which are far below p.
    @inlinable
    public static func merge(_ seed: Digest, value: UInt64) -> Digest {
        var state = RPO256.State(lanes: (seed.w0, seed.w1, seed.w2, seed.w3, Felt(value).value, 0, 0, 0, 5, 0, 0, 0))
        RPO256.permute(&state)
        return state.digest
    }

    /// `RPO256Batch.merge(pairs:…)`: several pairs per multi-lane permutation.
    @inlinable
    public static func merge(pairs: UnsafePointer<Digest>, count: Int, into out: UnsafeMutablePointer<Digest>) {
        RPO256Batch.merge(pairs: pairs, count: count, into: out)
    }

    /// `RPO256Batch.hashRows`: several rows per multi-lane permutation.
    @inlinable
    public static func hashRows(_ rows: UnsafePointer<Felt>, width: Int, count: Int, into out: UnsafeMutablePointer<Digest>) {
        RPO256Batch.hashRows(rows, width: width, count: count, into: out)
    }

    /// `RPO256Batch.merge(_:valuesFrom:…)`: several values per multi-lane permutation.
    @inlinable
    public static func merge(_ seed: Digest, valuesFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<Digest>) {
        RPO256Batch.merge(seed, valuesFrom: start, count: count, into: out)
    }
}
