import Dispatch
import STARK

extension StarkBench {
    /// Prints which butterfly kernel this build prefers on this machine (`NTTLanes`), then the cost
    /// of a forward NTT over Goldilocks and its quadratic extension (wall time, minimum of `runs`
    /// rounds): milliseconds per transform and nanoseconds per radix-2 butterfly (n/2 · log n of
    /// them), at each `--log-rows` size and thread count.
    func runTransformBenchmark(threadCounts: [Int]) {
        var rng = SplitMix64(seed: 5)
        let kernels = NTTLanes.measureKernels(rounds: 9)
        print("NTT kernel: \(NTTLanes.preferred ? "vector" : "scalar") (2^12, one thread: scalar \(fmt2(kernels.scalarNanoseconds)) ns, "
            + "vector \(fmt2(kernels.vectorNanoseconds)) ns per butterfly; MRP_NTT_KERNEL=scalar|vector overrides)")
        for logN in logRows {
            let n = 1 << logN
            let butterflies = Double(n / 2 * logN)
            let base = (0..<n).map { _ in Felt(rng.next() % Felt.modulus) }
            let quad = (0..<n).map { _ in QuadFelt(Felt(rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus)) }
            for threads in threadCounts {
                func time<E: FieldElement>(_ input: [E]) -> Double {
                    var values = input
                    NTT.forward(&values, threads: threads)  // twiddles cached, pages touched
                    var best = UInt64.max
                    for _ in 0..<max(3, runs) {
                        values = input
                        let start = DispatchTime.now().uptimeNanoseconds
                        NTT.forward(&values, threads: threads)
                        best = min(best, DispatchTime.now().uptimeNanoseconds - start)
                    }
                    return Double(best)
                }
                let felt = time(base)
                let ext = time(quad)
                print("NTT 2^\(logN), \(threads) thread(s): Felt \(fmt2(felt / 1e6)) ms (\(fmt2(felt / butterflies)) ns per butterfly), "
                    + "QuadFelt \(fmt2(ext / 1e6)) ms (\(fmt2(ext / butterflies)) ns per butterfly)")
            }
        }
    }

    private func fmt2(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
