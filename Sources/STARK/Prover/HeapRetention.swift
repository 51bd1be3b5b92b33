import CHeapOptions

/// How much freed memory a proving process keeps in its heap for the next proof instead of giving
/// it back to the kernel.
///
/// Each proof allocates its extension, Merkle trees and scratch afresh (tens to hundreds of MiB).
/// With glibc's defaults, blocks larger than its mmap threshold (128 KiB, rising to at most 32 MiB)
/// are mapped on allocation and unmapped on free, and the top of the heap is trimmed past 128 KiB,
/// so every proof faults in and the kernel zeroes every page it touches again: ~6,000 page faults
/// per 2^14-row Fibonacci proof, a quarter of its time. Retention raises the trim threshold to
/// `mebibytes` and the mmap threshold to half of it: freed blocks up to that size stay in the heap
/// and the next proof reuses them without a fault. Larger blocks (a big block proof's extension)
/// are still mapped and returned at once, so a worker's resident memory between proofs stays
/// bounded by about `mebibytes` plus its largest small-block working set.
///
/// Default 512 MiB; `MRP_HEAP_RETAIN_MIB` sets it (0 keeps the allocator's defaults; at most 2,047,
/// the allocator's setting being a 32-bit int). Only glibc has these settings; elsewhere `apply`
/// does nothing. Proof bytes never depend on it.
public struct HeapRetention: Sendable, Equatable {
    /// The trim threshold in MiB (the mmap threshold is half of it); 0 leaves the allocator alone.
    public var mebibytes: Int

    public init(mebibytes: Int) { self.mebibytes = min(max(0, mebibytes), Self.maximumMebibytes) }

    public static let defaultMebibytes = 512
    public static let maximumMebibytes = 2047
    public static let environmentVariable = "MRP_HEAP_RETAIN_MIB"

    /// Reads a retention in MiB; refuses, naming the variable, anything but a whole number in 0…2,047.
    public static func parse(mebibytes text: String) throws(StarkError) -> HeapRetention {
        HeapRetention(mebibytes: try MebibyteSetting.parse(text, variable: environmentVariable, bounds: 0...maximumMebibytes))
    }

    /// The retention from `MRP_HEAP_RETAIN_MIB`, or the default when it is unset or empty; a
    /// malformed value throws.
    public static func fromEnvironment() throws(StarkError) -> HeapRetention {
        guard let text = MebibyteSetting.value(of: environmentVariable) else { return HeapRetention(mebibytes: defaultMebibytes) }
        return try parse(mebibytes: text)
    }

    /// What `apply` did.
    public enum Outcome: Sendable, Equatable {
        /// The thresholds are set.
        case applied
        /// Retention 0: the allocator keeps its defaults.
        case allocatorDefaults
        /// The allocator refused a threshold or has none (not glibc); it keeps its defaults.
        case unsupported
    }

    /// Sets the process's allocator thresholds. Call once at start-up, before proving.
    @discardableResult
    public func apply() -> Outcome {
        guard mebibytes > 0 else { return .allocatorDefaults }
        let trim = mebibytes << 20
        return mrp_set_heap_thresholds(trim / 2, trim) == 1 ? .applied : .unsupported
    }

    /// For executables that prove: applies `MRP_HEAP_RETAIN_MIB` (or the default); a malformed
    /// value is reported on standard error and the default used instead. Returns the MiB retained,
    /// 0 when the allocator keeps its defaults.
    @discardableResult
    public static func applyFromEnvironment() -> Int {
        let retention: HeapRetention
        do {
            retention = try fromEnvironment()
        } catch {
            MebibyteSetting.warn("\(error); using \(defaultMebibytes) MiB")
            retention = HeapRetention(mebibytes: defaultMebibytes)
        }
        return retention.apply() == .applied ? retention.mebibytes : 0
    }
}
