import AIRTesting
import Testing
@testable import STARK
@testable import Rollup

/// The trace mutation harness over every rollup AIR: from an honest trace, every changed cell,
/// swapped row (whole, or inside one section), and swapped, duplicated or dropped segment must
/// fail a constraint or an assertion, unless `AIR/README.md`'s soundness table lists it as free.
@Suite struct TraceMutationTests {
    static func expectNoSurvivors(_ harness: TraceMutationHarness, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(harness.honestFailure() == nil, "the honest trace must pass: \(harness.honestFailure() ?? "")", sourceLocation: sourceLocation)
        let report = harness.run()
        print("mutation harness: \(report)")
        #expect(report.tried > 0, sourceLocation: sourceLocation)
        let clean = report.survivors.isEmpty
        #expect(clean, "\(report)", sourceLocation: sourceLocation)
    }

    @Test func hasherChiplet() {
        let air = HashClaimsAIR(jobs: HasherChipletTests.jobs)
        var harness = TraceMutationHarness("hasher chiplet", air: air, trace: air.trace())
        var otherInput = HasherChipletTests.jobs
        otherInput[1] = .elements([9, 10, 12])
        harness.forgeries = [("the hashes of another input", HashClaimsAIR(jobs: otherInput).trace().columns)]
        harness.segmentRows = HasherChiplet.cycle
        harness.sections = [("state", 0..<12), ("flags", 12..<HasherChiplet.width)]
        Self.expectNoSurvivors(harness)
    }

    @Test func ledger() throws {
        let air = LedgerClaimsAIR(messages: LedgerTests.messages)
        let trace = try air.trace()
        var harness = TraceMutationHarness("ledger", air: air, trace: trace)
        harness.segmentRows = 2
        harness.freedoms = LedgerFreedoms.freedoms(offset: 0, trace: trace.columns)
        // The messages of another transaction (one amount changed), laid out honestly.
        var other = LedgerTests.messages
        other[4].amount += 1
        other[7].amount += 1
        harness.forgeries = [("another transaction's balances", try LedgerClaimsAIR(messages: other).trace().columns)]
        Self.expectNoSurvivors(harness)
    }

    @Test func transaction() throws {
        let (air, trace, _) = try TransactionProver.trace(for: TransactionSoundnessTests.witness(assets: true))
        var harness = TraceMutationHarness("transaction", air: air, trace: trace)
        harness.segmentRows = HasherChiplet.cycle
        harness.sections = [
            ("chiplet", 0..<HasherChiplet.width),
            ("registers", HasherChiplet.width..<TransactionAIR.ledgerOffset),
            ("ledger", TransactionAIR.ledgerOffset..<air.traceInfo.mainWidth),
        ]
        harness.freedoms = LedgerFreedoms.freedoms(offset: TransactionAIR.ledgerOffset, trace: trace.columns)
        Self.expectNoSurvivors(harness)
    }

    @Test func batch() {
        let statement = BatchPublicInputs(transactionIDs: BatchProofTests.ids(3, salt: 1), noteIDs: BatchProofTests.ids(5, salt: 2))
        let air = BatchAIR(statement: statement)
        var harness = TraceMutationHarness("batch", air: air, trace: air.trace())
        var notes = statement.noteIDs
        notes.swapAt(1, 2)
        harness.forgeries = [
            ("the note tree of the same notes in another order", BatchAIR(statement: BatchPublicInputs(transactionIDs: statement.transactionIDs, noteIDs: notes)).trace().columns),
            ("another transaction list", BatchAIR(statement: BatchPublicInputs(transactionIDs: BatchProofTests.ids(3, salt: 7), noteIDs: statement.noteIDs)).trace().columns),
        ]
        harness.segmentRows = HasherChiplet.cycle
        harness.sections = [("state", 0..<12), ("flags", 12..<HasherChiplet.width)]
        Self.expectNoSurvivors(harness)
    }

    /// The block trace: 2 accounts and 1 nullifier in 4 segments (the last one padding), mutated
    /// per 512-row segment and per 8-row permutation cycle.
    @Test(arguments: [BlockAIR.segmentRows, HasherChiplet.cycle])
    func block(segmentRows: Int) {
        let f = BlockAIRTests.fixture(updatedAccounts: 2, nullifiers: 1)
        let air = BlockAIR(statement: f.statement)
        var harness = TraceMutationHarness("block (segments of \(segmentRows) rows)", air: air, trace: BlockTrace.build(air: air, steps: f.steps, threads: 2))
        harness.segmentRows = segmentRows
        harness.sections = [
            ("old chain", BlockColumns.a..<BlockColumns.b), ("new chain", BlockColumns.b..<BlockColumns.bit),
            ("index", BlockColumns.bit..<BlockColumns.isAccount), ("flags and registers", BlockColumns.isAccount..<BlockColumns.width),
        ]
        harness.forgeries = [
            ("the nullifier after padding", BlockAIRTests.laidOut(f, [.step(0), .step(1), .padding, .step(2)]).trace.columns),
            ("the accounts in the other order with their honest paths", BlockAIRTests.laidOut(f, [.step(1), .step(0), .step(2), .padding]).trace.columns),
            ("an account done twice, the nullifier skipped", BlockAIRTests.laidOut(f, [.step(0), .step(1), .step(1), .padding]).trace.columns),
        ]
        let s = BlockAIR.segmentRows
        harness.extraRows = [s - 2, 2 * s - 2, 2 * s - 1, 2 * s, 3 * s - 1, 3 * s, 4 * s - 2, 8 * 31 + 7, 8 * 32, 2 * s + 8 * 32]
        Self.expectNoSurvivors(harness)
    }

    /// The block trace when the updates fill it exactly (the last segment an update).
    @Test func blockFilled() {
        let f = BlockAIRTests.fixture(updatedAccounts: 1, nullifiers: 1)
        let air = BlockAIR(statement: f.statement)
        var harness = TraceMutationHarness("block filled", air: air, trace: BlockTrace.build(air: air, steps: f.steps, threads: 2))
        harness.segmentRows = BlockAIR.segmentRows
        harness.sections = [("flags and registers", BlockColumns.isAccount..<BlockColumns.width)]
        Self.expectNoSurvivors(harness)
    }
}
