import Synchronization

/// Twiddle tables shared by every transform of the same size: each (size, direction) table is
/// computed once for the life of the process, not once per column or per proof. Tables are
/// immutable arrays, so readers on any thread share one copy.
@usableFromInline
enum TwiddleCache {
    /// Tables keyed by `logSize << 1 | inverse`.
    private static let tables = Mutex<[Int: [Felt]]>([:])

    /// ω^k for k < 2^logSize / 2 (ω the primitive 2^logSize-th root, or its inverse), as
    /// `NTT.twiddleTable` computes it.
    @usableFromInline
    static func table(logSize: Int, inverse: Bool, threads: Int) -> [Felt] {
        let key = logSize << 1 | (inverse ? 1 : 0)
        if let cached = tables.withLock({ $0[key] }) { return cached }
        let computed = NTT.twiddleTable(logSize: logSize, inverse: inverse, threads: threads)
        return tables.withLock { entries in
            if let raced = entries[key] { return raced }
            entries[key] = computed
            return computed
        }
    }
}
