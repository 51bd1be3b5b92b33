import STARK

/// The transaction statement: one STARK over the hasher chiplet (every hash of the transaction),
/// two registers (nonce, code root) and the balance ledger, tied together by one LogUp bus, with
/// the ledger's bytes range-checked on the same running sum (`RangeCheckBus`).
///
/// Main columns: chiplet `0..<17`, nonce register 17, code-root register `18..<22`, ledger after
/// (64 in all). Aux columns: the running sum S, the two per-row word fractions T_low, T_high, then
/// the range bus's helpers. Challenges: α (message compression), β (word and ledger bus), γ (range bus).
/// The schedule (which lanes are constant, registers, wires or asset words) comes from the public
/// shape as full-trace periodic columns; see README.md.
public struct TransactionAIR: AIR {
    public static let nonceColumn = HasherChiplet.width
    public static let codeColumn = HasherChiplet.width + 1
    public static let ledgerOffset = HasherChiplet.width + 5

    public let statement: TransactionPublicInputs
    public let traceInfo: TraceInfo
    let schedule: TransactionSchedule
    let scheduleColumns: ScheduleColumns
    let rangeColumns: [[Felt]]

    /// The statement's AIR, built from public data only.
    public init(statement: TransactionPublicInputs) {
        self.statement = statement
        let placeholder = statement.placeholderWitness()
        let schedule = TransactionSchedule(inputs: placeholder.inputs, after: placeholder.after)
        self.schedule = schedule
        traceInfo = TransactionAIR.traceInfo(chipletCycles: HasherChiplet.cycles(for: schedule.hashes.map(\.job)),
                                             assetMessages: schedule.assetMessages.count)
        let rows = traceInfo.length
        scheduleColumns = ScheduleColumns(schedule: schedule, rows: rows)
        rangeColumns = RangeCheckBus.periodicColumns(rows: rows)
    }

    /// The trace shape for a chiplet of `chipletCycles` cycles and a ledger taking `assetMessages`
    /// messages: rows for whichever is longer (the ledger ends with a padding row), as a power of
    /// two, and at least the range table's 256.
    static func traceInfo(chipletCycles: Int, assetMessages: Int) -> TraceInfo {
        var rows = RangeCheckBus.tableSize
        while rows < max(chipletCycles * HasherChiplet.cycle, assetMessages + 1) { rows <<= 1 }
        return TraceInfo(mainWidth: ledgerOffset + LedgerSection.width, auxWidth: 3 + RangeCheckBus.helperCount, auxChallenges: 3, length: rows)
    }

    public var publicInputs: [Felt] { statement.elements }

    public var mainConstraintDegrees: [TransitionConstraintDegree] {
        let n = traceInfo.length
        let scheduled = TransitionConstraintDegree(1, cycles: [n])
        return HasherChiplet.constraintDegrees
            + ScheduledWireBus.laneConstraintDegrees(rows: n)    // start pinned, constant lanes
            + [scheduled] + Array(repeating: scheduled, count: 4)  // nonce, code root lanes
            + Array(repeating: TransitionConstraintDegree(1), count: 5)  // registers constant
            + LedgerSection.constraintDegrees
    }

    public var auxConstraintDegrees: [TransitionConstraintDegree] {
        let n = traceInfo.length
        return [TransitionConstraintDegree(2, cycles: [n]), TransitionConstraintDegree(2, cycles: [n]), LedgerSection.busDegree]
            + RangeCheckBus.constraintDegrees(rows: n)
    }

    public var periodicColumns: [[Felt]] { HasherChiplet.periodicColumns + scheduleColumns.columns + rangeColumns }

    public var mainAssertions: [Assertion<Felt>] {
        LedgerSection.assertions(offset: TransactionAIR.ledgerOffset, rows: traceInfo.length)
    }

    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        let wires = schedule.publicWires.map { ($0.id, statement.value(ofPublicWire: $0.name)) }
        let expected = ScheduledWireBus.publicWireSum(wires, alpha: HasherChiplet.alphaPowers(challenges[0]), beta: challenges[1])
        return [Assertion(column: 0, step: 0, value: .zero), Assertion(column: 0, step: traceInfo.length - 1, value: expected)]
    }

    @inline(__always)
    func constraints<E: FieldElement>(_ frame: EvaluationFrame<E>, _ periodic: UnsafeBufferPointer<E>, _ result: UnsafeMutableBufferPointer<E>) {
        let s = frame.current.baseAddress!
        let n = frame.next.baseAddress!
        let out = result.baseAddress!
        HasherChiplet.evaluate(s, n, periodic: periodic.baseAddress!, result: out)
        let sched = periodic.baseAddress! + HasherChiplet.periodicColumns.count
        var k = HasherChiplet.constraintDegrees.count
        ScheduledWireBus.evaluateLanes(s, sched, out + k)
        k += ScheduledWireBus.laneConstraintCount
        let nonce = s[TransactionAIR.nonceColumn]
        out[k] = sched[ScheduleColumns.nonceBefore] * (s[1] - nonce) + sched[ScheduleColumns.nonceAfter] * (s[1] - nonce - E.one)
        k += 1
        for j in 0..<4 {
            out[k] = sched[ScheduleColumns.codeRoot] * (s[4 + j] - s[TransactionAIR.codeColumn + j])
            k += 1
        }
        for r in 0..<5 {
            out[k] = n[TransactionAIR.nonceColumn + r] - s[TransactionAIR.nonceColumn + r]
            k += 1
        }
        LedgerSection.evaluate(s + TransactionAIR.ledgerOffset, n + TransactionAIR.ledgerOffset, result: out + k)
    }

    public func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
        constraints(frame, periodic, result)
    }

    public func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
        constraints(frame, periodic, result)
    }

    public func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
    ) {
        HasherChiplet.withAlphaPowers(challenges[0]) { alpha in
            let beta = challenges[1]
            let s = main.current.baseAddress!
            let sched = periodic.baseAddress! + HasherChiplet.periodicColumns.count
            let tLow = aux.current[1], tHigh = aux.current[2]
            ScheduledWireBus.evaluateFractions(s, sched, tLow: tLow, tHigh: tHigh, alpha: alpha, beta: beta, result: result.baseAddress!)
            let ledger = LedgerSection.rowMessage(s + TransactionAIR.ledgerOffset, alpha: alpha[1])
            let range = RangeCheckBus.evaluate(
                section: s + TransactionAIR.ledgerOffset, sectionNext: main.next.baseAddress! + TransactionAIR.ledgerOffset,
                helpers: aux.current.baseAddress! + 3, periodic: sched + ScheduleColumns.count, gamma: challenges[2], result: result.baseAddress! + 3)
            result[2] = (aux.next[0] - aux.current[0] - tLow - tHigh - range) * (beta - ledger.message) - ledger.multiplicity
        }
    }

    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let n = main.length
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let beta = challenges[1]
        let (tLow, tHigh) = ScheduledWireBus.fractions(main: main, schedule: scheduleColumns, alpha: alpha, beta: beta)
        var ledgerDen = [QuadFelt](repeating: .one, count: n), ledgerMul = [QuadFelt](repeating: .zero, count: n)
        var row = [QuadFelt](repeating: .zero, count: LedgerSection.width)
        alpha.withUnsafeBufferPointer { a in
            for i in 0..<n {
                for c in 0..<LedgerSection.width { row[c] = QuadFelt(main[TransactionAIR.ledgerOffset + c, i]) }
                let ledger = row.withUnsafeBufferPointer { LedgerSection.rowMessage($0.baseAddress!, alpha: a[1]) }
                ledgerDen[i] = beta - ledger.message
                ledgerMul[i] = ledger.multiplicity
            }
        }
        let ledgerInv = BatchInversion.invert(ledgerDen)
        let range = RangeCheckBus.helperColumns(main: main, offset: TransactionAIR.ledgerOffset, gamma: challenges[2])
        var sum = [QuadFelt](repeating: .zero, count: n)
        for i in 0..<(n - 1) {
            var step = tLow[i] + tHigh[i] + ledgerMul[i] * ledgerInv[i]
            for h in range { step += h[i] }
            sum[i + 1] = sum[i] + step
        }
        return [sum, tLow, tHigh] + range
    }

}
