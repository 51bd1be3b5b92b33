import AIRTesting
import Testing
@testable import STARK
@testable import Rollup

/// The range bus seen by the prover's adversary: forged traces that change the ledger's bytes, the
/// table multiplicities or the auxiliary sums, each refused by the AIR (the trace check with fixed
/// challenges, the prover's own check, and for some a whole proof that must not verify).
@Suite struct RangeCheckBusTests {
    static let air = LedgerClaimsAIR(messages: LedgerTests.messages)
    static let multiplicity = LedgerSection.rangeMultiplicity

    static func honest() throws -> [[Felt]] { try air.trace().columns }

    /// The first check `columns` fails (nil: it passes).
    static func failure(_ columns: [[Felt]], air: any AIR = air) -> String? { TraceCheck(air: air).firstFailure(columns) }

    /// The forged trace is refused by the prover, and a proof made without the prover's check does not verify.
    static func expectNoProof(_ columns: [[Felt]], air: any AIR = air, sourceLocation: SourceLocation = #_sourceLocation) {
        let trace = TraceTable(columns: columns)
        #expect(throws: StarkError.self, sourceLocation: sourceLocation) {
            try Prover.prove(air: air, trace: trace, options: LedgerTests.options, threads: 2)
        }
        do {
            let proof = try Prover.prove(air: air, trace: trace, options: LedgerTests.options, threads: 2, timings: nil, checkTrace: false)
            #expect(throws: StarkError.self, sourceLocation: sourceLocation) { try Verifier.verify(proof: proof, air: air) }
        } catch {}
    }

    /// Row 0 is `before(0, a, 500)`: amount bytes [0xF4, 0x01, 0, …].
    static let row = 0

    @Test func theHonestTraceUsesTheWholeTable() throws {
        let columns = try Self.honest()
        #expect(Self.failure(columns) == nil)
        #expect(Self.air.traceInfo.length == RangeCheckBus.tableSize)
        // Faucet p − 1 has bytes 0xFF: the value 255 lives only on the last row at 256 rows, and is
        // offered through the last transition.
        #expect(columns[Self.multiplicity][255] != .zero)
        #expect(RangeCheckBus.periodicColumns(rows: 256)[0] == (0..<256).map { Felt(UInt64($0)) })
        #expect(columns[LedgerSection.amountBytes][Self.row] == Felt(0xF4) && columns[LedgerSection.amountBytes + 1][Self.row] == .one)
    }

    /// A byte outside 0…255 with the next byte lowered so the amount is unchanged (every main
    /// constraint holds), the multiplicities recounted and one added back on the table row of the
    /// value mod 256: no table row offers the forged value, so the bus cannot close.
    @Test(arguments: [Felt(UInt64(500)), Felt.zero - Felt(12)])
    func aByteOutsideTheTableWithACompensatingMultiplicityIsRefused(forged: Felt) throws {
        var columns = try Self.honest()
        let low = LedgerSection.amountBytes, high = low + 1
        let carry = forged == Felt(UInt64(500)) ? Felt.one : Felt.zero - .one  // 500 = forged + 256·(1 − carry) (0xF4 + 256 = 500)
        columns[low][Self.row] = forged
        columns[high][Self.row] -= carry
        #expect(LedgerTests.failingConstraints(TraceTable(columns: columns)).isEmpty)
        RangeCheckBus.fillMultiplicities(&columns, offset: 0)
        columns[Self.multiplicity][Int(forged.value % 256)] += .one
        #expect(Self.failure(columns)?.hasPrefix("bus assertion") == true, "\(Self.failure(columns) ?? "passed")")
        Self.expectNoProof(columns)
    }

    @Test func aChangedMultiplicityIsRefused() throws {
        let honest = try Self.honest()
        for (row, delta) in [(0, Felt.one), (5, Felt.zero - .one), (255, Felt.zero - honest[Self.multiplicity][255]), (128, Felt(1 << 40))] {
            var columns = honest
            columns[Self.multiplicity][row] += delta
            #expect(Self.failure(columns)?.hasPrefix("bus assertion") == true, "row \(row)")
        }
    }

    /// The table is a periodic column the verifier builds, so the prover cannot reorder, repeat or
    /// drop its rows; what it can do is offer the counts against other rows: reordered (swapped,
    /// reversed), duplicated, dropped, or moved past the table (rows ≥ 256 repeat it).
    @Test func tableRowsReorderedDuplicatedOrDroppedAreRefused() throws {
        let honest = try Self.honest()
        var forgeries: [(String, [[Felt]])] = []
        var c = honest
        c[Self.multiplicity].swapAt(0, 0xFF)
        forgeries.append(("rows 0 and 255 swapped", c))
        c = honest
        c[Self.multiplicity].replaceSubrange(0..<256, with: honest[Self.multiplicity][0..<256].reversed())
        forgeries.append(("the table reversed", c))
        c = honest
        c[Self.multiplicity][1] = c[Self.multiplicity][0]
        forgeries.append(("row 0 duplicated onto row 1", c))
        c = honest
        c[Self.multiplicity][0] = .zero
        forgeries.append(("row 0 dropped", c))
        c = honest
        c[Self.multiplicity][255] = .zero
        forgeries.append(("the last row (255, offered by the last transition) dropped", c))
        for (what, columns) in forgeries {
            #expect(Self.failure(columns)?.hasPrefix("bus assertion") == true, "\(what)")
        }
        Self.expectNoProof(forgeries[0].1)
    }

    /// Every byte of a ledger row changed by one, nothing else: refused (a main constraint or the bus).
    @Test func aChangedByteWithEverythingElseHonestIsRefused() throws {
        let honest = try Self.honest()
        for column in LedgerSection.faucetBytes..<LedgerSection.width {
            for row in [1, 7] {
                var columns = honest
                columns[column][row] += .one
                #expect(Self.failure(columns) != nil, "column \(column), row \(row)")
            }
        }
        // A difference byte where no faucet comparison applies (nextGroup = 0) is read by the bus only.
        #expect(honest[LedgerSection.nextGroup][1] == .zero)
        var columns = honest
        columns[LedgerSection.diffBytes][1] = Felt(7)
        #expect(LedgerTests.failingConstraints(TraceTable(columns: columns)).isEmpty)
        #expect(Self.failure(columns)?.hasPrefix("bus assertion") == true)
    }

    /// The auxiliary segment built honestly, then changed: the running sum or a helper that does
    /// not match the main trace fails the auxiliary constraints or the closing assertion.
    @Test func anAuxiliarySumThatDoesNotCloseIsRefused() throws {
        let main = try Self.honest()
        let check = TraceCheck(air: Self.air)
        let challenges = check.challenges
        let aux = Self.air.buildAuxTrace(main: TraceTable(columns: main), challenges: challenges)
        let assertions = Self.air.auxAssertions(challenges: challenges)
        let validator = TraceValidator(air: Self.air)
        try validator.checkAux(main: main, aux: aux, challenges: challenges, assertions: assertions)

        let n = Self.air.traceInfo.length
        let delta = QuadFelt(Felt(3), Felt(5))
        var forgeries: [(String, [[QuadFelt]])] = []
        var a = aux
        a[0][n - 1] += delta
        forgeries.append(("the sum's last value moved to the expected one's neighbour", a))
        for helper in 1..<aux.count {
            a = aux
            a[helper][3] += delta
            for r in 4..<n { a[0][r] += delta }
            forgeries.append(("helper \(helper) changed on row 3, the sum following it", a))
            a = aux
            a[helper][3] += delta
            forgeries.append(("helper \(helper) changed on row 3, the sum not", a))
        }
        // The bytes of a forged main trace (a byte of 500 with a compensating multiplicity), the
        // honest builder's helpers: every step constraint holds, the sum cannot close.
        var forgedMain = main
        forgedMain[LedgerSection.amountBytes][Self.row] = Felt(UInt64(500))
        forgedMain[LedgerSection.amountBytes + 1][Self.row] = .zero
        RangeCheckBus.fillMultiplicities(&forgedMain, offset: 0)
        forgedMain[Self.multiplicity][0xF4] += .one
        let forgedAux = Self.air.buildAuxTrace(main: TraceTable(columns: forgedMain), challenges: challenges)
        #expect(throws: StarkError.self, "forged bytes") {
            try validator.checkAux(main: forgedMain, aux: forgedAux, challenges: challenges, assertions: assertions)
        }
        for (what, columns) in forgeries {
            #expect(throws: StarkError.self, "\(what)") {
                try validator.checkAux(main: main, aux: columns, challenges: challenges, assertions: assertions)
            }
        }
    }

    /// The transaction AIR: an amount byte outside the table (the amount unchanged) with a
    /// compensating multiplicity yields no verifying proof.
    @Test func aTransactionWithAByteOutsideTheTableDoesNotProve() throws {
        let (air, trace, _) = try TransactionProver.trace(for: TransactionSoundnessTests.witness(assets: true))
        var columns = trace.columns
        let o = TransactionAIR.ledgerOffset
        let row = (0..<trace.length).first { columns[o + LedgerSection.amountBytes + 1][$0] != .zero }!
        let low = columns[o + LedgerSection.amountBytes][row]
        columns[o + LedgerSection.amountBytes][row] = low + Felt(256)
        columns[o + LedgerSection.amountBytes + 1][row] -= .one
        RangeCheckBus.fillMultiplicities(&columns, offset: o)
        columns[o + Self.multiplicity][Int(low.value)] += .one
        #expect(Self.failure(columns, air: air)?.hasPrefix("bus assertion") == true, "\(Self.failure(columns, air: air) ?? "passed")")
        Self.expectNoProof(columns, air: air)
    }

    @Test func theTransactionTraceIsAtMost64ColumnsWide() throws {
        let (air, _, _) = try TransactionProver.trace(for: TransactionSoundnessTests.witness(assets: true))
        #expect(air.traceInfo.mainWidth == 64)
        #expect(air.traceInfo.auxWidth == 3 + RangeCheckBus.helperCount && air.traceInfo.auxChallenges == 3)
        // The evaluation loop's literal grouping is the documented one.
        #expect(LedgerSection.lookupGroups.count == RangeCheckBus.groupCount)
        #expect(LedgerSection.lookupGroups.map(\.range) == (0..<RangeCheckBus.groupCount).map {
            (RangeCheckBus.groupSize * $0)..<min(RangeCheckBus.groupSize * ($0 + 1), LedgerSection.lookupCount)
        })
    }
}
