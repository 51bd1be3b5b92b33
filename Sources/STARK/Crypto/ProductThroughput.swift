/// How fast this machine multiplies in Goldilocks, measured the way RPO256's x^(1/7) chain
/// multiplies: many independent squarings in flight, nothing else. The floor under any RPO256
/// kernel's cost (see `RPO256.minimumProductsPerPermutation`); `stark-bench --permutation` prints it.
public enum ProductThroughput {
    /// Nanoseconds per scalar `Felt` squaring: eight independent chains in step (thread CPU time,
    /// minimum over `rounds`).
    public static func scalarSquareNanoseconds(steps: Int = 1 << 18, rounds: Int = 5) -> Double {
        var best = Double.infinity
        var x = (0..<8).map { Felt(UInt64($0) &+ 3) }
        for _ in 0..<max(1, rounds) {
            let t0 = RPO256Batch.threadCPUNanoseconds()
            var (a, b, c, d, e, f, g, h) = (x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
            for _ in 0..<steps {
                a = a.square(); b = b.square(); c = c.square(); d = d.square()
                e = e.square(); f = f.square(); g = g.square(); h = h.square()
            }
            x = [a, b, c, d, e, f, g, h]
            best = min(best, Double(RPO256Batch.threadCPUNanoseconds() - t0) / Double(8 * steps))
        }
        // The result depends on the chains (by a negligible amount), so they cannot be optimised away.
        return best + Double(x.reduce(Felt.zero, +).value & 1) * 1e-9
    }

    /// Nanoseconds per lane squaring with `RPO256Lanes`' vector arithmetic: four vectors of
    /// `RPO256Lanes.width` lanes in step, as its x^(1/7) chain runs (thread CPU time, minimum).
    public static func vectorSquareNanoseconds(steps: Int = 1 << 16, rounds: Int = 5) -> Double {
        typealias V = RPO256Lanes.Vector
        var best = Double.infinity
        var a = V(repeating: 3), b = V(repeating: 5), c = V(repeating: 7), d = V(repeating: 11)
        for _ in 0..<max(1, rounds) {
            let t0 = RPO256Batch.threadCPUNanoseconds()
            for _ in 0..<steps {
                a = RPO256Lanes.square(a); b = RPO256Lanes.square(b)
                c = RPO256Lanes.square(c); d = RPO256Lanes.square(d)
            }
            best = min(best, Double(RPO256Batch.threadCPUNanoseconds() - t0) / Double(4 * V.scalarCount * steps))
        }
        return best + Double((a &+ b &+ c &+ d).wrappedSum() & 1) * 1e-9
    }
}

extension RPO256 {
    /// The fewest field products one permutation can take: 7 rounds × 12 lanes × 64, since x^(1/7)
    /// raises to an exponent of 64 bits and any addition chain for a 64-bit exponent has at least
    /// 63 doublings plus a product (the S-box x^7, the MDS and the constants are not counted).
    public static let minimumProductsPerPermutation = numRounds * 12 * 64
}
