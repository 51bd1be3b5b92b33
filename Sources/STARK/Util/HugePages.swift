#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back large buffers with transparent huge pages (Linux `madvise`, used when
/// the system's THP mode is `madvise`; a no-op elsewhere or when refused). A 2 MiB page replaces
/// 512 first-touch faults and keeps the TLB covering the strided NTT and per-row reads of
/// extensions that span hundreds of MiB. Must be called before the buffer is first written.
enum HugePages {
    /// Buffers below this are left alone.
    static let threshold = 8 << 20
    static let pageSize = 2 << 20

    static func advise(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        guard bytes >= threshold else { return }
        let start = (Int(bitPattern: pointer) + pageSize - 1) & ~(pageSize - 1)
        let end = (Int(bitPattern: pointer) + bytes) & ~(pageSize - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }

    static func advise<E>(_ pointer: UnsafeMutablePointer<E>, count: Int) {
        advise(UnsafeMutableRawPointer(pointer), bytes: count * MemoryLayout<E>.stride)
    }
}
