/// Checks a trace against its AIR row by row, naming the failing constraint and row. The prover
/// checks the boundary assertions before committing and runs the row-by-row check only to explain
/// a proof that failed (see `ProverRun.prove`); tests call it directly. Rows are
/// checked in parallel chunks; the first failing row (lowest index) is reported. Once
/// `cancellation` is cancelled (looked at every 256 rows) the check stops and throws
/// `StarkError.cancelled`.
struct TraceValidator {
    let air: any AIR
    var threads: Int = 1
    var cancellation: ProofCancellation? = nil

    /// Runs `check(row)` over 0..<count in parallel chunks; returns the lowest row where it found a
    /// failing constraint, with that constraint's index.
    private func firstFailure(rows count: Int, _ makeChecker: () -> (Int) -> Int?) -> (row: Int, constraint: Int)? {
        let chunks = max(1, min(threads, count / 4096))
        let per = (count + chunks - 1) / max(1, chunks)
        var failures = [(row: Int, constraint: Int)?](repeating: nil, count: chunks)
        let checkers = (0..<chunks).map { _ in UncheckedSendable(makeChecker()) }
        let cancellation = self.cancellation
        failures.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out.baseAddress!)
            Parallel.forEach(chunks, threads: chunks) { c in
                let check = checkers[c].value
                for row in (c * per)..<min(count, (c + 1) * per) {
                    if row & 255 == 0, cancellation?.isCancelled == true { return }  // the caller throws
                    if let k = check(row) {
                        shared.value[c] = (row, k)
                        return
                    }
                }
            }
        }
        return failures.compactMap { $0 }.min { $0.row < $1.row }
    }

    /// The main boundary assertions only (one read each).
    func checkAssertions(main: [[Felt]]) throws(StarkError) {
        for (k, a) in air.mainAssertions.enumerated() where main[a.column][a.step] != a.value {
            throw .unsatisfiedConstraint(
                "assertion \(k): column \(a.column) row \(a.step) is \(main[a.column][a.step]), expected \(a.value)")
        }
    }

    /// The main boundary assertions, then every main transition constraint on every row.
    func check(main: [[Felt]]) throws(StarkError) {
        let n = air.traceInfo.length
        try checkAssertions(main: main)
        let air = self.air
        let failure = firstFailure(rows: n - 1) {
            var evaluator = MainRowEvaluator(air: air)
            return { row in evaluator.firstFailing(main, row: row) }
        }
        try cancellation.check(before: "the end of the trace check")
        if let (row, k) = failure {
            throw .unsatisfiedConstraint("main transition constraint \(k) fails between rows \(row) and \(row + 1)")
        }
    }

    /// The auxiliary boundary assertions only: each must target a cell of the segment and hold.
    func checkAuxAssertions(aux: [[QuadFelt]], length n: Int, assertions: [Assertion<QuadFelt>]) throws(StarkError) {
        for (k, a) in assertions.enumerated() {
            guard a.column >= 0, a.column < aux.count, a.step >= 0, a.step < n else {
                throw .invalidTrace("auxiliary assertion \(k) targets column \(a.column), row \(a.step) outside the trace")
            }
            if aux[a.column][a.step] != a.value {
                throw .unsatisfiedConstraint("auxiliary assertion \(k): column \(a.column) row \(a.step) differs from \(a.value)")
            }
        }
    }

    /// The auxiliary boundary assertions, then every auxiliary transition constraint on every row.
    func checkAux(main: [[Felt]], aux: [[QuadFelt]], challenges: [QuadFelt], assertions: [Assertion<QuadFelt>]) throws(StarkError) {
        let n = air.traceInfo.length
        try checkAuxAssertions(aux: aux, length: n, assertions: assertions)
        let air = self.air
        let failure = firstFailure(rows: n - 1) {
            var evaluator = AuxRowEvaluator(air: air, challenges: challenges)
            return { row in evaluator.firstFailing(main: main, aux: aux, row: row) }
        }
        try cancellation.check(before: "the end of the auxiliary trace check")
        if let (row, k) = failure {
            throw .unsatisfiedConstraint("auxiliary transition constraint \(k) fails between rows \(row) and \(row + 1)")
        }
    }
}
