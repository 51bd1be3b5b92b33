import Synchronization

/// Twiddle tables shared by every transform of the same size: each (size, direction) table is
/// computed once for the life of the process, not once per column or per proof. Tables are
/// immutable arrays, so readers on any thread share one copy.
///
/// Tables are laid out by layer: the butterfly layer whose half-length is h reads its twiddles
/// ω_{2h}^k (k < h) from entries h ..< 2h, so every layer walks its twiddles in order instead of
/// striding through one table of ω^k (one cache line per twiddle in the wide layers).
@usableFromInline
enum TwiddleCache {
    /// Tables keyed by `logSize << 1 | inverse`.
    private static let tables = Mutex<[Int: [Felt]]>([:])

    /// The layered table for size 2^logSize: entry h + k is ω^(k·2^logSize/(2h)) for each power
    /// of two h < 2^logSize and k < h (ω the primitive 2^logSize-th root, or its inverse, as
    /// `NTT.twiddleTable` gives its powers); entry 0 is unused.
    @usableFromInline
    static func table(logSize: Int, inverse: Bool, threads: Int) -> [Felt] {
        let key = logSize << 1 | (inverse ? 1 : 0)
        if let cached = tables.withLock({ $0[key] }) { return cached }
        let computed = layered(NTT.twiddleTable(logSize: logSize, inverse: inverse, threads: threads), logSize: logSize)
        return tables.withLock { entries in
            if let raced = entries[key] { return raced }
            entries[key] = computed
            return computed
        }
    }

    /// Regroups the powers ω^k (k < n/2) by layer (see `table`).
    static func layered(_ powers: [Felt], logSize: Int) -> [Felt] {
        let n = 1 << logSize
        return [Felt](unsafeUninitializedCapacity: max(n, 2)) { buffer, initialized in
            buffer[0] = .zero
            buffer[1] = .one
            var half = 1
            while half < n {
                let stride = n / (2 * half)
                for k in 0..<half { buffer[half + k] = powers[k * stride] }
                half <<= 1
            }
            initialized = max(n, 2)
        }
    }
}
