/// Checks a trace against its AIR row by row before proving, so a bad witness is refused with
/// the failing constraint and row instead of producing a proof that cannot verify. Rows are
/// checked in parallel chunks; the first failing row (lowest index) is reported.
struct TraceValidator {
    let air: any AIR
    var threads: Int = 1

    /// Runs `check(row)` over 0..<count in parallel chunks; returns the lowest row where it found a
    /// failing constraint, with that constraint's index.
    private func firstFailure(rows count: Int, _ makeChecker: () -> (Int) -> Int?) -> (row: Int, constraint: Int)? {
        let chunks = max(1, min(threads, count / 4096))
        let per = (count + chunks - 1) / max(1, chunks)
        var failures = [(row: Int, constraint: Int)?](repeating: nil, count: chunks)
        let checkers = (0..<chunks).map { _ in UncheckedSendable(makeChecker()) }
        failures.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out.baseAddress!)
            Parallel.forEach(chunks, threads: chunks) { c in
                let check = checkers[c].value
                for row in (c * per)..<min(count, (c + 1) * per) {
                    if let k = check(row) {
                        shared.value[c] = (row, k)
                        return
                    }
                }
            }
        }
        return failures.compactMap { $0 }.min { $0.row < $1.row }
    }

    func check(main: [[Felt]]) throws(StarkError) {
        let info = air.traceInfo
        let n = info.length
        for (k, a) in air.mainAssertions.enumerated() where main[a.column][a.step] != a.value {
            throw .unsatisfiedConstraint(
                "assertion \(k): column \(a.column) row \(a.step) is \(main[a.column][a.step]), expected \(a.value)")
        }
        let width = info.mainWidth
        let count = air.mainConstraintDegrees.count
        let periodic = air.periodicColumns
        let air = self.air
        let failure = firstFailure(rows: n - 1) {
            var cur = [Felt](repeating: .zero, count: width)
            var nxt = [Felt](repeating: .zero, count: width)
            var per = [Felt](repeating: .zero, count: periodic.count)
            var res = [Felt](repeating: .zero, count: count)
            return { row in
                for c in 0..<width {
                    cur[c] = main[c][row]
                    nxt[c] = main[c][row + 1]
                }
                for p in periodic.indices { per[p] = periodic[p][row % periodic[p].count] }
                cur.withUnsafeBufferPointer { cb in
                    nxt.withUnsafeBufferPointer { nb in
                        per.withUnsafeBufferPointer { pb in
                            res.withUnsafeMutableBufferPointer { rb in
                                air.evaluateMain(EvaluationFrame(current: cb, next: nb), periodic: pb, result: rb)
                            }
                        }
                    }
                }
                return res.firstIndex(where: { !$0.isZero })
            }
        }
        if let (row, k) = failure {
            throw .unsatisfiedConstraint("main transition constraint \(k) fails between rows \(row) and \(row + 1)")
        }
    }

    func checkAux(main: [[Felt]], aux: [[QuadFelt]], challenges: [QuadFelt], assertions: [Assertion<QuadFelt>]) throws(StarkError) {
        let info = air.traceInfo
        let n = info.length
        for (k, a) in assertions.enumerated() {
            guard a.column >= 0, a.column < info.auxWidth, a.step >= 0, a.step < n else {
                throw .invalidTrace("auxiliary assertion \(k) targets column \(a.column), row \(a.step) outside the trace")
            }
            if aux[a.column][a.step] != a.value {
                throw .unsatisfiedConstraint("auxiliary assertion \(k): column \(a.column) row \(a.step) differs from \(a.value)")
            }
        }
        let count = air.auxConstraintDegrees.count
        let periodic = air.periodicColumns
        let air = self.air
        let failure = firstFailure(rows: n - 1) {
            var cur = [QuadFelt](repeating: .zero, count: info.mainWidth)
            var nxt = cur
            var auxCur = [QuadFelt](repeating: .zero, count: info.auxWidth)
            var auxNxt = auxCur
            var per = [QuadFelt](repeating: .zero, count: periodic.count)
            var res = [QuadFelt](repeating: .zero, count: count)
            return { row in
                for c in 0..<info.mainWidth {
                    cur[c] = QuadFelt(main[c][row])
                    nxt[c] = QuadFelt(main[c][row + 1])
                }
                for c in 0..<info.auxWidth {
                    auxCur[c] = aux[c][row]
                    auxNxt[c] = aux[c][row + 1]
                }
                for p in periodic.indices { per[p] = QuadFelt(periodic[p][row % periodic[p].count]) }
                cur.withUnsafeBufferPointer { cb in
                    nxt.withUnsafeBufferPointer { nb in
                        auxCur.withUnsafeBufferPointer { acb in
                            auxNxt.withUnsafeBufferPointer { anb in
                                per.withUnsafeBufferPointer { pb in
                                    challenges.withUnsafeBufferPointer { chb in
                                        res.withUnsafeMutableBufferPointer { rb in
                                            air.evaluateAux(
                                                main: EvaluationFrame(current: cb, next: nb),
                                                aux: EvaluationFrame(current: acb, next: anb),
                                                periodic: pb, challenges: chb, result: rb)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                return res.firstIndex(where: { !$0.isZero })
            }
        }
        if let (row, k) = failure {
            throw .unsatisfiedConstraint("auxiliary transition constraint \(k) fails between rows \(row) and \(row + 1)")
        }
    }
}
