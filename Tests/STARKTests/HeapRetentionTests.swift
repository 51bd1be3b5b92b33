#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import STARK

/// Heap retention: `MRP_HEAP_RETAIN_MIB` is read strictly, and once applied, a block larger than
/// glibc's largest default mmap threshold (32 MiB) is reused from the heap without page faults.
@Suite struct HeapRetentionTests {
    @Test func parsesWholeMebibytesWithinBounds() throws {
        #expect(try HeapRetention.parse(mebibytes: "0").mebibytes == 0)
        #expect(try HeapRetention.parse(mebibytes: " 512 ").mebibytes == 512)
        #expect(try HeapRetention.parse(mebibytes: "2047").mebibytes == 2047)
        for bad in ["", "x", "-1", "2048", "1.5", "99999999999999999999"] {
            #expect(throws: StarkError.self) { try HeapRetention.parse(mebibytes: bad) }
            do {
                _ = try HeapRetention.parse(mebibytes: bad)
            } catch {
                #expect("\(error)".contains("MRP_HEAP_RETAIN_MIB"), "the error names the variable: \(error)")
            }
        }
    }

    @Test func zeroLeavesTheAllocatorAlone() {
        #expect(HeapRetention(mebibytes: 0).apply() == .allocatorDefaults)
    }

    #if canImport(Glibc)
    /// 40 MiB allocated, touched and freed three times on one thread: with glibc's defaults a block
    /// over 32 MiB is always mapped afresh, so every round faults on its 10,240 pages; retained, the
    /// last round reuses the heap and faults on almost none.
    @Test func retainedBlocksAreReusedWithoutPageFaults() throws {
        #expect(HeapRetention(mebibytes: 128).apply() == .applied)
        let bytes = 40 << 20
        let pages = bytes / 4096
        var faults: [Int] = []
        for _ in 0..<3 {
            let before = minorFaultsOfThisThread()
            let block = try #require(malloc(bytes))
            let bytesView = block.assumingMemoryBound(to: UInt8.self)
            for page in stride(from: 0, to: bytes, by: 4096) { bytesView[page] = 1 }
            free(block)
            faults.append(minorFaultsOfThisThread() - before)
        }
        #expect(faults[2] < pages / 10, "the third round reuses the retained block: \(faults)")
    }

    private func minorFaultsOfThisThread() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD (1), which the Glibc module does not export
        return usage.ru_minflt
    }
    #endif
}
