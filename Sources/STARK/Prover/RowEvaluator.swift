/// Evaluates an AIR's main transition constraints on one row of a column-major trace and the row
/// after it, with its own scratch buffers (one evaluator per thread). The prover's row check (run to
/// explain a refused proof) uses it on every row; tests use it on the rows a forged change touches.
public struct MainRowEvaluator {
    let air: any AIR
    let periodic: [[Felt]]
    var current: [Felt], next: [Felt], values: [Felt], result: [Felt]

    public init(air: any AIR) {
        self.air = air
        periodic = air.periodicColumns
        current = [Felt](repeating: .zero, count: air.traceInfo.mainWidth)
        next = current
        values = [Felt](repeating: .zero, count: periodic.count)
        result = [Felt](repeating: .zero, count: air.mainConstraintDegrees.count)
    }

    /// The first main constraint that does not vanish between `row` and `row + 1`, or nil.
    public mutating func firstFailing(_ main: [[Felt]], row: Int) -> Int? {
        for c in current.indices {
            current[c] = main[c][row]
            next[c] = main[c][row + 1]
        }
        for p in periodic.indices { values[p] = periodic[p][row % periodic[p].count] }
        let air = self.air
        current.withUnsafeBufferPointer { cb in
            next.withUnsafeBufferPointer { nb in
                values.withUnsafeBufferPointer { pb in
                    result.withUnsafeMutableBufferPointer { rb in
                        air.evaluateMain(EvaluationFrame(current: cb, next: nb), periodic: pb, result: rb)
                    }
                }
            }
        }
        return result.firstIndex { !$0.isZero }
    }
}

/// Evaluates an AIR's auxiliary transition constraints on one row and the row after it, the main
/// values lifted into the extension (see `MainRowEvaluator`).
public struct AuxRowEvaluator {
    let air: any AIR
    let periodic: [[QuadFelt]]
    let challenges: [QuadFelt]
    var main: [QuadFelt], mainNext: [QuadFelt], aux: [QuadFelt], auxNext: [QuadFelt], values: [QuadFelt], result: [QuadFelt]

    public init(air: any AIR, challenges: [QuadFelt]) {
        self.air = air
        self.challenges = challenges
        periodic = air.periodicColumns.map { $0.map { QuadFelt($0) } }
        main = [QuadFelt](repeating: .zero, count: air.traceInfo.mainWidth)
        mainNext = main
        aux = [QuadFelt](repeating: .zero, count: air.traceInfo.auxWidth)
        auxNext = aux
        values = [QuadFelt](repeating: .zero, count: periodic.count)
        result = [QuadFelt](repeating: .zero, count: air.auxConstraintDegrees.count)
    }

    /// The first auxiliary constraint that does not vanish between `row` and `row + 1`, or nil.
    public mutating func firstFailing(main trace: [[Felt]], aux auxTrace: [[QuadFelt]], row: Int) -> Int? {
        for c in main.indices {
            main[c] = QuadFelt(trace[c][row])
            mainNext[c] = QuadFelt(trace[c][row + 1])
        }
        for c in aux.indices {
            aux[c] = auxTrace[c][row]
            auxNext[c] = auxTrace[c][row + 1]
        }
        for p in periodic.indices { values[p] = periodic[p][row % periodic[p].count] }
        let air = self.air
        main.withUnsafeBufferPointer { mc in
            mainNext.withUnsafeBufferPointer { mn in
                aux.withUnsafeBufferPointer { ac in
                    auxNext.withUnsafeBufferPointer { an in
                        values.withUnsafeBufferPointer { pv in
                            challenges.withUnsafeBufferPointer { ch in
                                result.withUnsafeMutableBufferPointer { out in
                                    air.evaluateAux(main: EvaluationFrame(current: mc, next: mn), aux: EvaluationFrame(current: ac, next: an),
                                                    periodic: pv, challenges: ch, result: out)
                                }
                            }
                        }
                    }
                }
            }
        }
        return result.firstIndex { !$0.isZero }
    }
}
