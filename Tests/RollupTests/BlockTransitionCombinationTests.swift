import Testing
@testable import STARK
@testable import Rollup

/// The block AIR's fast Σ αₖ·Cₖ (`BlockTransitionCombination`) against the constraints evaluated
/// one by one, and proofs made with it against proofs made without it.
@Suite struct BlockTransitionCombinationTests {
    /// The block AIR with everything forwarded except the fast combination (the prover then sums
    /// the constraints one by one).
    struct ConstraintByConstraint: AIR {
        let air: BlockAIR
        var traceInfo: TraceInfo { air.traceInfo }
        var publicInputs: [Felt] { air.publicInputs }
        var mainConstraintDegrees: [TransitionConstraintDegree] { air.mainConstraintDegrees }
        var auxConstraintDegrees: [TransitionConstraintDegree] { air.auxConstraintDegrees }
        var periodicColumns: [[Felt]] { air.periodicColumns }
        var mainAssertions: [Assertion<Felt>] { air.mainAssertions }
        func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] { air.auxAssertions(challenges: challenges) }
        func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
            air.evaluateMain(frame, periodic: periodic, result: result)
        }
        func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
            air.evaluateMain(frame, periodic: periodic, result: result)
        }
        func evaluateAux(
            main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
            challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
        ) {
            air.evaluateAux(main: main, aux: aux, periodic: periodic, challenges: challenges, result: result)
        }
        func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] { air.buildAuxTrace(main: main, challenges: challenges) }
    }

    /// Σ αₖ·Cₖ the slow way: `evaluateMain` over the base field, `evaluateAux` on lifted values.
    static func oneByOne(_ air: BlockAIR, current: [Felt], next: [Felt], aux: [QuadFelt], auxNext: [QuadFelt],
                         periodic: [Felt], coefficients: [QuadFelt], challenges: [QuadFelt]) -> QuadFelt {
        var main = [Felt](repeating: .zero, count: air.mainConstraintDegrees.count)
        current.withUnsafeBufferPointer { c in
            next.withUnsafeBufferPointer { n in
                periodic.withUnsafeBufferPointer { p in
                    main.withUnsafeMutableBufferPointer { air.evaluateMain(EvaluationFrame(current: c, next: n), periodic: p, result: $0) }
                }
            }
        }
        var bus = [QuadFelt](repeating: .zero, count: 1)
        let lift = { (values: [Felt]) in values.map { QuadFelt($0) } }
        lift(current).withUnsafeBufferPointer { c in
            lift(next).withUnsafeBufferPointer { n in
                aux.withUnsafeBufferPointer { ac in
                    auxNext.withUnsafeBufferPointer { an in
                        lift(periodic).withUnsafeBufferPointer { p in
                            challenges.withUnsafeBufferPointer { ch in
                                bus.withUnsafeMutableBufferPointer {
                                    air.evaluateAux(main: EvaluationFrame(current: c, next: n), aux: EvaluationFrame(current: ac, next: an),
                                                    periodic: p, challenges: ch, result: $0)
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = QuadFelt.zero
        for (k, value) in main.enumerated() { total += coefficients[k].scaled(by: value) }
        return total + coefficients[main.count] * bus[0]
    }

    /// Random rows, periodic values, coefficients and challenges (not a trace's: every constraint
    /// is non-zero, so a wrong coefficient index or term shows).
    @Test func equalsTheConstraintsSummedOneByOne() throws {
        let air = BlockAIR(statement: BlockAIRTests.fixture().statement)
        var rng = SplitMix64(seed: 5)
        func felt() -> Felt { Felt(rng.next() % Felt.modulus) }
        func quad() -> QuadFelt { QuadFelt(felt(), felt()) }
        let width = BlockColumns.width
        let periodicCount = air.periodicColumns.count
        let constraintCount = air.mainConstraintDegrees.count + air.auxConstraintDegrees.count
        for trial in 0..<50 {
            // Some trials with 0/1 selectors and bits, as on the trace domain.
            let small = trial % 5 == 0
            let current = (0..<width).map { _ in small && rng.next() % 2 == 0 ? Felt(rng.next() % 2) : felt() }
            let next = (0..<width).map { _ in felt() }
            let periodic = (0..<periodicCount).map { _ in small ? Felt(rng.next() % 2) : felt() }
            let aux = [quad()], auxNext = [quad()]
            let coefficients = (0..<constraintCount).map { _ in quad() }
            let challenges = [quad(), quad()]
            let combination = try #require(air.transitionCombination(coefficients: coefficients, challenges: challenges))
            let fast = current.withUnsafeBufferPointer { c in
                next.withUnsafeBufferPointer { n in
                    aux.withUnsafeBufferPointer { ac in
                        auxNext.withUnsafeBufferPointer { an in
                            periodic.withUnsafeBufferPointer { p in
                                combination.evaluate(main: EvaluationFrame(current: c, next: n), aux: EvaluationFrame(current: ac, next: an),
                                                     periodic: p.baseAddress!)
                            }
                        }
                    }
                }
            }
            let slow = Self.oneByOne(air, current: current, next: next, aux: aux, auxNext: auxNext, periodic: periodic,
                                     coefficients: coefficients, challenges: challenges)
            #expect(fast == slow, "trial \(trial)")
        }
    }

    /// The unreduced product and seventh power against the field's, on operands that take the
    /// borrow and carry branches (top halves larger than the low word, all bits set) and random ones.
    @Test func lazyProductsAreCongruentToFieldProducts() {
        func field(_ x: UInt64) -> Felt { Felt(x % Felt.modulus) }
        var rng = SplitMix64(seed: 9)
        var operands: [(UInt64, UInt64)] = [(1 << 63, 1 << 63), (UInt64.max, UInt64.max), (Felt.modulus - 1, Felt.modulus - 1),
                                            (UInt64.max, 1), (0, UInt64.max), (Felt.modulus, 12345), (UInt64.max - 1, 1 << 40)]
        operands += (0..<1000).map { _ in (rng.next(), rng.next()) }
        for (a, b) in operands {
            #expect(field(lazyProduct(a, b)) == field(a) * field(b), "\(a) · \(b)")
            let x = field(a), x2 = x * x
            #expect(field(seventhPower(a)) == x2 * x2 * x2 * x, "\(a)^7")
        }
    }

    @Test func wrongCountsGiveNoCombination() {
        let air = BlockAIR(statement: BlockAIRTests.fixture().statement)
        let count = air.mainConstraintDegrees.count + air.auxConstraintDegrees.count
        #expect(air.transitionCombination(coefficients: Array(repeating: .one, count: count - 1), challenges: [.one, .one]) == nil)
        #expect(air.transitionCombination(coefficients: Array(repeating: .one, count: count), challenges: [.one]) == nil)
    }

    /// The same proof bytes with and without the fast combination, the extension stored or streamed.
    @Test func proofBytesEqualTheConstraintByConstraintProof() throws {
        let f = BlockAIRTests.fixture(updatedAccounts: 2, nullifiers: 2)
        let air = BlockAIR(statement: f.statement)
        let trace = BlockTrace.build(air: air, steps: f.steps, threads: 2)
        let options = BlockAIRTests.options
        let slow = try Prover.prove(air: ConstraintByConstraint(air: air), trace: trace, options: options, threads: 2)
        let fast = try Prover.prove(air: air, trace: trace, options: options, threads: 2)
        #expect(ProofCodec.encode(fast) == ProofCodec.encode(slow))
        let streamed = try Prover.prove(air: air, trace: trace, options: options, threads: 1, timings: nil, checkTrace: true,
                                        budget: ExtensionBudget(bytes: 0))
        #expect(ProofCodec.encode(streamed) == ProofCodec.encode(slow))
        try Verifier.verify(proof: fast, air: air)
    }
}
