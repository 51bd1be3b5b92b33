import Dispatch
import STARK

extension StarkBench {
    /// Prints the cost per item of batched BLAKE3 hashing with each kernel (wall time, minimum of
    /// `runs` rounds, one thread): Merkle merges of 2^14 pairs and leaf hashes of 2^14 rows of 2,
    /// 8, 16 and 200 elements (one block, one full block, two blocks, two chunks).
    func runBlake3Benchmark() {
        let count = 1 << 14
        var rng = SplitMix64(seed: 3)
        let pairs = (0..<(2 * count)).map { _ in Digest(rng.next(), rng.next(), rng.next(), rng.next()) }
        var out = [Digest](repeating: .zero, count: count)
        print("BLAKE3 kernels (\(Blake3Lanes.width) lanes); preferred: \(Blake3Batch.preferredKernel.rawValue)")
        func time(_ body: () -> Void) -> Double {
            var best = UInt64.max
            for _ in 0..<max(3, runs) {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                best = min(best, DispatchTime.now().uptimeNanoseconds - start)
            }
            return Double(best) / Double(count)
        }
        for kernel in Blake3Batch.Kernel.allCases {
            let ns = time { Blake3Batch.merge(pairs: pairs, count: count, into: &out, kernel: kernel) }
            print("merge pairs, \(kernel.rawValue): \(fmt1(ns)) ns per node")
        }
        for width in [2, 8, 16, 200] {
            let rows = (0..<(width * count)).map { _ in Felt(rng.next() % Felt.modulus) }
            for kernel in Blake3Batch.Kernel.allCases {
                let ns = time {
                    rows.withUnsafeBufferPointer { Blake3Batch.hashRows($0.baseAddress!, width: width, count: count, into: &out, kernel: kernel) }
                }
                print("rows of \(width) elements, \(kernel.rawValue): \(fmt1(ns)) ns per row")
            }
        }
    }

    private func fmt1(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
