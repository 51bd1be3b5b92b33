import STARK

/// The block AIR's composition numerator Σ αₖ·Cₖ for one proof, evaluated the fast way: the same
/// value as `BlockColumns.evaluate` and `BlockAIR.evaluateAux` summed constraint by constraint.
///
/// Constraints that share a selector (the round flag, "within the segment", the segment's end, …)
/// are summed first — unreduced, `QuadAccumulator` — and multiplied by the selector once; the bus
/// message is built from base-field values with the challenge powers computed once per proof, not
/// per point; no main value is lifted into the extension.
struct BlockTransitionCombination: TransitionCombination {
    let constants: BlockCombinationConstants

    /// Nil unless there is one coefficient per transition constraint (87 main, the bus) and two challenges.
    init?(coefficients: [QuadFelt], challenges: [QuadFelt]) {
        guard let constants = BlockCombinationConstants(coefficients: coefficients, challenges: challenges) else { return nil }
        self.constants = constants
    }

    func evaluate(main: EvaluationFrame<Felt>, aux: EvaluationFrame<QuadFelt>, periodic p: UnsafePointer<Felt>) -> QuadFelt {
        typealias C = BlockColumns
        let s = main.current.baseAddress!, n = main.next.baseAddress!
        let coefficient = UnsafePointer(constants.values)
        let k = p[0], rowZero = p[1]
        let first = p[C.periodicFirst], end = p[C.periodicEnd], inner = p[C.periodicInner], innerLow = p[C.periodicInnerLow]
        let beforeEnd = p[C.periodicBeforeEnd]
        let one = Felt.one
        let bitS = s[C.bit], bitN = n[C.bit]
        let acc = s[C.isAccount], nul = s[C.isNullifier]
        let active = acc + nul
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: BlockCombinationConstants.groupedCount + 12) { buffer in
            // The constraints' values without their selectors, in group order (see
            // `BlockCombinationConstants.groupOrder`), as 64-bit representatives of field elements.
            let v = buffer.baseAddress!
            // Round flag: both chains' round residuals; the seventh powers are not reduced below p (the
            // MDS reads any 64-bit lane and returns canonical values).
            let t = UnsafeMutableRawPointer(v + BlockCombinationConstants.groupedCount).assumingMemoryBound(to: Felt.self)
            for chain in 0..<2 {
                let base = chain == 0 ? C.a : C.b
                RPO256.mdsAffine(s + base, plus: p + 2, into: t)
                for i in 0..<12 { t[i] = Felt(unchecked: seventhPower(t[i].value)) }
                RPO256.mdsAffine(t, plus: p + 14, into: t)
                for i in 0..<12 {
                    // n⁷ − t: n⁷ < 2^64 and t < p, so adding p after a borrow lands in [0, p).
                    let (difference, borrow) = seventhPower(n[base + i].value).subtractingReportingOverflow(t[i].value)
                    v[12 * chain + i] = borrow ? difference &+ Felt.modulus : difference
                }
            }
            for c in C.bit...C.high { v[24 + c - C.bit] = (n[c] - s[c]).value }
            // Within the segment: flags, registers constant.
            v[28] = (n[C.isAccount] - s[C.isAccount]).value
            v[29] = (n[C.isNullifier] - s[C.isNullifier]).value
            for j in 0..<8 { v[30 + j] = (n[C.accountRoot + j] - s[C.accountRoot + j]).value }
            // Between levels: index step, low and high carried.
            v[38] = (s[C.index] - n[C.index] - n[C.index] - bitS).value
            v[39] = (n[C.low] - s[C.low]).value
            v[40] = (n[C.high] - s[C.high]).value
            // Before the segment's last row: index ends, high ⇒ low, the old digest is the register;
            // at the segment's end: the registers advance, then the layout.
            v[41] = (s[C.index] - bitS).value
            v[42] = (s[C.high] * (one - s[C.low])).value
            for r in 0..<2 {
                let register = r == 0 ? C.accountRoot : C.nullifierRoot, flag = r == 0 ? acc : nul
                for j in 0..<4 {
                    let value = s[register + j]
                    v[43 + 4 * r + j] = (flag * (n[C.a + j] - value)).value
                    v[51 + 4 * r + j] = (n[register + j] - value - flag * (s[C.b + j] - value)).value
                }
            }
            v[59] = ((one - active) * (n[C.isAccount] + n[C.isNullifier])).value
            v[60] = (nul * n[C.isAccount]).value
            // The segment's first row: canonical index starts.
            v[61] = (s[C.low] - one + bitS).value
            v[62] = (s[C.high] - one).value
            // Cycle starts of update segments: zero capacity, shared siblings.
            for j in 8..<12 {
                v[63 + 2 * (j - 8)] = s[C.a + j].value
                v[64 + 2 * (j - 8)] = s[C.b + j].value
            }
            for j in 0..<4 {
                let lowHalf = s[C.a + j] - s[C.b + j], highHalf = s[C.a + 4 + j] - s[C.b + 4 + j]
                v[71 + j] = (highHalf + bitS * (lowHalf - highHalf)).value
            }
            // Between levels of update segments: each digest feeds the next level.
            for r in 0..<2 {
                let base = r == 0 ? C.a : C.b
                for j in 0..<4 { v[75 + 4 * r + j] = (n[base + j] - s[base + j] + bitN * (n[base + 4 + j] - n[base + j])).value }
            }
            // No selector: booleans, and the selector products' own terms of constraints 38 and 39.
            v[83] = (bitS * (one - bitS)).value
            v[84] = (acc * (one - acc)).value
            v[85] = (nul * (one - nul)).value
            v[86] = (acc * nul).value
            v[87] = (innerLow * s[C.low] * bitN).value
            v[88] = ((inner - innerLow) * s[C.high] * (one - bitN)).value

            // Each group's Σ coefficient·value, unreduced, then times its selector.
            @inline(__always) func sum(_ lower: Int, _ upper: Int, _ values: UnsafePointer<UInt64>, _ weights: UnsafePointer<QuadFelt>) -> QuadFelt {
                var total = QuadAccumulator()
                for i in lower..<upper { total.add(weights[i], timesRepresentative: values[i]) }
                return total.value
            }
            var total = sum(0, 28, v, coefficient).scaled(by: k)
            total += sum(28, 38, v, coefficient).scaled(by: one - end)
            total += sum(38, 41, v, coefficient).scaled(by: inner)
            total += sum(41, 51, v, coefficient).scaled(by: beforeEnd)
            total += sum(51, 61, v, coefficient).scaled(by: end)
            total += sum(61, 63, v, coefficient).scaled(by: first)
            total += sum(63, 75, v, coefficient).scaled(by: rowZero * active)
            total += sum(75, 83, v, coefficient).scaled(by: inner * active)
            total += sum(83, 89, v, coefficient)

            // The bus: (S' − S)·(β − m) − first·(isAccount + isNullifier), m = Σ α^{1+i}·m_i over the
            // row's (isAccount, isNullifier, index, old leaf, new leaf), the leaves picked by the bit.
            let m = v + BlockCombinationConstants.groupedCount
            m[0] = acc.value
            m[1] = nul.value
            m[2] = s[C.index].value
            for j in 0..<4 {
                m[3 + j] = (s[C.a + j] + bitS * (s[C.a + 4 + j] - s[C.a + j])).value
                m[7 + j] = (s[C.b + j] + bitS * (s[C.b + 4 + j] - s[C.b + j])).value
            }
            let message = sum(0, 11, m, coefficient + BlockCombinationConstants.alphaPowersStart + 1)
            let beta = coefficient[BlockCombinationConstants.betaIndex]
            let bus = (aux.next[0] - aux.current[0]) * (beta - message) - QuadFelt(first * active)
            return total + coefficient[BlockCombinationConstants.busIndex] * bus
        }
    }
}

/// x⁷ mod p as a 64-bit representative (maybe ≥ p) of any 64-bit x: x³·x⁴ by `lazyProduct`.
@inline(__always)
func seventhPower(_ x: UInt64) -> UInt64 {
    let x2 = lazyProduct(x, x)
    return lazyProduct(lazyProduct(x2, x), lazyProduct(x2, x2))
}

/// a·b mod p as a 64-bit representative, not necessarily < p, for any 64-bit a and b: the
/// product's reduction without the final conditional subtraction of p.
@inline(__always)
func lazyProduct(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let epsilon: UInt64 = 0xFFFF_FFFF  // 2^64 mod p
    let (hi, lo) = a.multipliedFullWidth(by: b)
    // hi·2^64 = (hh·2^32 + hl)·2^64 ≡ hl·(2^32 − 1) − hh, as 2^96 ≡ −1.
    let hh = hi >> 32, hl = hi & epsilon
    let (t0, borrow) = lo.subtractingReportingOverflow(hh)
    // A borrow (lo < hh < 2^32) added 2^64 ≡ ε: take it back; t0 ≥ 2^64 − 2^32 then, so no wrap.
    let t1 = borrow ? t0 &- epsilon : t0
    let (sum, carry) = t1.addingReportingOverflow(hl &* epsilon)
    // A carry dropped 2^64 ≡ ε: add it; the wrapped sum is < hl·ε ≤ 2^64 − 2^33 + 1, so no wrap.
    return carry ? sum &+ epsilon : sum
}

/// The per-proof constants of `BlockTransitionCombination` in one flat allocation: the main
/// constraints' composition coefficients in group order (`groupOrder`), the bus constraint's
/// coefficient, α^0…α^15 of the bus challenge α, and β.
final class BlockCombinationConstants: @unchecked Sendable {
    /// The main constraint (index in `BlockColumns.evaluate` order) of each grouped entry. Groups
    /// share a selector: the round flag (28 entries), within the segment (10), between levels (3),
    /// before the segment's last row (10), the segment's end (10), its first row (2), cycle starts of
    /// updates (12), levels of updates (8), none (6; constraints 38 and 39 have a term here too).
    static let groupOrder: [Int] = Array(0..<28)
        + [28, 29] + Array(61..<69)
        + [34, 38, 39]
        + [35, 40, 69, 71, 73, 75, 77, 79, 81, 83]
        + [70, 72, 74, 76, 78, 80, 82, 84, 85, 86]
        + [36, 37]
        + Array(41..<53)
        + Array(53..<61)
        + [30, 31, 32, 33, 38, 39]
    static let groupedCount = 89
    static let mainConstraints = 87
    static let busIndex = groupedCount
    static let alphaPowersStart = busIndex + 1
    static let betaIndex = alphaPowersStart + 16
    /// The grouped coefficients, the bus coefficient, the powers of α, then β.
    let values: UnsafeMutablePointer<QuadFelt>

    init?(coefficients: [QuadFelt], challenges: [QuadFelt]) {
        guard coefficients.count == Self.mainConstraints + 1, challenges.count == 2 else { return nil }
        let values = Self.groupOrder.map { coefficients[$0] } + [coefficients[Self.mainConstraints]]
            + HasherChiplet.alphaPowers(challenges[0]) + [challenges[1]]
        self.values = .allocate(capacity: values.count)
        self.values.initialize(from: values, count: values.count)
    }

    deinit { values.deallocate() }
}
