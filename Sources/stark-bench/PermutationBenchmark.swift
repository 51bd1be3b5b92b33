import Dispatch
import STARK

extension StarkBench {
    /// Prints the cost of one RPO256 permutation with each kernel (thread CPU time, minimum over
    /// `runs` rounds of 64 groups), the kernel this build prefers, and the cost per node of
    /// batched Merkle merges (`RPO256Batch.merge(pairs:)`, 2^14 pairs, wall time, minimum).
    func runPermutationBenchmark() {
        let timing = RPO256Batch.measureKernels(rounds: max(3, runs), groupsPerRound: 64)
        let lanes = RPO256Lanes.width
        print("RPO256 permutation: scalar \(Int(timing.scalarNanoseconds.rounded())) ns, "
            + "\(lanes)-lane kernel \(Int(timing.vectorNanoseconds.rounded())) ns per permutation "
            + "(\(format2(timing.scalarNanoseconds / timing.vectorNanoseconds))x); preferred kernel: \(RPO256Batch.preferredKernel.rawValue)")
        let count = 1 << 14
        var rng = SplitMix64(seed: 1)
        let pairs = (0..<(2 * count)).map { _ in Digest(rng.next() % Felt.modulus, rng.next() % Felt.modulus, rng.next() % Felt.modulus, rng.next() % Felt.modulus) }
        var out = [Digest](repeating: .zero, count: count)
        for kernel in RPO256Batch.Kernel.allCases {
            var best = UInt64.max
            for _ in 0..<max(3, runs) {
                let start = DispatchTime.now().uptimeNanoseconds
                RPO256Batch.merge(pairs: pairs, count: count, into: &out, kernel: kernel)
                best = min(best, DispatchTime.now().uptimeNanoseconds - start)
            }
            print("batched merge, \(kernel.rawValue) kernel: \(best / UInt64(count)) ns per node (\(count) nodes, 1 thread)")
        }
        // The floor: a permutation takes at least RPO256.minimumProductsPerPermutation products.
        let scalar = ProductThroughput.scalarSquareNanoseconds(rounds: max(3, runs))
        let vector = ProductThroughput.vectorSquareNanoseconds(rounds: max(3, runs))
        let products = Double(RPO256.minimumProductsPerPermutation)
        print("field squaring throughput: scalar \(format2(scalar)) ns, \(lanes)-lane \(format2(vector)) ns per product; "
            + "floor per permutation (\(RPO256.minimumProductsPerPermutation) products): "
            + "scalar \(Int((scalar * products).rounded())) ns, \(lanes)-lane \(Int((vector * products).rounded())) ns")
    }

    private func format2(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
