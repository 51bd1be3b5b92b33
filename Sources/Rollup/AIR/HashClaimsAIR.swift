import STARK

/// Proves a public list of RPO256 computations (each a `HashJob`: capacity, blocks, digest) with
/// the hasher chiplet alone: the chiplet's bus messages must add up to exactly the messages of
/// the listed jobs, which the verifier computes itself. The building block of the rollup AIRs,
/// where program rows take the verifier's place as the consumers of these messages.
public struct HashClaimsAIR: AIR {
    public let jobs: [HashJob]
    public let traceInfo: TraceInfo

    public init(jobs: [HashJob]) {
        self.jobs = jobs
        var rows = 16
        while rows < HasherChiplet.cycles(for: jobs) * HasherChiplet.cycle { rows <<= 1 }
        traceInfo = TraceInfo(mainWidth: HasherChiplet.width, auxWidth: 1, auxChallenges: 2, length: rows)
    }

    public var publicInputs: [Felt] {
        jobs.flatMap { job in
            job.capacity.elements + [Felt(UInt64(job.blocks.count))] + job.blocks.flatMap { $0 } + job.digest.elements
        }
    }

    public var mainConstraintDegrees: [TransitionConstraintDegree] { HasherChiplet.constraintDegrees }
    public var auxConstraintDegrees: [TransitionConstraintDegree] { [HasherChiplet.busDegree] }
    public var periodicColumns: [[Felt]] { HasherChiplet.periodicColumns }

    public var mainAssertions: [Assertion<Felt>] { HasherChiplet.boundaryAssertions(rows: traceInfo.length) }

    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let beta = challenges[1]
        var expected = QuadFelt.zero
        for (address, job) in jobs.enumerated() {
            for m in HasherChiplet.messages(of: job, address: UInt64(address), alpha: alpha) { expected += (beta - m).inverse() }
        }
        return [Assertion(column: 0, step: 0, value: .zero), Assertion(column: 0, step: traceInfo.length - 1, value: expected)]
    }

    public func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
        HasherChiplet.evaluate(frame.current.baseAddress!, frame.next.baseAddress!, periodic: periodic.baseAddress!, result: result.baseAddress!)
    }

    public func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
        HasherChiplet.evaluate(frame.current.baseAddress!, frame.next.baseAddress!, periodic: periodic.baseAddress!, result: result.baseAddress!)
    }

    public func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
    ) {
        HasherChiplet.withAlphaPowers(challenges[0]) { alpha in
            let (message, multiplicity) = HasherChiplet.rowMessage(main.current.baseAddress!, periodic: periodic.baseAddress!, alpha: alpha)
            result[0] = HasherChiplet.busStep(current: aux.current[0], next: aux.next[0], message: message, multiplicity: multiplicity, beta: challenges[1])
        }
    }

    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let n = main.length
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let periodic = HasherChiplet.periodicColumns
        var denominators = [QuadFelt](repeating: .one, count: n)
        var multiplicities = [QuadFelt](repeating: .zero, count: n)
        var row = [QuadFelt](repeating: .zero, count: HasherChiplet.width)
        var per = [QuadFelt](repeating: .zero, count: periodic.count)
        alpha.withUnsafeBufferPointer { a in
            for i in 0..<n {
                for c in 0..<HasherChiplet.width { row[c] = QuadFelt(main[c, i]) }
                for p in periodic.indices { per[p] = QuadFelt(periodic[p][i % 8]) }
                let (m, mu) = row.withUnsafeBufferPointer { r in
                    per.withUnsafeBufferPointer { HasherChiplet.rowMessage(r.baseAddress!, periodic: $0.baseAddress!, alpha: a.baseAddress!) }
                }
                denominators[i] = challenges[1] - m
                multiplicities[i] = mu
            }
        }
        let inverses = BatchInversion.invert(denominators)
        var s = [QuadFelt](repeating: .zero, count: n)
        for i in 0..<(n - 1) { s[i + 1] = s[i] + multiplicities[i] * inverses[i] }
        return [s]
    }

    /// The chiplet trace for these jobs.
    public func trace() -> TraceTable {
        var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: traceInfo.length), count: HasherChiplet.width)
        HasherChiplet.fill(&columns, offset: 0, jobs: jobs)
        return TraceTable(columns: columns)
    }
}
