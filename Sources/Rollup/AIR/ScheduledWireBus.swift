import STARK

/// The parts of a scheduled chiplet AIR (transaction, batch) that do not depend on the statement:
/// the schedule's lane constraints, the word ports' bus messages and fractions, and the sum the
/// verifier expects for the public wires it consumes.
enum ScheduledWireBus {
    /// Main constraints `evaluateLanes` writes: the start flag pinned to the schedule, then the 12 constant lanes.
    static let laneConstraintCount = 13

    /// Degrees of `evaluateLanes`' constraints for a trace of `rows` rows (the schedule has period `rows`).
    static func laneConstraintDegrees(rows: Int) -> [TransitionConstraintDegree] {
        Array(repeating: TransitionConstraintDegree(1, cycles: [rows]), count: laneConstraintCount)
    }

    /// The start flag equals the schedule's; every constant lane holds its value.
    @inline(__always)
    static func evaluateLanes<E: FieldElement>(_ s: UnsafePointer<E>, _ sched: UnsafePointer<E>, _ out: UnsafeMutablePointer<E>) {
        out[0] = s[HasherChiplet.start] - sched[ScheduleColumns.start]
        for lane in 0..<12 {
            out[1 + lane] = sched[ScheduleColumns.constMask + lane] * s[lane] - sched[ScheduleColumns.constValue + lane]
        }
    }

    /// The low (or digest) and high word ports' messages and multiplicities on a row.
    @inline(__always)
    static func ports(_ s: UnsafePointer<QuadFelt>, _ sched: UnsafePointer<QuadFelt>, _ alpha: UnsafePointer<QuadFelt>)
        -> (lowMessage: QuadFelt, lowMultiplicity: QuadFelt, highMessage: QuadFelt, highMultiplicity: QuadFelt)
    {
        let low = ScheduleColumns.portMessage(key: sched[ScheduleColumns.lowKey], isWire: sched[ScheduleColumns.lowIsWire], word: s, alpha: alpha)
        let high = ScheduleColumns.portMessage(key: sched[ScheduleColumns.highKey], isWire: sched[ScheduleColumns.highIsWire], word: s + 4, alpha: alpha)
        return (low, sched[ScheduleColumns.lowMultiplicity], high, sched[ScheduleColumns.highMultiplicity])
    }

    /// The two port-fraction constraints: T·(β − m) − μ for the low and the high port.
    @inline(__always)
    static func evaluateFractions(
        _ s: UnsafePointer<QuadFelt>, _ sched: UnsafePointer<QuadFelt>, tLow: QuadFelt, tHigh: QuadFelt, alpha: UnsafePointer<QuadFelt>,
        beta: QuadFelt, result: UnsafeMutablePointer<QuadFelt>
    ) {
        let p = ports(s, sched, alpha)
        result[0] = tLow * (beta - p.lowMessage) - p.lowMultiplicity
        result[1] = tHigh * (beta - p.highMessage) - p.highMultiplicity
    }

    /// The per-row fractions μ/(β − m) of the low and high ports over the whole trace.
    static func fractions(main: TraceTable, schedule: ScheduleColumns, alpha: [QuadFelt], beta: QuadFelt) -> (low: [QuadFelt], high: [QuadFelt]) {
        let n = main.length
        var lowDen = [QuadFelt](repeating: .one, count: n), highDen = lowDen
        var lowMul = [QuadFelt](repeating: .zero, count: n), highMul = lowMul
        var row = [QuadFelt](repeating: .zero, count: 8)
        var sched = [QuadFelt](repeating: .zero, count: ScheduleColumns.count)
        alpha.withUnsafeBufferPointer { a in
            for i in 0..<n {
                for c in 0..<8 { row[c] = QuadFelt(main[c, i]) }
                for c in 0..<ScheduleColumns.count { sched[c] = QuadFelt(schedule.columns[c][i]) }
                row.withUnsafeBufferPointer { r in
                    sched.withUnsafeBufferPointer { sc in
                        let p = ports(r.baseAddress!, sc.baseAddress!, a.baseAddress!)
                        lowDen[i] = beta - p.lowMessage
                        lowMul[i] = p.lowMultiplicity
                        highDen[i] = beta - p.highMessage
                        highMul[i] = p.highMultiplicity
                    }
                }
            }
        }
        let lowInv = BatchInversion.invert(lowDen), highInv = BatchInversion.invert(highDen)
        return ((0..<n).map { lowMul[$0] * lowInv[$0] }, (0..<n).map { highMul[$0] * highInv[$0] })
    }

    /// Σ 1/(β − m) over the public wires, each consumed once by the verifier with its public value.
    static func publicWireSum(_ wires: [(id: Int, value: Word)], alpha: [QuadFelt], beta: QuadFelt) -> QuadFelt {
        var sum = QuadFelt.zero
        for wire in wires {
            let word = wire.value.elements.map { QuadFelt($0) }
            let message = word.withUnsafeBufferPointer { w in
                alpha.withUnsafeBufferPointer { a in
                    ScheduleColumns.portMessage(key: QuadFelt(ScheduleColumns.wireKey(wire.id)), isWire: .one, word: w.baseAddress!, alpha: a.baseAddress!)
                }
            }
            sum += (beta - message).inverse()
        }
        return sum
    }
}
