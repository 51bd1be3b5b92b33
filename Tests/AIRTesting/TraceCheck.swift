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
        let periodic = air.periodicColumns
        var current = [Felt](repeating: .zero, count: info.mainWidth), next = current
        var values = [Felt](repeating: .zero, count: periodic.count)
        var result = [Felt](repeating: .zero, count: air.mainConstraintDegrees.count)
        for row in rows {
            for c in 0..<info.mainWidth {
                current[c] = columns[c][row]
                next[c] = columns[c][row + 1]
            }
            for p in periodic.indices { values[p] = periodic[p][row % periodic[p].count] }
            Self.evaluate(current, next, values, &result) { frame, periodic, out in
                air.evaluateMain(frame, periodic: periodic, result: out)
            }
            if let k = result.firstIndex(where: { !$0.isZero }) { return "main constraint \(k) (rows \(row) → \(row + 1))" }
        }
        guard info.auxWidth > 0 else { return nil }

        let aux = air.buildAuxTrace(main: TraceTable(columns: columns), challenges: challenges)
        for (k, a) in air.auxAssertions(challenges: challenges).enumerated() where aux[a.column][a.step] != a.value {
            return "bus assertion \(k) (auxiliary column \(a.column), row \(a.step))"
        }
        let lifted = periodic.map { $0.map { QuadFelt($0) } }
        var mainCurrent = [QuadFelt](repeating: .zero, count: info.mainWidth), mainNext = mainCurrent
        var auxCurrent = [QuadFelt](repeating: .zero, count: info.auxWidth), auxNext = auxCurrent
        var auxValues = [QuadFelt](repeating: .zero, count: periodic.count)
        var auxResult = [QuadFelt](repeating: .zero, count: air.auxConstraintDegrees.count)
        for row in rows {
            for c in 0..<info.mainWidth {
                mainCurrent[c] = QuadFelt(columns[c][row])
                mainNext[c] = QuadFelt(columns[c][row + 1])
            }
            for c in 0..<info.auxWidth {
                auxCurrent[c] = aux[c][row]
                auxNext[c] = aux[c][row + 1]
            }
            for p in periodic.indices { auxValues[p] = lifted[p][row % lifted[p].count] }
            mainCurrent.withUnsafeBufferPointer { mc in
                mainNext.withUnsafeBufferPointer { mn in
                    auxCurrent.withUnsafeBufferPointer { ac in
                        auxNext.withUnsafeBufferPointer { an in
                            auxValues.withUnsafeBufferPointer { pv in
                                challenges.withUnsafeBufferPointer { ch in
                                    auxResult.withUnsafeMutableBufferPointer { out in
                                        air.evaluateAux(main: EvaluationFrame(current: mc, next: mn), aux: EvaluationFrame(current: ac, next: an),
                                                        periodic: pv, challenges: ch, result: out)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if let k = auxResult.firstIndex(where: { !$0.isZero }) { return "bus constraint \(k) (rows \(row) → \(row + 1))" }
        }
        return nil
    }

    private static func evaluate(
        _ current: [Felt], _ next: [Felt], _ periodic: [Felt], _ result: inout [Felt],
        _ body: (EvaluationFrame<Felt>, UnsafeBufferPointer<Felt>, UnsafeMutableBufferPointer<Felt>) -> Void
    ) {
        current.withUnsafeBufferPointer { c in
            next.withUnsafeBufferPointer { n in
                periodic.withUnsafeBufferPointer { p in
                    result.withUnsafeMutableBufferPointer { out in body(EvaluationFrame(current: c, next: n), p, out) }
                }
            }
        }
    }
}
