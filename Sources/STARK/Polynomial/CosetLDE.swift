/// Evaluates polynomials on one coset of a low-degree-extension domain at a time.
///
/// The LDE domain offset·⟨ω_{nB}⟩ (n coefficients, blowup B) is the union of the B cosets
/// c_t·⟨ω_n⟩ with c_t = offset·ω_{nB}^t: the domain point with index j·B + t is c_t·ω_n^j.
/// Coset t is a size-n transform of the coefficients scaled by c_t^i, so the whole extension costs
/// the same butterflies as one transform of size nB, while only n values per column are live.
struct CosetLDE: Sendable {
    /// Coefficients per column (the trace length).
    let n: Int
    let logN: Int
    let blowup: Int
    let offset: Felt
    /// Generator of the whole LDE domain (order nB).
    let ldeGenerator: Felt
    /// Forward twiddles of size n (shared through `TwiddleCache`).
    let twiddles: [Felt]

    init(domain: LDEDomain, threads: Int) {
        n = domain.traceLength
        logN = log2Exact(n)
        blowup = domain.blowup
        offset = domain.offset
        ldeGenerator = domain.generator
        twiddles = TwiddleCache.table(logSize: logN, inverse: false, threads: threads)
    }

    /// c_t, the shift of coset t.
    func shift(coset t: Int) -> Felt { offset * ldeGenerator.power(UInt64(t)) }

    /// c_t^i for i < n.
    func shiftPowers(coset t: Int, threads: Int) -> [Felt] {
        let c = shift(coset: t)
        return [Felt](unsafeUninitializedCapacity: n) { buffer, initialized in
            let b = UncheckedSendable(buffer)
            Parallel.forRanges(n, threads: threads, minChunk: 1 << 14) { range in
                var power = c.power(UInt64(range.lowerBound))
                for i in range {
                    (b.value.baseAddress! + i).initialize(to: power)
                    power = power * c
                }
            }
            initialized = n
        }
    }

    /// Evaluates one polynomial (`n` coefficients) on the coset whose shift powers are `powers`:
    /// `out[j]` = P(c·ω_n^j), natural order.
    func evaluate<E: FieldElement>(
        _ coefficients: UnsafePointer<E>, powers: UnsafePointer<Felt>, into out: UnsafeMutablePointer<E>, threads: Int
    ) {
        let shift = UInt64.bitWidth - logN
        let src = UncheckedSendable(coefficients)
        let pw = UncheckedSendable(powers)
        let dst = UncheckedSendable(out)
        if logN == 0 {
            out.initialize(to: coefficients[0])
            return
        }
        // Scale and scatter into bit-reversed order in one pass.
        Parallel.forRanges(n, threads: threads, minChunk: 1 << 14) { range in
            for i in range {
                let r = Int(truncatingIfNeeded: UInt64(i).bitReversed >> UInt64(shift))
                (dst.value + r).initialize(to: src.value[i].scaled(by: pw.value[i]))
            }
        }
        twiddles.withUnsafeBufferPointer { tw in
            NTT.butterflies(UnsafeMutableBufferPointer(start: out, count: n), logN: logN, fromLayer: 1, twiddles: tw, threads: threads)
        }
    }

    /// Evaluates every column (each `n` coefficients) on coset t into `out`, column-major: column c
    /// at `out[c·n ..< (c+1)·n]`. Columns are spread over the threads when there are enough of
    /// them; otherwise each transform is split over the threads.
    func evaluate<E: FieldElement>(columns: [UnsafePointer<E>], coset t: Int, into out: UnsafeMutablePointer<E>, threads: Int) {
        let powers = shiftPowers(coset: t, threads: threads)
        let width = columns.count
        powers.withUnsafeBufferPointer { pw in
            let p = UncheckedSendable(pw.baseAddress!)
            let dst = UncheckedSendable(out)
            if width >= 2 * threads || width % threads == 0 {
                Parallel.forEach(width, threads: threads) { c in
                    evaluate(columns[c], powers: p.value, into: dst.value + c * n, threads: 1)
                }
            } else {
                for c in 0..<width { evaluate(columns[c], powers: p.value, into: out + c * n, threads: threads) }
            }
        }
    }
}
