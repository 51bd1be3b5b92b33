import STARK

/// The ledger's range checker: a LogUp bus over bytes, proving that every value
/// `LedgerSection.rangeLookups` lists for a row is an integer in [0, 256).
///
/// The table is the period-256 periodic column T (T_i = i mod 256; the trace has at least 256
/// rows), so it costs no committed column; the ledger's `rangeMultiplicity` column says how many
/// lookups each table row answers. With challenge γ (the AIR's third), the auxiliary segment holds
/// per row one helper per lookup group, `h_g = −Σ_{j∈g} 1/(γ − v_j)`, and the table helper
/// `h_T = m/(γ − T) + last·m'/(γ − 255)`, all added into the AIR's running sum S, whose closing
/// value is fixed by the verifier. Transition constraints cover rows 0…n−2 only, so the last row's
/// table entry (255, when n = 256 its only copy) is offered from the last transition through the
/// full-trace flag `last` (1 on row n − 2): every value 0…255 has an offering row.
///
/// Soundness (see AIR/README.md, "Range checks"): the sum is a rational function of γ whose poles
/// are the looked-up values and the table values; it vanishes identically only if every looked-up
/// value's count (at most 31·(n − 1) < p, so it cannot wrap mod p) equals its table multiplicity,
/// so a value outside 0…255 (no table pole) cannot be looked up at all.
enum RangeCheckBus {
    /// Table entries: the bytes.
    static let tableSize = 256
    static let maxValue = Felt(255)

    /// Periodic columns the bus reads: the table (period 256), then the last-transition flag (period `rows`).
    static func periodicColumns(rows: Int) -> [[Felt]] {
        [(0..<tableSize).map { Felt(UInt64($0)) }, (0..<rows).map { $0 == rows - 2 ? Felt.one : .zero }]
    }

    static let periodicCount = 2

    /// Lookups per group (the last group holds the rest).
    static let groupSize = 7
    /// Lookup groups: `LedgerSection.lookupGroups.count`, as a literal for the evaluation loop.
    static let groupCount = 5
    /// Auxiliary columns: one helper per lookup group, then the table helper.
    static let helperCount = groupCount + 1

    /// Degrees of the helper constraints, in `evaluate` order, for a trace of `rows` rows.
    static func constraintDegrees(rows: Int) -> [TransitionConstraintDegree] {
        LedgerSection.lookupGroups.map { TransitionConstraintDegree($0.valueDegree + 1) }
            + [TransitionConstraintDegree(1, cycles: [tableSize, rows])]
    }

    /// The helper constraints of one transition into `result[0..<helperCount]`; returns Σ helpers
    /// (the bus's contribution to S' − S). `section`/`sectionNext` start at the ledger's first
    /// column, `helpers` at the first helper, `periodic` at the table column.
    @inline(__always)
    static func evaluate(
        section s: UnsafePointer<QuadFelt>, sectionNext n: UnsafePointer<QuadFelt>, helpers h: UnsafePointer<QuadFelt>,
        periodic: UnsafePointer<QuadFelt>, gamma: QuadFelt, result: UnsafeMutablePointer<QuadFelt>
    ) -> QuadFelt {
        // Per group: h·Π(γ − v) + Σ_j Π_{i≠j}(γ − v_i), accumulated as a fraction num/den; the
        // groups are `LedgerSection.lookupGroups` (consecutive runs of `groupSize`).
        var sum = QuadFelt.zero
        var j = 0
        for g in 0..<groupCount {
            let end = min(j + groupSize, LedgerSection.lookupCount)
            var num = QuadFelt.zero, den = QuadFelt.one
            while j < end {
                let d = gamma - LedgerSection.rangeLookup(s, j)
                num = num * d + den
                den = den * d
                j += 1
            }
            result[g] = h[g] * den + num
            sum += h[g]
        }
        let k = groupCount
        let t = periodic[0], last = periodic[1]
        let dT = gamma - t, dMax = gamma - QuadFelt(maxValue)
        result[k] = h[k] * dT * dMax - s[LedgerSection.rangeMultiplicity] * dMax - last * n[LedgerSection.rangeMultiplicity] * dT
        return sum + h[k]
    }

    /// The helper columns for a main trace whose ledger section starts at `offset` (prover only).
    static func helperColumns(main: TraceTable, offset: Int, gamma: QuadFelt) -> [[QuadFelt]] {
        let n = main.length
        let lookups = LedgerSection.lookupCount
        var denominators = [QuadFelt](repeating: .one, count: n * lookups)
        var row = [Felt](repeating: .zero, count: LedgerSection.width)
        var values = [Felt](repeating: .zero, count: lookups)
        for i in 0..<n {
            for c in 0..<LedgerSection.width { row[c] = main[offset + c, i] }
            row.withUnsafeBufferPointer { r in values.withUnsafeMutableBufferPointer { LedgerSection.rangeLookups(r.baseAddress!, into: $0.baseAddress!) } }
            for j in 0..<lookups { denominators[i * lookups + j] = gamma - QuadFelt(values[j]) }
        }
        let inverses = BatchInversion.invert(denominators)
        var columns = [[QuadFelt]](repeating: [QuadFelt](repeating: .zero, count: n), count: helperCount)
        for i in 0..<n {
            for (g, group) in LedgerSection.lookupGroups.enumerated() {
                var sum = QuadFelt.zero
                for j in group.range { sum += inverses[i * lookups + j] }
                columns[g][i] = -sum
            }
        }
        let table = BatchInversion.invert((0..<tableSize).map { gamma - QuadFelt(Felt(UInt64($0))) })
        let k = LedgerSection.lookupGroups.count
        for i in 0..<n {
            var h = QuadFelt(main[offset + LedgerSection.rangeMultiplicity, i]) * table[i % tableSize]
            if i == n - 2 { h += QuadFelt(main[offset + LedgerSection.rangeMultiplicity, n - 1]) * table[tableSize - 1] }
            columns[k][i] = h
        }
        return columns
    }

    /// Counts the lookups of rows 0…n−2 of the section at `offset` and writes each byte value's
    /// count on row `value` of `rangeMultiplicity` (a table row holding that value), zero elsewhere.
    /// A value outside the table (a forged trace) is not counted: nothing can answer it.
    static func fillMultiplicities(_ columns: inout [[Felt]], offset: Int) {
        let n = columns[offset].count
        precondition(n >= tableSize, "the range table needs \(tableSize) rows; the trace has \(n)")
        var counts = [UInt64](repeating: 0, count: tableSize)
        var row = [Felt](repeating: .zero, count: LedgerSection.width)
        var values = [Felt](repeating: .zero, count: LedgerSection.lookupCount)
        for i in 0..<(n - 1) {
            for c in 0..<LedgerSection.width { row[c] = columns[offset + c][i] }
            row.withUnsafeBufferPointer { r in values.withUnsafeMutableBufferPointer { LedgerSection.rangeLookups(r.baseAddress!, into: $0.baseAddress!) } }
            for v in values where v.value < UInt64(tableSize) { counts[Int(v.value)] += 1 }
        }
        for i in 0..<n { columns[offset + LedgerSection.rangeMultiplicity][i] = i < tableSize ? Felt(counts[i]) : .zero }
    }
}
