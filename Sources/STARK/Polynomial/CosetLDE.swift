/// Evaluates polynomials on one coset of a low-degree-extension domain at a time.
///
/// The LDE domain offset·⟨ω_{nB}⟩ (n coefficients, blowup B) is the union of the B cosets
/// c_t·⟨ω_n⟩ with c_t = offset·ω_{nB}^t: the domain point with index j·B + t is c_t·ω_n^j.
/// Coset t is a size-n transform of the coefficients scaled by c_t^i, so the whole extension costs
/// the same butterflies as one transform of size nB, while only n values per column are live.
/// Columns are prepared once (`prepare`: scaled by offset^i, bit-reversed); each coset then costs
/// one sequential multiply by (ω_{nB}^t)^rev(r) per value and the butterflies.
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

    /// The columns made ready for `evaluate(prepared:coset:into:threads:)`: each scaled by
    /// offset^i and put in bit-reversed order once, so that a coset costs one sequential multiply
    /// per value before its butterflies instead of a scattered copy.
    func prepare<E: FieldElement>(columns: [UnsafePointer<E>], threads: Int) -> PreparedColumns<E> {
        let prepared = PreparedColumns<E>(width: columns.count, n: n)
        let offsetPowers = UnsafeMutablePointer<Felt>.allocate(capacity: n)
        defer { offsetPowers.deallocate() }
        let shared = UncheckedSendable((offsetPowers, prepared.values))
        Parallel.forRanges(n, threads: threads, minChunk: 1 << 14) { range in
            var power = offset.power(UInt64(range.lowerBound))
            for i in range {
                (shared.value.0 + i).initialize(to: power)
                power = power * offset
            }
        }
        let shift = UInt64.bitWidth - logN
        let sources = UncheckedSendable(columns)
        Parallel.forEach(columns.count, threads: threads) { c in
            let (powers, values) = shared.value
            let src = sources.value[c]
            let dst = values + c * n
            if logN == 0 {
                dst.initialize(to: src[0])
                return
            }
            for i in 0..<n {
                let r = Int(truncatingIfNeeded: UInt64(i).bitReversed >> UInt64(shift))
                (dst + r).initialize(to: src[i].scaled(by: powers[i]))
            }
        }
        return prepared
    }

    /// Writes into `out` the powers (ω_{nB}^t)^rev(r) for r < n (rev reverses log2 n bits): the
    /// factors that turn prepared columns into coset t's bit-reversed transform input. Built by
    /// doubling: entry 2^k + r is entry r times (ω_{nB}^t)^(n / 2^(k+1)).
    func bitReversedCosetPowers(coset t: Int, into out: UnsafeMutablePointer<Felt>) {
        let w = ldeGenerator.power(UInt64(t))
        out.initialize(to: .one)
        var size = 1
        while size < n {
            let factor = w.power(UInt64(n / (2 * size)))
            for r in 0..<size { (out + size + r).initialize(to: out[r] * factor) }
            size <<= 1
        }
    }

    /// Evaluates every prepared column on coset t into `out`, column-major: column c at
    /// `out[c·n ..< (c+1)·n]`, `out[c·n + j]` = P_c(c_t·ω_n^j). Columns are spread over the threads
    /// when there are enough of them; otherwise each transform is split over the threads.
    func evaluate<E: FieldElement>(prepared: PreparedColumns<E>, coset t: Int, into out: UnsafeMutablePointer<E>, threads: Int) {
        let powers = prepared.cosetPowers
        bitReversedCosetPowers(coset: t, into: powers)
        let width = prepared.width
        let shared = UncheckedSendable((UnsafePointer(powers), UnsafePointer(prepared.values), out))
        let transform: (Int, Int) -> Void = { c, innerThreads in
            let (powers, values, out) = shared.value
            let src = values + c * n
            let dst = out + c * n
            Parallel.forRanges(n, threads: innerThreads, minChunk: 1 << 14) { range in
                for r in range { (dst + r).initialize(to: src[r].scaled(by: powers[r])) }
            }
            if logN == 0 { return }
            twiddles.withUnsafeBufferPointer { tw in
                NTT.butterflies(UnsafeMutableBufferPointer(start: dst, count: n), logN: logN, fromLayer: 1, twiddles: tw, threads: innerThreads)
            }
        }
        if width >= 2 * threads || width % threads == 0 {
            Parallel.forEach(width, threads: threads) { c in transform(c, 1) }
        } else {
            for c in 0..<width { transform(c, threads) }
        }
    }
}

/// Columns in the form `CosetLDE.evaluate(prepared:…)` reads (see `CosetLDE.prepare`), with a
/// buffer for one coset's powers. Owns its memory: call `free()` when done.
struct PreparedColumns<E: FieldElement>: @unchecked Sendable {
    let width: Int
    let n: Int
    /// Column c at `values[c·n ..< (c+1)·n]`: coefficient i times offset^i at index rev(i).
    let values: UnsafeMutablePointer<E>
    /// Scratch for the coset powers (n values), rewritten by each evaluation: one prepared set is
    /// evaluated on one coset at a time.
    let cosetPowers: UnsafeMutablePointer<Felt>

    init(width: Int, n: Int) {
        self.width = width
        self.n = n
        values = .allocate(capacity: max(1, width * n))
        cosetPowers = .allocate(capacity: max(1, n))
    }

    func free() {
        values.deallocate()
        cosetPowers.deallocate()
    }
}
