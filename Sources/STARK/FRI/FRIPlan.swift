/// How FRI reduces a proof's DEEP polynomial: how many times it folds and how many coefficients
/// the remainder has. Prover, verifier and decoder all take it from here.
///
/// Layer k (before its fold) has degree bound n/f^k over n·blowup/f^k points. A fold happens only
/// while the bound is at least the folding factor f (so the layer has at least f·blowup ≥ f
/// points, and the fold divides exactly) and above the remainder's degree bound
/// `friRemainderMaxDegree + 1`. The remainder then has `remainderBound` coefficients: at most
/// `friRemainderMaxDegree + 1`, except when the bound falls below f first — then up to f/2, which
/// is at most f − 1 more than `friRemainderMaxDegree + 1`.
public struct FRIPlan: Hashable, Sendable {
    /// Number of folds (committed FRI layers).
    public let layers: Int
    /// Number of coefficients of the remainder polynomial (its degree bound).
    public let remainderBound: Int

    /// The plan for a trace of `traceLength` rows (the DEEP polynomial's degree bound) under `options`.
    public init(traceLength: Int, options: ProofOptions) {
        self.init(degreeBound: traceLength, factor: options.friFoldingFactor, remainderMaxDegree: options.friRemainderMaxDegree)
    }

    /// The plan for a degree bound `degreeBound` (a power of two), folding by `factor`.
    public init(degreeBound: Int, factor: Int, remainderMaxDegree: Int) {
        var bound = max(1, degreeBound)
        var layers = 0
        while factor >= 2, bound >= factor, bound > remainderMaxDegree + 1 {
            bound /= factor
            layers += 1
        }
        self.layers = layers
        remainderBound = bound
    }

    /// The most remainder coefficients any valid options allow: `friRemainderMaxDegree` + 1 ≤ 1024.
    public static let maxRemainderBound = 1024
}
