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
        traceInfo = BatchAIR.traceInfo(chipletCycles: HasherChiplet.cycles(for: schedule.jobs))
        scheduleColumns = ScheduleColumns(hashes: schedule.hashes, rows: traceInfo.length)
    }

    public var publicInputs: [Felt] { statement.elements }

    public var mainConstraintDegrees: [TransitionConstraintDegree] {
        HasherChiplet.constraintDegrees + ScheduledWireBus.laneConstraintDegrees(rows: traceInfo.length)
    }

    public var auxConstraintDegrees: [TransitionConstraintDegree] {
        let n = traceInfo.length
        return [TransitionConstraintDegree(2, cycles: [n]), TransitionConstraintDegree(2, cycles: [n]), TransitionConstraintDegree(1)]
    }

    public var periodicColumns: [[Felt]] { HasherChiplet.periodicColumns + scheduleColumns.columns }

    public var mainAssertions: [Assertion<Felt>] { HasherChiplet.boundaryAssertions(rows: traceInfo.length) }

    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        let wires = schedule.publicWires.map { ($0.id, statement.value(ofPublicWire: $0.name)) }
        let expected = ScheduledWireBus.publicWireSum(wires, alpha: HasherChiplet.alphaPowers(challenges[0]), beta: challenges[1])
        return [Assertion(column: 0, step: 0, value: .zero), Assertion(column: 0, step: traceInfo.length - 1, value: expected)]
    }

    @inline(__always)
    func constraints<E: FieldElement>(_ frame: EvaluationFrame<E>, _ periodic: UnsafeBufferPointer<E>, _ result: UnsafeMutableBufferPointer<E>) {
        let s = frame.current.baseAddress!
        let out = result.baseAddress!
        HasherChiplet.evaluate(s, frame.next.baseAddress!, periodic: periodic.baseAddress!, result: out)
        ScheduledWireBus.evaluateLanes(s, periodic.baseAddress! + HasherChiplet.periodicColumns.count, out + HasherChiplet.constraintDegrees.count)
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
            let tLow = aux.current[1], tHigh = aux.current[2]
            ScheduledWireBus.evaluateFractions(main.current.baseAddress!, sched, tLow: tLow, tHigh: tHigh, alpha: alpha, beta: beta, result: result.baseAddress!)
            result[2] = aux.next[0] - aux.current[0] - tLow - tHigh
        }
    }

    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let (tLow, tHigh) = ScheduledWireBus.fractions(main: main, schedule: scheduleColumns, alpha: HasherChiplet.alphaPowers(challenges[0]), beta: challenges[1])
        var sum = [QuadFelt](repeating: .zero, count: main.length)
        for i in 0..<(main.length - 1) { sum[i + 1] = sum[i] + tLow[i] + tHigh[i] }
        return [sum, tLow, tHigh]
    }

    /// The chiplet trace computing the schedule's hashes (the ids alone determine it).
    public func trace() -> TraceTable {
        var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: traceInfo.length), count: HasherChiplet.width)
        HasherChiplet.fill(&columns, offset: 0, jobs: schedule.jobs)
        return TraceTable(columns: columns)
    }
}
