import STARK

/// The batch statement: the batch id and the output-note tree root are what the listed transaction
/// ids and note ids hash to. One STARK over the hasher chiplet alone, driven by the batch schedule.
///
/// Main columns: the chiplet `0..<17`. Aux columns: the wire bus's running sum S and the two
/// per-row word fractions T_low, T_high, as in `TransactionAIR`. The schedule (`BatchSchedule`:
/// constant lanes for the ids and padding, wires between merges) comes from the public ids as
/// full-trace periodic columns; the verifier consumes the two public wires with the public values.
/// Values that need no hash (no transactions, at most one note) are outside the proof: see
/// `BatchPublicInputs.checkUnhashedValues()`.
public struct BatchAIR: AIR {
    public let statement: BatchPublicInputs
    public let traceInfo: TraceInfo
    let schedule: BatchSchedule
    let scheduleColumns: ScheduleColumns

    /// The statement's AIR, built from public data only.
    public init(statement: BatchPublicInputs) {
        self.statement = statement
        let schedule = BatchSchedule(transactionIDs: statement.transactionIDs, noteIDs: statement.noteIDs)
        self.schedule = schedule
        var rows = 16
        while rows < HasherChiplet.cycles(for: schedule.jobs) * HasherChiplet.cycle { rows <<= 1 }
        traceInfo = TraceInfo(mainWidth: HasherChiplet.width, auxWidth: 3, auxChallenges: 2, length: rows)
        scheduleColumns = ScheduleColumns(hashes: schedule.hashes, rows: rows)
    }

    public var publicInputs: [Felt] { statement.elements }

    public var mainConstraintDegrees: [TransitionConstraintDegree] {
        let scheduled = TransitionConstraintDegree(1, cycles: [traceInfo.length])
        return HasherChiplet.constraintDegrees
            + [scheduled]                                // start pinned to the schedule
            + Array(repeating: scheduled, count: 12)     // constant lanes
    }

    public var auxConstraintDegrees: [TransitionConstraintDegree] {
        let n = traceInfo.length
        return [TransitionConstraintDegree(2, cycles: [n]), TransitionConstraintDegree(2, cycles: [n]), TransitionConstraintDegree(1)]
    }

    public var periodicColumns: [[Felt]] { HasherChiplet.periodicColumns + scheduleColumns.columns }

    public var mainAssertions: [Assertion<Felt>] {
        let lastRow = traceInfo.length - 1
        return [Assertion(column: HasherChiplet.start, step: 0, value: .one),
                Assertion(column: HasherChiplet.addr, step: 0, value: .zero),
                Assertion(column: HasherChiplet.block, step: 0, value: .zero),
                Assertion(column: HasherChiplet.used, step: lastRow, value: .zero),
                Assertion(column: HasherChiplet.last, step: lastRow, value: .one)]
    }

    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let beta = challenges[1]
        var expected = QuadFelt.zero
        for wire in schedule.publicWires {
            let word = statement.value(ofPublicWire: wire.name).elements.map { QuadFelt($0) }
            let message = word.withUnsafeBufferPointer { w in
                alpha.withUnsafeBufferPointer { a in
                    ScheduleColumns.portMessage(key: QuadFelt(ScheduleColumns.wireKey(wire.id)), isWire: .one,
                                                word: w.baseAddress!, alpha: a.baseAddress!)
                }
            }
            expected += (beta - message).inverse()
        }
        return [Assertion(column: 0, step: 0, value: .zero), Assertion(column: 0, step: traceInfo.length - 1, value: expected)]
    }

    @inline(__always)
    func constraints<E: FieldElement>(_ frame: EvaluationFrame<E>, _ periodic: UnsafeBufferPointer<E>, _ result: UnsafeMutableBufferPointer<E>) {
        let s = frame.current.baseAddress!
        let out = result.baseAddress!
        HasherChiplet.evaluate(s, frame.next.baseAddress!, periodic: periodic.baseAddress!, result: out)
        let sched = periodic.baseAddress! + HasherChiplet.periodicColumns.count
        var k = HasherChiplet.constraintDegrees.count
        out[k] = s[HasherChiplet.start] - sched[ScheduleColumns.start]
        k += 1
        for lane in 0..<12 {
            out[k] = sched[ScheduleColumns.constMask + lane] * s[lane] - sched[ScheduleColumns.constValue + lane]
            k += 1
        }
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
            let sched = periodic.baseAddress! + HasherChiplet.periodicColumns.count
            let p = TransactionAIR.ports(main.current.baseAddress!, sched, alpha)
            let tLow = aux.current[1], tHigh = aux.current[2]
            result[0] = tLow * (beta - p.lowMessage) - p.lowMultiplicity
            result[1] = tHigh * (beta - p.highMessage) - p.highMultiplicity
            result[2] = aux.next[0] - aux.current[0] - tLow - tHigh
        }
    }

    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let n = main.length
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let beta = challenges[1]
        let columns = scheduleColumns.columns
        var lowDen = [QuadFelt](repeating: .one, count: n), highDen = lowDen
        var lowMul = [QuadFelt](repeating: .zero, count: n), highMul = lowMul
        var row = [QuadFelt](repeating: .zero, count: 8)
        var sched = [QuadFelt](repeating: .zero, count: ScheduleColumns.count)
        alpha.withUnsafeBufferPointer { a in
            for i in 0..<n {
                for c in 0..<8 { row[c] = QuadFelt(main[c, i]) }
                for c in 0..<ScheduleColumns.count { sched[c] = QuadFelt(columns[c][i]) }
                row.withUnsafeBufferPointer { r in
                    sched.withUnsafeBufferPointer { sc in
                        let p = TransactionAIR.ports(r.baseAddress!, sc.baseAddress!, a.baseAddress!)
                        lowDen[i] = beta - p.lowMessage
                        lowMul[i] = p.lowMultiplicity
                        highDen[i] = beta - p.highMessage
                        highMul[i] = p.highMultiplicity
                    }
                }
            }
        }
        let lowInv = BatchInversion.invert(lowDen), highInv = BatchInversion.invert(highDen)
        var sum = [QuadFelt](repeating: .zero, count: n)
        var tLow = [QuadFelt](repeating: .zero, count: n), tHigh = tLow
        for i in 0..<n {
            tLow[i] = lowMul[i] * lowInv[i]
            tHigh[i] = highMul[i] * highInv[i]
            if i + 1 < n { sum[i + 1] = sum[i] + tLow[i] + tHigh[i] }
        }
        return [sum, tLow, tHigh]
    }

    /// The chiplet trace computing the schedule's hashes (the ids alone determine it).
    public func trace() -> TraceTable {
        var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: traceInfo.length), count: HasherChiplet.width)
        HasherChiplet.fill(&columns, offset: 0, jobs: schedule.jobs)
        return TraceTable(columns: columns)
    }
}
