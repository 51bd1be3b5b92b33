/// The Fiat–Shamir transcript (a random coin): everything the prover commits is absorbed in
/// order, and the verifier's challenges are drawn from the running seed.
///
/// Prover and verifier run the same sequence of `absorb`/`draw` calls; any difference in what
/// was absorbed changes every later challenge.
public struct Transcript<H: StarkHasher>: Sendable {
    public private(set) var seed: Digest
    @usableFromInline var counter: UInt64 = 0

    /// Starts a transcript from the statement: proof context and public inputs.
    public init(seed elements: [Felt]) {
        seed = H.hashElements(elements)
    }

    /// Absorbs a commitment.
    public mutating func absorb(_ digest: Digest) {
        seed = H.merge(seed, digest)
        counter = 0
    }

    /// Absorbs field elements (out-of-domain values, the FRI remainder).
    public mutating func absorb(elements: [Felt]) {
        absorb(H.hashElements(elements))
    }

    /// Absorbs the proof-of-work nonce.
    public mutating func absorb(nonce: UInt64) {
        absorb(H.merge(seed, value: nonce))
    }

    /// The next pseudo-random 64-bit word.
    @usableFromInline mutating func nextWord() -> UInt64 {
        counter &+= 1
        return H.merge(seed, value: counter).w0
    }

    /// Draws a uniformly random base-field element (rejection sampling on words ≥ p).
    public mutating func drawFelt() -> Felt {
        while true {
            if let f = Felt(canonical: nextWord()) { return f }
        }
    }

    /// Draws an extension element of the given degree (1: the base field embedded, 2: quadratic).
    public mutating func drawExtension(degree: Int) -> QuadFelt {
        let c0 = drawFelt()
        let c1 = degree >= 2 ? drawFelt() : .zero
        return QuadFelt(c0, c1)
    }

    /// Draws `count` extension elements.
    public mutating func drawExtensions(_ count: Int, degree: Int) -> [QuadFelt] {
        (0..<count).map { _ in drawExtension(degree: degree) }
    }

    /// Draws `count` positions in 0..<domainSize (a power of two); returns them sorted, without repeats.
    public mutating func drawPositions(_ count: Int, domainSize: Int) -> [Int] {
        let mask = UInt64(domainSize - 1)
        var set = Set<Int>()
        for _ in 0..<count { set.insert(Int(nextWord() & mask)) }
        return set.sorted()
    }

    /// True if `nonce` solves the proof-of-work puzzle of `bits` leading zero bits on the current seed.
    public func acceptsProofOfWork(nonce: UInt64, bits: Int) -> Bool {
        H.merge(seed, value: nonce).w0.leadingZeroBitCount >= bits
    }

    /// Finds the smallest nonce solving the proof-of-work puzzle, searching in parallel.
    /// Deterministic: the same seed gives the same nonce for any thread count.
    public func grind(bits: Int, threads: Int) -> UInt64 {
        if bits == 0 { return 0 }
        let seed = self.seed
        let batch = 1 << 14
        var start: UInt64 = 0
        while true {
            let chunks = max(1, threads) * 4
            let per = batch / chunks
            var found = [UInt64](repeating: .max, count: chunks)
            found.withUnsafeMutableBufferPointer { out in
                let o = UncheckedSendable(out)
                Parallel.forEach(chunks, threads: threads) { c in
                    let lo = start &+ UInt64(c * per)
                    // Candidates are hashed `group` at a time (a multi-lane hash fills its lanes)
                    // and checked in order, so the first hit is still the smallest nonce.
                    let group = 16
                    withUnsafeTemporaryAllocation(of: Digest.self, capacity: group) { digests in
                        var k = 0
                        while k < per {
                            let n = min(group, per - k)
                            H.merge(seed, valuesFrom: lo &+ UInt64(k), count: n, into: digests.baseAddress!)
                            for j in 0..<n where digests[j].w0.leadingZeroBitCount >= bits {
                                o.value[c] = lo &+ UInt64(k + j)
                                return
                            }
                            k += n
                        }
                    }
                }
            }
            if let best = found.min(), best != .max { return best }
            start &+= UInt64(batch)
        }
    }
}
