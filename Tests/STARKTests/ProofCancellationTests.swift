import Testing
@testable import STARK
import STARKExamples

/// `ProofCancellation`: a cancelled flag stops the prover between phases with `StarkError.cancelled`.
@Suite struct ProofCancellationTests {
    static let rows = 1 << 10

    /// PermutationAIR, but building the auxiliary trace (mid-proof, after the main trace commit)
    /// cancels the flag, as a deadline passing at that moment would.
    struct CancellingAIR: AIR {
        let inner: PermutationAIR
        let flag: ProofCancellation
        var traceInfo: TraceInfo { inner.traceInfo }
        var publicInputs: [Felt] { inner.publicInputs }
        var mainConstraintDegrees: [TransitionConstraintDegree] { inner.mainConstraintDegrees }
        var auxConstraintDegrees: [TransitionConstraintDegree] { inner.auxConstraintDegrees }
        var mainAssertions: [Assertion<Felt>] { inner.mainAssertions }
        func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] { inner.auxAssertions(challenges: challenges) }
        func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {}
        func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {}
        func evaluateAux(
            main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
            challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
        ) {
            inner.evaluateAux(main: main, aux: aux, periodic: periodic, challenges: challenges, result: result)
        }
        func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
            flag.cancel(reason: "test deadline")
            return inner.buildAuxTrace(main: main, challenges: challenges)
        }
    }

    func cancelledReason(_ body: () throws(StarkError) -> StarkProof) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            guard case .cancelled(let why) = error else {
                Issue.record("expected a cancellation, got \(error)")
                return nil
            }
            return why
        }
    }

    @Test func aCancelledFlagStopsBeforeAnyWorkAndCostsAlmostNothing() throws {
        let statement = FibonacciAIR.trace(rows: Self.rows)
        let air = FibonacciAIR(rows: Self.rows, result: statement.result)
        let clock = ContinuousClock()
        let full = try clock.measure { _ = try Prover.prove(air: air, trace: statement.trace, options: fastOptions, threads: 1) }
        let flag = ProofCancellation()
        flag.cancel(reason: "shutdown")
        var why: String?
        let stopped = clock.measure {
            why = cancelledReason { () throws(StarkError) in
                try Prover.prove(air: air, trace: statement.trace, options: fastOptions, threads: 1, cancellation: flag)
            }
        }
        #expect(why == "shutdown (stopped before trace check)")
        #expect(stopped * 20 < full, "a cancelled proof took \(stopped); a whole one \(full)")
        #expect(flag.reason == "shutdown")
    }

    @Test func cancellingMidProofStopsAtTheNextPhase() {
        let flag = ProofCancellation()
        let air = CancellingAIR(inner: PermutationAIR(rows: Self.rows, first: .one), flag: flag)
        let why = cancelledReason { () throws(StarkError) in
            try Prover.prove(air: air, trace: PermutationAIR.trace(rows: Self.rows), options: fastOptions, threads: 2, cancellation: flag)
        }
        // The auxiliary trace is built (cancelling the flag), then the next phase stops the proof.
        #expect(why == "test deadline (stopped before aux trace commit)", "\(why ?? "no cancellation")")
    }

    @Test func aFlagThatIsNeverCancelledChangesNothing() throws {
        let statement = FibonacciAIR.trace(rows: Self.rows)
        let air = FibonacciAIR(rows: Self.rows, result: statement.result)
        let plain = try Prover.prove(air: air, trace: statement.trace, options: fastOptions, threads: 1)
        let flagged = try Prover.prove(air: air, trace: statement.trace, options: fastOptions, threads: 1, cancellation: ProofCancellation())
        #expect(ProofCodec.encode(plain) == ProofCodec.encode(flagged))
    }

    @Test func theFirstReasonIsKept() {
        let flag = ProofCancellation()
        #expect(flag.reason == nil && !flag.isCancelled)
        flag.cancel(reason: "deadline")
        flag.cancel(reason: "shutdown")
        #expect(flag.isCancelled && flag.reason == "deadline")
        #expect(throws: StarkError.cancelled("deadline (stopped before FRI layer 2)")) { try flag.check(before: "FRI layer 2") }
    }
}
