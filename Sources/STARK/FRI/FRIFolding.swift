/// The FRI folding step shared by prover and verifier.
///
/// A layer of size N is committed in rows: row r holds the values at positions r + k·(N/f),
/// k < f, which are the points x·ξ^k (ξ a primitive f-th root of unity). Folding the row with
/// challenge α gives the next layer's value at position r, the point x^f:
/// P(y) = Σ_{j<f} y^j·P_j(y^f)  ↦  Σ_j α^j·P_j(x^f).
public struct FRIFolding: Sendable {
    public let factor: Int
    /// (1/f)·ξ^{−jk}, row-major [j][k].
    @usableFromInline let inverseDFT: [Felt]

    public init(factor: Int) {
        precondition([2, 4, 8, 16].contains(factor))
        self.factor = factor
        let xiInv = Felt.rootOfUnity(logSize: log2Exact(factor)).inverse()
        let fInv = Felt(UInt64(factor)).inverse()
        var table = [Felt](repeating: .zero, count: factor * factor)
        for j in 0..<factor {
            for k in 0..<factor {
                table[j * factor + k] = fInv * xiInv.power(UInt64(j * k))
            }
        }
        inverseDFT = table
    }

    /// Folds one row: `values[k]` = P(x·ξ^k); `xInverse` = 1/x.
    @inlinable
    public func fold(_ values: UnsafeBufferPointer<QuadFelt>, xInverse: Felt, alpha: QuadFelt) -> QuadFelt {
        let f = factor
        // u_j = x^j·P_j(x^f) = (1/f)·Σ_k ξ^{−jk}·values[k];   result = Σ_j (α/x)^j·u_j.
        let ratio = alpha.scaled(by: xInverse)
        var power = QuadFelt.one
        var result = QuadFelt.zero
        inverseDFT.withUnsafeBufferPointer { t in
            for j in 0..<f {
                var u = QuadFelt.zero
                let rowBase = j * f
                for k in 0..<f { u += values[k].scaled(by: t[rowBase + k]) }
                result += power * u
                power = power * ratio
            }
        }
        return result
    }
}
