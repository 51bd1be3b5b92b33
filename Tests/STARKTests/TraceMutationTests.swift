import AIRTesting
import STARK
import STARKExamples
import Testing

/// The trace mutation harness over the example AIRs: every mutant of an honest trace fails some
/// constraint or assertion (neither AIR has a free cell).
@Suite struct TraceMutationTests {
    static func expectNoSurvivors(_ harness: TraceMutationHarness) {
        #expect(harness.honestFailure() == nil, "the honest trace must pass: \(harness.honestFailure() ?? "")")
        let report = harness.run()
        print("mutation harness: \(report)")
        #expect(report.tried > 0)
        let clean = report.survivors.isEmpty
        #expect(clean, "\(report)")
    }

    @Test func fibonacci() {
        let (trace, result) = FibonacciAIR.trace(rows: 32)
        var harness = TraceMutationHarness("Fibonacci", air: FibonacciAIR(rows: 32, result: result), trace: trace)
        harness.segmentRows = 4
        Self.expectNoSurvivors(harness)
    }

    @Test func rpoChain() {
        let (trace, air) = RPOChainAIR.make(rows: 32)
        var harness = TraceMutationHarness("RPO chain", air: air, trace: trace)
        harness.segmentRows = RPOChainAIR.rowsPerPermutation
        Self.expectNoSurvivors(harness)
    }

    /// The harness itself: a mutation nothing constrains (a column no constraint reads) must be
    /// reported as a survivor, and documenting it as free moves it out of the survivors.
    @Test func harnessReportsUnconstrainedCells() {
        let (fib, result) = FibonacciAIR.trace(rows: 16)
        let widened = TraceTable(columns: fib.columns + [[Felt](repeating: .zero, count: 16)])
        struct Widened: AIR {
            let inner: FibonacciAIR
            var traceInfo: TraceInfo { TraceInfo(mainWidth: 3, length: inner.traceInfo.length) }
            var publicInputs: [Felt] { inner.publicInputs }
            var mainConstraintDegrees: [TransitionConstraintDegree] { inner.mainConstraintDegrees }
            var mainAssertions: [Assertion<Felt>] { inner.mainAssertions }
            func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
                inner.evaluateMain(frame, periodic: periodic, result: result)
            }
            func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
                inner.evaluateMain(frame, periodic: periodic, result: result)
            }
        }
        var harness = TraceMutationHarness("Fibonacci + a free column", air: Widened(inner: FibonacciAIR(rows: 16, result: result)), trace: widened)
        let report = harness.run()
        let names = report.survivors.map(\.description)
        #expect(names.contains("cell (column 2, row 0)"), "\(report)")
        #expect(!names.contains { $0.contains("column 0") || $0.contains("column 1") }, "\(report)")
        harness.freedoms = [.cells("column 2 is read by no constraint") { column, _ in column == 2 }]
        let documented = harness.run()
        let clean = documented.survivors.isEmpty
        #expect(clean, "\(documented)")
        #expect(documented.free["column 2 is read by no constraint"] == names.filter { $0.hasPrefix("cell") }.count)
    }
}
