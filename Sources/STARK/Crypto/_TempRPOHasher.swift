// TEMPORARY until RPO256 lands: do not commit.
public enum RPO256Hasher: StarkHasher {
    public static let hashFunction = HashFunction.rpo256
    public static let collisionResistance = 128
    public static func hashElements(_ elements: UnsafeBufferPointer<Felt>) -> Digest { Blake3Hasher.hashElements(elements) }
    public static func merge(_ left: Digest, _ right: Digest) -> Digest { Blake3Hasher.merge(left, right) }
    public static func merge(_ seed: Digest, value: UInt64) -> Digest { Blake3Hasher.merge(seed, value: value) }
}
