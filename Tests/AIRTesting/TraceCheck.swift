import STARK

/// Checks a main trace against an AIR the way a verifier's constraints would: every boundary
/// assertion, the main transition constraints on the chosen rows, then (for an AIR with an
/// auxiliary segment) the auxiliary trace the honest builder makes for fixed challenges, with its
/// assertions and its constraints on the same rows.
///
/// Checking only the transitions around the rows a mutation touched is exact for main constraints
/// (the others see unchanged rows). For the auxiliary segment it is exact for running-sum buses,
/// whose per-row terms depend on that row alone: rows outside the window keep their terms, so the
/// sum shifts by a constant there and their constraints (on differences) still hold.
public struct TraceCheck: Sendable {
    public let air: any AIR
    /// The challenges the auxiliary trace is built from (fixed, drawn from a seed).
    public let challenges: [QuadFelt]

    public init(air: any AIR, seed: UInt64 = 0x5EED) {
        self.air = air
        var rng = SplitMix64(seed: seed)
        challenges = (0..<air.traceInfo.auxChallenges).map { _ in
            QuadFelt(Felt(rng.next() % Felt.modulus), Felt(rng.next() % Felt.modulus))
        }
    }

    /// The first check `columns` fails, or nil when it passes. `transitions` are the rows i whose
    /// transition i → i + 1 is checked (nil: all of them).
    public func firstFailure(_ columns: [[Felt]], transitions: [Int]? = nil) -> String? {
        let info = air.traceInfo
        let n = info.length
        guard columns.count == info.mainWidth, columns.allSatisfy({ $0.count == n }) else {
            return "trace shape (the verifier fixes \(info.mainWidth) columns of \(n) rows)"
        }
        for (k, a) in air.mainAssertions.enumerated() where columns[a.column][a.step] != a.value {
            return "main assertion \(k) (column \(a.column), row \(a.step))"
        }
        let rows = (transitions ?? Array(0..<(n - 1))).filter { $0 >= 0 && $0 < n - 1 }
        var mainEvaluator = MainRowEvaluator(air: air)
        for row in rows {
            if let k = mainEvaluator.firstFailing(columns, row: row) { return "main constraint \(k) (rows \(row) → \(row + 1))" }
        }
        guard info.auxWidth > 0 else { return nil }

        let aux = air.buildAuxTrace(main: TraceTable(columns: columns), challenges: challenges)
        for (k, a) in air.auxAssertions(challenges: challenges).enumerated() where aux[a.column][a.step] != a.value {
            return "bus assertion \(k) (auxiliary column \(a.column), row \(a.step))"
        }
        var auxEvaluator = AuxRowEvaluator(air: air, challenges: challenges)
        for row in rows {
            if let k = auxEvaluator.firstFailing(main: columns, aux: aux, row: row) { return "bus constraint \(k) (rows \(row) → \(row + 1))" }
        }
        return nil
    }
}
