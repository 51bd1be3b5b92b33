import STARK

/// Proves that a public list of asset messages balances: per faucet, vault before + inputs −
/// outputs = vault after (or 0 when absent after) over the integers with every intermediate
/// balance in [0, 2^63), both vault lists sorted by faucet with one entry per faucet. The trace is
/// the ledger section alone; the verifier offers every public message once on the bus, where the
/// ledger rows must take exactly those messages; the ledger's bytes are range-checked on the same
/// running sum (`RangeCheckBus`, challenge γ). The test bed of `LedgerSection`, as
/// `HashClaimsAIR` is of the hasher chiplet.
public struct LedgerClaimsAIR: AIR {
    /// The claimed messages, in any order.
    public let messages: [AssetMessage]
    public let traceInfo: TraceInfo
    let rangeColumns: [[Felt]]

    public init(messages: [AssetMessage]) {
        self.messages = messages
        var rows = RangeCheckBus.tableSize
        while rows < LedgerSection.rowsNeeded(for: messages) { rows <<= 1 }
        traceInfo = TraceInfo(mainWidth: LedgerSection.width, auxWidth: 1 + RangeCheckBus.helperCount, auxChallenges: 3, length: rows)
        rangeColumns = RangeCheckBus.periodicColumns(rows: rows)
    }

    /// The message count, then per message: kind, index, faucet, amount (reduced into the field,
    /// exactly as the bus sees it).
    public var publicInputs: [Felt] {
        [Felt(UInt64(messages.count))] + messages.flatMap { m in
            [Felt(UInt64(m.kind.rawValue)), Felt(UInt64(m.index)), m.faucet, Felt(m.amount)]
        }
    }

    public var mainConstraintDegrees: [TransitionConstraintDegree] { LedgerSection.constraintDegrees }
    public var auxConstraintDegrees: [TransitionConstraintDegree] { [LedgerSection.busDegree] + RangeCheckBus.constraintDegrees(rows: traceInfo.length) }
    public var periodicColumns: [[Felt]] { rangeColumns }

    /// The section's assertions, plus the vault sizes: the counters on the last row equal the
    /// numbers of public before and after messages (implied by the bus; stated as the shape).
    public var mainAssertions: [Assertion<Felt>] {
        let last = traceInfo.length - 1
        let befores = messages.filter { $0.kind == .before }.count
        let afters = messages.filter { $0.kind == .after }.count
        return LedgerSection.assertions(offset: 0, rows: traceInfo.length)
            + [Assertion(column: LedgerSection.beforeCount, step: last, value: Felt(UInt64(befores))),
               Assertion(column: LedgerSection.afterCount, step: last, value: Felt(UInt64(afters)))]
    }

    /// S₀ = 0 and S_last = −Σ 1/(β − m) over the public messages: the ledger takes each of its
    /// rows' messages with multiplicity −1, so the sum is right exactly when the rows take the
    /// public multiset.
    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        let alpha = challenges[0], beta = challenges[1]
        var offered = QuadFelt.zero
        for m in messages { offered += (beta - m.compressed(alpha: alpha)).inverse() }
        return [Assertion(column: 0, step: 0, value: .zero), Assertion(column: 0, step: traceInfo.length - 1, value: -offered)]
    }

    public func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
        LedgerSection.evaluate(frame.current.baseAddress!, frame.next.baseAddress!, result: result.baseAddress!)
    }

    public func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
        LedgerSection.evaluate(frame.current.baseAddress!, frame.next.baseAddress!, result: result.baseAddress!)
    }

    public func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
    ) {
        let (message, multiplicity) = LedgerSection.rowMessage(main.current.baseAddress!, alpha: challenges[0])
        let range = RangeCheckBus.evaluate(
            section: main.current.baseAddress!, sectionNext: main.next.baseAddress!, helpers: aux.current.baseAddress! + 1,
            periodic: periodic.baseAddress!, gamma: challenges[2], result: result.baseAddress! + 1)
        result[0] = HasherChiplet.busStep(current: aux.current[0], next: aux.next[0] - range, message: message, multiplicity: multiplicity, beta: challenges[1])
    }

    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let n = main.length
        var denominators = [QuadFelt](repeating: .one, count: n)
        var multiplicities = [QuadFelt](repeating: .zero, count: n)
        var row = [QuadFelt](repeating: .zero, count: LedgerSection.width)
        for i in 0..<n {
            for c in 0..<LedgerSection.width { row[c] = QuadFelt(main[c, i]) }
            let (m, mu) = row.withUnsafeBufferPointer { LedgerSection.rowMessage($0.baseAddress!, alpha: challenges[0]) }
            denominators[i] = challenges[1] - m
            multiplicities[i] = mu
        }
        let inverses = BatchInversion.invert(denominators)
        let range = RangeCheckBus.helperColumns(main: main, offset: 0, gamma: challenges[2])
        var s = [QuadFelt](repeating: .zero, count: n)
        for i in 0..<(n - 1) {
            var step = multiplicities[i] * inverses[i]
            for h in range { step += h[i] }
            s[i + 1] = s[i] + step
        }
        return [s] + range
    }

    /// The ledger trace for the claimed messages; throws `ProtocolError` if they do not balance.
    public func trace() throws(ProtocolError) -> TraceTable {
        trace(rows: try LedgerSection.rows(for: messages))
    }

    /// The ledger trace for `rows` as given, unchecked (tests use it to forge traces).
    public func trace(rows: [LedgerRow]) -> TraceTable {
        var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: traceInfo.length), count: LedgerSection.width)
        LedgerSection.fill(&columns, offset: 0, rows: rows)
        return TraceTable(columns: columns)
    }
}
