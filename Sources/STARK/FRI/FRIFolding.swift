/// The FRI folding step shared by prover and verifier.
///
/// A layer of size N is committed in rows: row r holds the values at positions r + k·(N/f),
/// k < f, which are the points x·ξ^k (ξ a primitive f-th root of unity). Folding the row with
/// challenge α gives the next layer's value at position r, the point x^f:
/// P(y) = Σ_{j<f} y^j·P_j(y^f)  ↦  Σ_j α^j·P_j(x^f).
public struct FRIFolding: Sendable {
    public let factor: Int
    /// ξ^{−i} for i < f.
    @usableFromInline let rootInversePowers: [Felt]
    /// 1/f.
    @usableFromInline let factorInverse: Felt

    public init(factor: Int) {
        precondition([2, 4, 8, 16].contains(factor))
        self.factor = factor
        let xiInv = Felt.rootOfUnity(logSize: log2Exact(factor)).inverse()
        rootInversePowers = (0..<factor).map { xiInv.power(UInt64($0)) }
        factorInverse = Felt(UInt64(factor)).inverse()
    }

    /// Folds one row of f values: `values[k]` = P(x·ξ^k); `xInverse` = 1/x. Returns Σ_j α^j·P_j(x^f).
    ///
    /// In log2(f) halvings (an FFT-shaped evaluation, ~3× fewer multiplications than the f×f
    /// inverse DFT): the values at t and −t of Q(t) = E(t²) + t·O(t²) become
    /// 2·(E + a·O)(t²) = (Q(t) + Q(−t)) + (a/t)·(Q(t) − Q(−t)); each halving squares a (starting
    /// at α), t and the root of unity, and the factors 2 are removed once at the end (1/f).
    @inlinable
    public func fold(_ values: UnsafeBufferPointer<QuadFelt>, xInverse: Felt, alpha: QuadFelt) -> QuadFelt {
        let f = factor
        return withUnsafeTemporaryAllocation(of: QuadFelt.self, capacity: f) { w in
            // Callers pass exactly f values (the verifier checks each opened row's length).
            for k in 0..<f { w.initializeElement(at: k, to: k < values.count ? values[k] : .zero) }
            rootInversePowers.withUnsafeBufferPointer { rootInverse in
                // w[k] = Q(t·η^k) for k < n, η = ξ^stride a primitive n-th root of unity, 1/t = tInverse.
                var n = f
                var a = alpha
                var tInverse = xInverse
                var stride = 1
                while n > 1 {
                    let half = n / 2
                    for k in 0..<half {
                        let p = w[k], q = w[k + half]
                        let pointInverse = k == 0 ? tInverse : tInverse * rootInverse[k * stride]
                        w[k] = (p + q) + a.scaled(by: pointInverse) * (p - q)
                    }
                    a = a * a
                    tInverse = tInverse * tInverse
                    stride *= 2
                    n = half
                }
            }
            return w[0].scaled(by: factorInverse)
        }
    }
}
