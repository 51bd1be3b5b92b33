/// Evaluates many polynomials (base-field coefficients) at a few points: the queried rows of a
/// segment whose extension is not kept (base-field points), and the out-of-domain values
/// (extension-field points).
///
/// Each value Σ_i a_i·x^i is accumulated without reduction: the 128-bit products a_i·x^i are
/// summed into a 192-bit accumulator and reduced once at the end, so a term costs one widening
/// multiply and three additions instead of a full field product. The powers x^i are computed once
/// per point and shared by every polynomial.
enum PointEvaluator {
    /// `polynomials[k]` (all `length` coefficients, coefficient i at `polynomials[k][i·stride]`) at
    /// each of `points`: result[q·count + k].
    static func evaluate(_ polynomials: [UnsafePointer<Felt>], stride: Int, length: Int, at points: [Felt], threads: Int) -> [Felt] {
        let count = polynomials.count
        let pointCount = points.count
        if count == 0 || pointCount == 0 { return [] }
        return summedOverParts(length: length, threads: threads, sums: pointCount * count) { lo, hi, sums in
            let accumulators = UnsafeMutablePointer<Wide>.allocate(capacity: pointCount * count)
            defer { accumulators.deallocate() }
            accumulators.initialize(repeating: Wide(), count: pointCount * count)
            var powers = points.map { $0.power(UInt64(lo)) }
            let row = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
            defer { row.deallocate() }
            for i in lo..<hi {
                for k in 0..<count { row[k] = polynomials[k][i * stride].value }
                for q in 0..<pointCount {
                    let power = powers[q].value
                    let acc = accumulators + q * count
                    for k in 0..<count { acc[k].add(power.multipliedFullWidth(by: row[k])) }
                    powers[q] = powers[q] * points[q]
                }
            }
            for a in 0..<(pointCount * count) { (sums + a).initialize(to: accumulators[a].reduced) }
        }
    }

    /// `polynomials[k]` (base-field coefficients, laid out as above) at each extension point:
    /// result[q·count + k]. With z^i = a_i + b_i·φ, Σ c_i·z^i = Σ c_i·a_i + (Σ c_i·b_i)·φ: two
    /// widening products per term, summed unreduced as above, the powers z^i computed once per
    /// point and shared by every polynomial (the out-of-domain step).
    static func evaluate(_ polynomials: [UnsafePointer<Felt>], stride: Int, length: Int, at points: [QuadFelt], threads: Int) -> [QuadFelt] {
        let count = polynomials.count
        let pointCount = points.count
        if count == 0 || pointCount == 0 { return [] }
        return summedOverParts(length: length, threads: threads, sums: pointCount * count) { lo, hi, sums in
            // Accumulators of the c0 and c1 parts, interleaved: [2a] and [2a + 1].
            let accumulators = UnsafeMutablePointer<Wide>.allocate(capacity: 2 * pointCount * count)
            defer { accumulators.deallocate() }
            accumulators.initialize(repeating: Wide(), count: 2 * pointCount * count)
            var powers = points.map { $0.power(UInt64(lo)) }
            let row = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
            defer { row.deallocate() }
            for i in lo..<hi {
                for k in 0..<count { row[k] = polynomials[k][i * stride].value }
                for q in 0..<pointCount {
                    let a = powers[q].c0.value, b = powers[q].c1.value
                    let acc = accumulators + 2 * q * count
                    for k in 0..<count {
                        acc[2 * k].add(a.multipliedFullWidth(by: row[k]))
                        acc[2 * k + 1].add(b.multipliedFullWidth(by: row[k]))
                    }
                    powers[q] = powers[q] * points[q]
                }
            }
            for a in 0..<(pointCount * count) {
                (sums + a).initialize(to: QuadFelt(accumulators[2 * a].reduced, accumulators[2 * a + 1].reduced))
            }
        }
    }

    /// Splits the coefficients 0..<length into up to `threads` parts; `partSums(lo, hi, out)`
    /// initializes `sums` values at `out` for coefficients lo..<hi (in parallel); returns the
    /// parts' sums added.
    private static func summedOverParts<V: FieldElement>(
        length: Int, threads: Int, sums count: Int, _ partSums: (Int, Int, UnsafeMutablePointer<V>) -> Void
    ) -> [V] {
        let parts = max(1, min(threads, length / (1 << 12)))
        let per = (length + parts - 1) / parts
        let partials = UnsafeMutableBufferPointer<V>.allocate(capacity: parts * count)
        defer { partials.deallocate() }
        let out = UncheckedSendable(partials)
        withoutActuallyEscaping(partSums) { body in
            let sum = UncheckedSendable(body)
            Parallel.forEach(parts, threads: threads) { part in
                let lo = part * per
                let hi = min(length, lo + per)
                let sums = out.value.baseAddress! + part * count
                guard lo < hi else {
                    sums.initialize(repeating: .zero, count: count)
                    return
                }
                sum.value(lo, hi, sums)
            }
        }
        var result = [V](repeating: .zero, count: count)
        for part in 0..<parts {
            for a in 0..<count { result[a] = result[a] + partials[part * count + a] }
        }
        return result
    }

    /// A 192-bit unsigned accumulator.
    struct Wide {
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        var top: UInt64 = 0

        @inline(__always)
        mutating func add(_ product: (high: UInt64, low: UInt64)) {
            let (l, c0) = lo.addingReportingOverflow(product.low)
            lo = l
            let (h, c1) = hi.addingReportingOverflow(product.high &+ (c0 ? 1 : 0))
            // product.high ≤ 2^64 − 2, so adding the carry cannot wrap.
            hi = h
            top &+= c1 ? 1 : 0
        }

        /// The value mod p: top·2^128 + hi·2^64 + lo.
        var reduced: Felt {
            let twoTo128 = Felt(unchecked: Felt.epsilon) * Felt(unchecked: Felt.epsilon)
            return Felt(top) * twoTo128 + Felt(unchecked: Felt.reduce128(hi: hi, lo: lo))
        }
    }
}
