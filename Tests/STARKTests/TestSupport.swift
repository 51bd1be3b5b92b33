@testable import STARK

/// Options for fast debug-mode proofs that still pass the verifier's 96-bit floor.
let fastOptions = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

/// A statement with an auxiliary segment: column b is a permutation of column a (rows 0..<n−1),
/// shown by a running product z over (γ − a)/(γ − b) that starts and ends at 1.
struct PermutationAIR: AIR {
    let traceInfo: TraceInfo
    let first: Felt

    init(rows: Int, first: Felt) {
        traceInfo = TraceInfo(mainWidth: 2, auxWidth: 1, auxChallenges: 1, length: rows)
        self.first = first
    }

    var publicInputs: [Felt] { [first] }
    var mainConstraintDegrees: [TransitionConstraintDegree] { [] }
    var auxConstraintDegrees: [TransitionConstraintDegree] { [TransitionConstraintDegree(2)] }
    var mainAssertions: [Assertion<Felt>] { [Assertion(column: 0, step: 0, value: first)] }

    func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        [Assertion(column: 0, step: 0, value: .one), Assertion(column: 0, step: traceInfo.length - 1, value: .one)]
    }

    func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {}
    func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {}

    func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
    ) {
        let gamma = challenges[0]
        result[0] = aux.next[0] * (gamma - main.current[1]) - aux.current[0] * (gamma - main.current[0])
    }

    func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let gamma = challenges[0]
        var z = [QuadFelt](repeating: .one, count: main.length)
        for i in 0..<(main.length - 1) {
            z[i + 1] = z[i] * (gamma - QuadFelt(main[0, i])) * (gamma - QuadFelt(main[1, i])).inverse()
        }
        return [z]
    }

    /// Column a = 1, 2, …; column b = a reversed (rows 0..<n−1); last row zero.
    static func trace(rows: Int) -> TraceTable {
        var a = (0..<rows).map { Felt(UInt64($0 + 1)) }
        a[rows - 1] = .zero
        var b = Array(a[0..<(rows - 1)].reversed())
        b.append(.zero)
        return TraceTable(columns: [a, b])
    }
}
