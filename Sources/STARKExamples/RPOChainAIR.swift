import STARK

/// A chain of RPO256 permutations, 8 trace rows per permutation (Miden hasher-chiplet style):
/// h₀ = seed, h_{j+1} = merge(h_j, 0). Row 8j + r holds the 12-lane state before round r of
/// permutation j; row 8j + 7 holds its output, whose digest (lanes 0..<4) starts the next input.
///
/// A round r maps s to s' with s'^7 = MDS·(MDS·s + ARK1_r)^7 + ARK2_r (the inverse S-box is
/// checked forwards, so every constraint has degree 7). Periodic columns carry the round flag and
/// the round constants. Public inputs: the seed and the final digest.
public struct RPOChainAIR: AIR {
    public static let rowsPerPermutation = 8
    public let traceInfo: TraceInfo
    public let seed: Digest
    public let result: Digest

    public init(rows: Int, seed: Digest, result: Digest) {
        traceInfo = TraceInfo(mainWidth: 12, length: rows)
        self.seed = seed
        self.result = result
    }

    /// Number of permutations the trace proves.
    public var permutations: Int { traceInfo.length / RPOChainAIR.rowsPerPermutation }

    public var publicInputs: [Felt] { (seed.words + result.words).map { Felt(unchecked: $0) } }

    public var mainConstraintDegrees: [TransitionConstraintDegree] {
        Array(repeating: TransitionConstraintDegree(7, cycles: [8]), count: 12)
    }

    /// Column 0: 1 on round rows, 0 on the row that links permutations; then ARK1 and ARK2 per lane.
    public var periodicColumns: [[Felt]] { RPOChainAIR.periodic }

    static let periodic: [[Felt]] = {
        var columns: [[Felt]] = [(0..<8).map { $0 < 7 ? Felt.one : Felt.zero }]
        for table in [RPO256.ark1, RPO256.ark2] {
            for lane in 0..<12 {
                columns.append((0..<8).map { r in r < 7 ? Felt(table[12 * r + lane]) : .zero })
            }
        }
        return columns
    }()

    /// mds[i][j] = first row[(j − i) mod 12], flattened row-major.
    static let mds: [Felt] = (0..<144).map { k in Felt(RPO256.mdsFirstRow[((k % 12) - (k / 12) + 12) % 12]) }

    public var mainAssertions: [Assertion<Felt>] {
        let last = traceInfo.length - 1
        let start = seed.words + [UInt64](repeating: 0, count: 8)
        return start.enumerated().map { Assertion(column: $0, step: 0, value: Felt(unchecked: $1)) }
            + result.words.enumerated().map { Assertion(column: $0, step: last, value: Felt(unchecked: $1)) }
    }

    @inline(__always)
    func constraints<E: FieldElement>(_ frame: EvaluationFrame<E>, _ periodic: UnsafeBufferPointer<E>, _ out: UnsafeMutableBufferPointer<E>) {
        RPOChainAIR.mds.withUnsafeBufferPointer { m in
            withUnsafeTemporaryAllocation(of: E.self, capacity: 24) { tmp in
                let a = tmp.baseAddress!
                let b = a + 12
                // a = (MDS·cur + ARK1)^7
                for i in 0..<12 {
                    var acc = periodic[1 + i]
                    for j in 0..<12 { acc += frame.current[j].scaled(by: m[12 * i + j]) }
                    let x2 = acc * acc
                    let x3 = x2 * acc
                    a[i] = x3 * x2 * x2
                }
                // b = MDS·a + ARK2
                for i in 0..<12 {
                    var acc = periodic[13 + i]
                    for j in 0..<12 { acc += a[j].scaled(by: m[12 * i + j]) }
                    b[i] = acc
                }
                let flag = periodic[0]
                let linkFlag = E.one - flag
                for i in 0..<12 {
                    let n = frame.next[i]
                    let n2 = n * n
                    let n7 = n2 * n2 * n2 * n
                    let link = i < 4 ? n - frame.current[i] : n
                    out[i] = flag * (n7 - b[i]) + linkFlag * link
                }
            }
        }
    }

    public func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
        constraints(frame, periodic, result)
    }

    public func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
        constraints(frame, periodic, result)
    }

    /// The trace of `rows / 8` chained permutations from `seed`, and the final digest.
    public static func trace(rows: Int, seed: Digest) -> (trace: TraceTable, result: Digest) {
        precondition(rows % rowsPerPermutation == 0)
        var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: rows), count: 12)
        var state = RPO256.State(seed.words.map { Felt(unchecked: $0) } + [Felt](repeating: .zero, count: 8))
        for row in 0..<rows {
            for lane in 0..<12 { columns[lane][row] = state[lane] }
            let r = row % rowsPerPermutation
            if r < 7 {
                RPO256.applyRound(&state, round: r)
            } else {
                let digest = state.digest
                state = RPO256.State(digest.words.map { Felt(unchecked: $0) } + [Felt](repeating: .zero, count: 8))
            }
        }
        let last = (0..<4).map { columns[$0][rows - 1].value }
        return (TraceTable(columns: columns), Digest(last[0], last[1], last[2], last[3]))
    }

    /// A ready statement and trace with a fixed seed, for benchmarks and tests.
    public static func make(rows: Int) -> (trace: TraceTable, air: RPOChainAIR) {
        let seed = Digest(1, 2, 3, 4)
        let (trace, result) = self.trace(rows: rows, seed: seed)
        return (trace, RPOChainAIR(rows: rows, seed: seed, result: result))
    }
}
