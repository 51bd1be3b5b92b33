import Dispatch

/// Data-parallel loops over a fixed number of threads.
///
/// Work is cut into contiguous chunks; each chunk is computed exactly as it would be serially,
/// so results never depend on the thread count. `threads == 1` runs inline on the caller.
public enum Parallel {
    /// The number of cores on this machine.
    public static var coreCount: Int { System.coreCount }

    /// Calls `body` on disjoint sub-ranges covering 0..<count, using up to `threads` threads.
    /// Ranges are at least `minChunk` long (except possibly the last).
    @inlinable
    public static func forRanges(_ count: Int, threads: Int, minChunk: Int = 1024, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let maxChunks = max(1, count / max(1, minChunk))
        let chunks = min(max(1, threads), maxChunks)
        if chunks == 1 {
            body(0..<count)
            return
        }
        let per = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { work in
            let box = UncheckedSendable(work)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * per
                let hi = min(count, lo + per)
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }

    /// Calls `body(i)` for every i in 0..<count, spread over up to `threads` threads.
    @inlinable
    public static func forEach(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        forRanges(count, threads: threads, minChunk: 1) { range in
            for i in range { body(i) }
        }
    }
}

/// Carries a value across a concurrency boundary that the caller has made safe by other means
/// (disjoint writes into a buffer, for example). Used only inside `Parallel`-style loops.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    @inlinable public init(_ value: T) { self.value = value }
}

/// Facts about the machine.
public enum System {
    /// The number of active processors.
    public static var coreCount: Int { sysconfCores() }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func sysconfCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
import Darwin
@usableFromInline func sysconfCores() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#endif
