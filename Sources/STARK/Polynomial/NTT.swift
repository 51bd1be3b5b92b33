/// Number-theoretic transforms over power-of-two subgroups of Goldilocks (sizes up to 2^32).
///
/// Both directions take and return natural order: `forward` maps coefficients c to evaluations
/// (c(ω^0), …, c(ω^{n−1})) for the primitive n-th root ω of `Felt.rootOfUnity`; `inverse` undoes it.
/// Values may be base-field or extension elements (twiddles are always base-field). Work is split
/// over `threads` threads; the result does not depend on the thread count.
public enum NTT {
    /// Elements per cache block: layers whose butterflies stay within a block are run block by block.
    @usableFromInline static let blockLog = 15

    /// Evaluates the polynomial with coefficients `values` on the subgroup of size `values.count`, in place.
    @inlinable
    public static func forward<E: FieldElement>(_ values: UnsafeMutableBufferPointer<E>, threads: Int = 1) {
        transform(values, inverseRoots: false, threads: threads)
    }

    /// Interpolates: turns evaluations on the subgroup of size `values.count` into coefficients, in place.
    @inlinable
    public static func inverse<E: FieldElement>(_ values: UnsafeMutableBufferPointer<E>, threads: Int = 1) {
        let n = values.count
        guard n > 1 else { return }
        transform(values, inverseRoots: true, threads: threads)
        let nInv = Felt(UInt64(n)).inverse()
        let v = UncheckedSendable(values)
        Parallel.forRanges(n, threads: threads, minChunk: 1 << 14) { range in
            for i in range { v.value[i] = v.value[i].scaled(by: nInv) }
        }
    }

    /// The unscaled transform with ω or ω⁻¹.
    @inlinable
    static func transform<E: FieldElement>(
        _ values: UnsafeMutableBufferPointer<E>, inverseRoots: Bool, threads: Int, lanes: Bool = NTTLanes.preferred
    ) {
        let n = values.count
        guard n > 1 else { return }
        let logN = log2Exact(n)
        let twiddles = TwiddleCache.table(logSize: logN, inverse: inverseRoots, threads: threads)
        twiddles.withUnsafeBufferPointer { tw in
            bitReverse(values, logN: logN, threads: threads)
            butterflies(values, logN: logN, fromLayer: 1, twiddles: tw, threads: threads, lanes: lanes)
        }
    }

    /// Array conveniences.
    @inlinable
    public static func forward<E: FieldElement>(_ values: inout [E], threads: Int = 1) {
        values.withUnsafeMutableBufferPointer { forward($0, threads: threads) }
    }

    @inlinable
    public static func inverse<E: FieldElement>(_ values: inout [E], threads: Int = 1) {
        values.withUnsafeMutableBufferPointer { inverse($0, threads: threads) }
    }

    /// ω^k for k in 0..<n/2 where ω is the primitive n-th root (or its inverse).
    @inlinable
    public static func twiddleTable(logSize: Int, inverse: Bool, threads: Int) -> [Felt] {
        let half = (1 << logSize) >> 1
        var root = Felt.rootOfUnity(logSize: logSize)
        if inverse { root = root.inverse() }
        var table = [Felt](repeating: .zero, count: max(half, 1))
        table.withUnsafeMutableBufferPointer { t in
            let tb = UncheckedSendable(t)
            Parallel.forRanges(half, threads: threads, minChunk: 1 << 14) { range in
                var w = root.power(UInt64(range.lowerBound))
                for k in range {
                    tb.value[k] = w
                    w = w * root
                }
            }
        }
        return table
    }

    /// Decimation-in-time butterfly layers `fromLayer...logN` on bit-reversed input. `twiddles` is
    /// the layered table of size 2^logN (`TwiddleCache.table`). `lanes`: the radix-4 layers use
    /// `NTTLanes` (same results).
    @inlinable
    static func butterflies<E: FieldElement>(
        _ values: UnsafeMutableBufferPointer<E>, logN: Int, fromLayer: Int, twiddles: UnsafeBufferPointer<Felt>, threads: Int,
        lanes: Bool = NTTLanes.preferred
    ) {
        let n = values.count
        let a = UncheckedSendable(values)
        let tw = UncheckedSendable(twiddles)

        // Small layers: every butterfly stays within a block of 2^blockLog elements.
        let blockLogUsed = min(blockLog, logN)
        let blockSize = 1 << blockLogUsed
        if fromLayer <= blockLogUsed { Parallel.forRanges(n / blockSize, threads: threads, minChunk: 1) { blocks in
            for b in blocks {
                let base = a.value.baseAddress! + b * blockSize
                var half = 1 << (fromLayer - 1)
                var layer = fromLayer
                while layer <= blockLogUsed {
                    let len = half << 1
                    var start = 0
                    if half == 1 {
                        // First layer: every twiddle is 1.
                        while start < blockSize {
                            let u = base[start]
                            let v = base[start + 1]
                            base[start] = u + v
                            base[start + 1] = u - v
                            start += 2
                        }
                        half = len
                        layer += 1
                        continue
                    }
                    if layer + 1 <= blockLogUsed {
                        // Two layers in one pass over the block (radix 4, as the large layers below).
                        let w1 = tw.value.baseAddress! + half
                        let w2 = w1 + half, w3 = w2 + half
                        while start < blockSize {
                            radix4Run(base + start, half: half, count: half, w1: w1, w2: w2, w3: w3, lanes: lanes)
                            start &+= 4 &* half
                        }
                        half <<= 2
                        layer += 2
                        continue
                    }
                    let layerTwiddles = tw.value.baseAddress! + half
                    while start < blockSize {
                        for k in 0..<half {
                            let w = layerTwiddles[k]
                            let u = base[start + k]
                            let t = base[start + k + half].scaled(by: w)
                            base[start + k] = u + t
                            base[start + k + half] = u - t
                        }
                        start += len
                    }
                    half = len
                    layer += 1
                }
            }
        } }

        // Large layers, two at a time (radix 4: one pass over memory for two layers), parallel over
        // groups of four elements.
        var layer = max(blockLogUsed + 1, fromLayer)
        while layer + 1 <= logN {
            let half = 1 << (layer - 1)
            let pairLayer = layer
            Parallel.forRanges(n / 4, threads: threads, minChunk: 1 << 11) { range in
                let p = a.value.baseAddress!
                let w1 = tw.value.baseAddress! + half
                let w2 = w1 + half, w3 = w2 + half
                // Group j is butterfly k = j mod half of block j / half; a run stays in one block.
                var j = range.lowerBound
                while j < range.upperBound {
                    let block = j &>> (pairLayer &- 1)
                    let k = j & (half &- 1)
                    let count = Swift.min(range.upperBound &- j, half &- k)
                    radix4Run(
                        p + (block &<< (pairLayer &+ 1)) + k, half: half, count: count, w1: w1 + k, w2: w2 + k, w3: w3 + k,
                        lanes: lanes)
                    j &+= count
                }
            }
            layer += 2
        }
        // A last single layer, parallel over butterflies.
        while layer <= logN {
            let half = 1 << (layer - 1)
            Parallel.forRanges(n / 2, threads: threads, minChunk: 1 << 12) { range in
                let p = a.value.baseAddress!
                for j in range {
                    let group = j >> (layer - 1)
                    let k = j & (half - 1)
                    let i0 = (group << layer) + k
                    let i1 = i0 + half
                    let w = tw.value[half + k]
                    let u = p[i0]
                    let t = p[i1].scaled(by: w)
                    p[i0] = u + t
                    p[i1] = u - t
                }
            }
            layer += 1
        }
    }

    /// Two decimation-in-time layers (radix 4: one pass over memory for two layers) on each group
    /// (x0, x1, x2, x3) = (q[k], q[k + half], q[k + 2·half], q[k + 3·half]), k < count: the lower
    /// layer's butterflies (x0, x1) and (x2, x3) with twiddle w1[k], then the upper layer's
    /// (x0, x2) and (x1, x3) with w2[k] and w3[k]. Pointer steps only (no checked index arithmetic).
    @inlinable @inline(__always)
    static func radix4Run<E: FieldElement>(
        _ q: UnsafeMutablePointer<E>, half: Int, count: Int,
        w1: UnsafePointer<Felt>, w2: UnsafePointer<Felt>, w3: UnsafePointer<Felt>, lanes: Bool
    ) {
        var done = 0
        if lanes, E.self == Felt.self, count >= NTTLanes.width {
            done = count & ~(NTTLanes.width - 1)
            NTTLanes.radix4Run(
                UnsafeMutableRawPointer(q).assumingMemoryBound(to: Felt.self), half: half, count: done, w1: w1, w2: w2, w3: w3)
        } else if lanes, E.self == QuadFelt.self, count >= NTTLanes.width / 2 {
            done = count & ~(NTTLanes.width / 2 - 1)
            NTTLanes.radix4RunPairs(
                UnsafeMutableRawPointer(q).assumingMemoryBound(to: Felt.self), half: half, count: done, w1: w1, w2: w2, w3: w3)
        }
        var p0 = q + done, p1 = p0 + half
        var p2 = p1 + half, p3 = p2 + half
        var t1 = w1 + done, t2 = w2 + done, t3 = w3 + done
        for _ in done..<count {
            let x0 = p0.pointee
            let x2 = p2.pointee
            let y1 = p1.pointee.scaled(by: t1.pointee)
            let y3 = p3.pointee.scaled(by: t1.pointee)
            let a0 = x0 + y1
            let a1 = x0 - y1
            let u2 = (x2 + y3).scaled(by: t2.pointee)
            let u3 = (x2 - y3).scaled(by: t3.pointee)
            p0.pointee = a0 + u2
            p2.pointee = a0 - u2
            p1.pointee = a1 + u3
            p3.pointee = a1 - u3
            p0 += 1; p1 += 1; p2 += 1; p3 += 1
            t1 += 1; t2 += 1; t3 += 1
        }
    }

    /// Permutes `values` into bit-reversed index order.
    @inlinable
    public static func bitReverse<E>(_ values: UnsafeMutableBufferPointer<E>, logN: Int, threads: Int) {
        let n = values.count
        let a = UncheckedSendable(values)
        let shift = UInt64.bitWidth - logN
        Parallel.forRanges(n, threads: threads, minChunk: 1 << 14) { range in
            let p = a.value.baseAddress!
            for i in range {
                let r = Int(truncatingIfNeeded: UInt64(i).bitReversed >> UInt64(shift))
                if i < r {
                    let t = p[i]
                    p[i] = p[r]
                    p[r] = t
                }
            }
        }
    }
}

extension UInt64 {
    /// The 64-bit reversal of the bits.
    @inlinable
    public var bitReversed: UInt64 {
        var x = self
        x = ((x >> 1) & 0x5555_5555_5555_5555) | ((x & 0x5555_5555_5555_5555) << 1)
        x = ((x >> 2) & 0x3333_3333_3333_3333) | ((x & 0x3333_3333_3333_3333) << 2)
        x = ((x >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((x & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return x.byteSwapped
    }
}

/// log2 of a power of two; traps on anything else.
@inlinable
public func log2Exact(_ n: Int) -> Int {
    precondition(n > 0 && n & (n - 1) == 0, "\(n) is not a power of two")
    return n.trailingZeroBitCount
}
