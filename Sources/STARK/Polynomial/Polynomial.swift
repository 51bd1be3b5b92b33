/// Polynomial helpers in coefficient form (index i holds the coefficient of x^i).
public enum Polynomial {
    /// Evaluates the polynomial at `x` by Horner's rule (coefficients and point may differ in field).
    @inlinable
    public static func evaluate<E: FieldElement>(_ coefficients: UnsafeBufferPointer<Felt>, at x: E) -> E {
        var acc = E.zero
        var i = coefficients.count - 1
        while i >= 0 {
            acc = acc * x + E(coefficients[i])
            i -= 1
        }
        return acc
    }

    /// Evaluates a base-field polynomial at `x`.
    @inlinable
    public static func evaluate<E: FieldElement>(_ coefficients: [Felt], at x: E) -> E {
        coefficients.withUnsafeBufferPointer { evaluate($0, at: x) }
    }

    /// Evaluates an extension-field polynomial at `x` by Horner's rule.
    @inlinable
    public static func evaluate(_ coefficients: [QuadFelt], at x: QuadFelt) -> QuadFelt {
        var acc = QuadFelt.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    /// Evaluations at `offset·ω^i` (ω of order `coefficients.count · blowup`) of the polynomial with
    /// the given coefficients: a low-degree extension onto a coset. `blowup` must be a power of two.
    ///
    /// The zero padding is never transformed: after the bit-reversal permutation each group of
    /// `blowup` entries holds one coefficient and zeros, whose first log2(blowup) butterfly layers
    /// just copy it, so the groups are filled directly and only the remaining layers run.
    @inlinable
    public static func cosetEvaluations<E: FieldElement>(
        coefficients: UnsafeBufferPointer<E>, blowup: Int, offset: Felt, threads: Int
    ) -> [E] {
        let n = coefficients.count
        let size = n * blowup
        let logN = log2Exact(n)
        let logSize = log2Exact(size)
        let shifted = UnsafeMutableBufferPointer<E>.allocate(capacity: n)
        defer { shifted.deallocate() }
        let s = UncheckedSendable(shifted)
        Parallel.forRanges(n, threads: threads, minChunk: 1 << 14) { range in
            var shift = offset.power(UInt64(range.lowerBound))
            for i in range {
                s.value[i] = coefficients[i].scaled(by: shift)
                shift = shift * offset
            }
        }
        NTT.bitReverse(shifted, logN: logN, threads: threads)
        var out = [E](unsafeUninitializedCapacity: size) { buffer, initialized in
            let d = UncheckedSendable(buffer)
            Parallel.forRanges(n, threads: threads, minChunk: 1 << 12) { range in
                for j in range {
                    let v = s.value[j]
                    let base = d.value.baseAddress! + j * blowup
                    for t in 0..<blowup { (base + t).initialize(to: v) }
                }
            }
            initialized = size
        }
        let twiddles = TwiddleCache.table(logSize: logSize, inverse: false, threads: threads)
        out.withUnsafeMutableBufferPointer { dst in
            twiddles.withUnsafeBufferPointer { tw in
                NTT.butterflies(dst, logN: logSize, fromLayer: log2Exact(blowup) + 1, twiddles: tw, threads: threads)
            }
        }
        return out
    }

    /// Interpolates evaluations on the coset `offset·⟨ω⟩` (natural order) into coefficients, in place.
    @inlinable
    public static func interpolateCoset<E: FieldElement>(_ values: UnsafeMutableBufferPointer<E>, offset: Felt, threads: Int) {
        NTT.inverse(values, threads: threads)
        let offInv = offset.inverse()
        let v = UncheckedSendable(values)
        Parallel.forRanges(values.count, threads: threads, minChunk: 1 << 14) { range in
            var shift = offInv.power(UInt64(range.lowerBound))
            for i in range {
                v.value[i] = v.value[i].scaled(by: shift)
                shift = shift * offInv
            }
        }
    }

    /// Divides by the vanishing polynomial x^n − 1 of the subgroup of size n.
    /// Returns nil unless the division is exact (the polynomial vanishes on the subgroup).
    public static func divideByVanishing(_ coefficients: [Felt], subgroupSize n: Int) -> [Felt]? {
        precondition(n > 0)
        var remainder = coefficients
        let degreeBound = coefficients.count
        if degreeBound <= n {
            return remainder.allSatisfy(\.isZero) ? [] : nil
        }
        var quotient = [Felt](repeating: .zero, count: degreeBound - n)
        // Long division from the top: x^k = x^(k−n)·(x^n − 1) + x^(k−n).
        var k = degreeBound - 1
        while k >= n {
            let c = remainder[k]
            quotient[k - n] = c
            remainder[k] = .zero
            remainder[k - n] = remainder[k - n] + c
            k -= 1
        }
        return remainder.allSatisfy(\.isZero) ? quotient : nil
    }

    /// Multiplies two polynomials naively (for tests and small sizes).
    public static func multiply(_ a: [Felt], _ b: [Felt]) -> [Felt] {
        if a.isEmpty || b.isEmpty { return [] }
        var out = [Felt](repeating: .zero, count: a.count + b.count - 1)
        for i in a.indices { for j in b.indices { out[i + j] = out[i + j] + a[i] * b[j] } }
        return out
    }

    /// The degree of the polynomial (−1 for the zero polynomial).
    public static func degree<E: FieldElement>(_ coefficients: [E]) -> Int {
        var d = coefficients.count - 1
        while d >= 0 && coefficients[d] == E.zero { d -= 1 }
        return d
    }
}
