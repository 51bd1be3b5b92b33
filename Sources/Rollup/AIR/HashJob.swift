import STARK

/// One RPO256 sponge computation as the hasher chiplet runs it: the initial capacity, the 8-element
/// rate blocks absorbed in order (one permutation each), and the resulting digest.
public struct HashJob: Hashable, Sendable {
    /// Capacity lanes (state[8..12)) before the first permutation.
    public var capacity: Word
    /// Rate blocks, each exactly 8 elements; at least one.
    public var blocks: [[Felt]]
    /// state[0..4) after the last permutation.
    public var digest: Word

    /// `hash_elements(xs)` for non-empty `xs` (capacity[0] = len mod 8, zero-padded last block).
    public static func elements(_ xs: [Felt]) -> HashJob {
        precondition(!xs.isEmpty, "hash_elements of nothing is the zero word and needs no permutation")
        var padded = xs
        while padded.count % 8 != 0 { padded.append(.zero) }
        let blocks = stride(from: 0, to: padded.count, by: 8).map { Array(padded[$0..<($0 + 8)]) }
        return HashJob(capacity: Word(Felt(UInt64(xs.count % 8)), .zero, .zero, .zero), blocks: blocks, digest: Hash.elements(xs))
    }

    /// `merge(a, b)`: one block a‖b, zero capacity.
    public static func merge(_ a: Word, _ b: Word) -> HashJob {
        HashJob(capacity: .zero, blocks: [a.elements + b.elements], digest: Hash.merge(a, b))
    }
}
