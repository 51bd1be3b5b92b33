/// The BLAKE3 commitment hash (256-bit output, 128-bit collision resistance).
///
/// Field elements are hashed as their canonical values' 8-byte little-endian encodings,
/// concatenated; inner Merkle nodes hash the 64 bytes of the two child digests, and
/// `merge(_:value:)` hashes the 32 digest bytes followed by the 8 little-endian value bytes.
public enum Blake3Hasher: StarkHasher {
    /// `.blake3`.
    public static var hashFunction: HashFunction { .blake3 }

    /// 128 bits (the birthday bound of a 256-bit output).
    public static var collisionResistance: Int { 128 }

    /// BLAKE3 of the elements' 8-byte little-endian encodings, concatenated.
    ///
    /// Up to 128 elements (one 1024-byte chunk) are hashed straight from the values, without
    /// allocating; longer inputs are hashed in place from the elements' memory on little-endian
    /// hosts (big-endian hosts encode them into a temporary array first).
    @inlinable
    public static func hashElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest {
        if elements.count <= 8 {
            return Blake3.hashShortElements(elements)
        }
        if elements.count <= 128 {
            return Blake3.hashChunkElements(elements)
        }
        #if _endian(little)
        return Blake3.hash(UnsafeRawBufferPointer(elements))
        #else
        let encoded = elements.map { $0.value.littleEndian }
        return encoded.withUnsafeBytes { Blake3.hash($0) }
        #endif
    }

    /// BLAKE3 of the 64 bytes `left ‖ right` (one compression).
    @inlinable
    public static func merge(_ left: Digest, _ right: Digest) -> Digest {
        Blake3.mergeDigests(left, right)
    }

    /// BLAKE3 of the 40 bytes `seed ‖ value` with `value` little-endian (one compression).
    @inlinable
    public static func merge(_ seed: Digest, value: UInt64) -> Digest {
        Blake3.hash40(seed: seed, value: value)
    }
}

extension Blake3Hasher {
    /// `Blake3Batch.merge(pairs:…)`: several Merkle nodes per multi-lane compression.
    public static func merge(pairs: UnsafePointer<Digest>, count: Int, into out: UnsafeMutablePointer<Digest>) {
        Blake3Batch.merge(pairs: pairs, count: count, into: out)
    }

    /// `Blake3Batch.hashRows`: several row leaves per multi-lane compression.
    public static func hashRows(_ rows: UnsafePointer<Felt>, width: Int, count: Int, into out: UnsafeMutablePointer<Digest>) {
        Blake3Batch.hashRows(rows, width: width, count: count, into: out)
    }

    /// `Blake3Batch.merge(_:valuesFrom:…)`: several proof-of-work candidates per multi-lane compression.
    public static func merge(_ seed: Digest, valuesFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<Digest>) {
        Blake3Batch.merge(seed, valuesFrom: start, count: count, into: out)
    }
}
