import STARK

/// Fibonacci with two terms per row (Winterfell's `fib-small`): row i holds (a, b) and row i+1
/// holds (a + b, a + 2b). Proves that the sequence starting 1, 1 reaches `result` as the second
/// column of the last row, i.e. term number 2·rows of the sequence.
public struct FibonacciAIR: AIR {
    public let traceInfo: TraceInfo
    /// The claimed last term (public input).
    public let result: Felt

    public init(rows: Int, result: Felt) {
        traceInfo = TraceInfo(mainWidth: 2, length: rows)
        self.result = result
    }

    public var publicInputs: [Felt] { [result] }
    public var mainConstraintDegrees: [TransitionConstraintDegree] { [TransitionConstraintDegree(1), TransitionConstraintDegree(1)] }
    public var mainAssertions: [Assertion<Felt>] {
        [Assertion(column: 0, step: 0, value: .one),
         Assertion(column: 1, step: 0, value: .one),
         Assertion(column: 1, step: traceInfo.length - 1, value: result)]
    }

    @inline(__always)
    func constraints<E: FieldElement>(_ frame: EvaluationFrame<E>, _ result: UnsafeMutableBufferPointer<E>) {
        let a = frame.current[0], b = frame.current[1]
        let nextA = frame.next[0], nextB = frame.next[1]
        result[0] = nextA - (a + b)
        result[1] = nextB - (b + nextA)
    }

    public func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
        constraints(frame, result)
    }

    public func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
        constraints(frame, result)
    }

    /// The trace for `rows` rows and the last term it reaches.
    public static func trace(rows: Int) -> (trace: TraceTable, result: Felt) {
        var a = [Felt](repeating: .zero, count: rows)
        var b = [Felt](repeating: .zero, count: rows)
        var x = Felt.one, y = Felt.one
        for i in 0..<rows {
            a[i] = x
            b[i] = y
            x = x + y
            y = y + x
        }
        return (TraceTable(columns: [a, b]), b[rows - 1])
    }
}
