import AIRTesting
import Testing
@testable import STARK
@testable import Rollup

@Suite struct LedgerTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    // Faucets: a and b share the high 32-bit limb (low-limb comparison), c and d do not; d = p − 1
    // has the largest high limb (canonicity branch).
    static let a = Felt(1000), b = Felt(5000), c = Felt((1 << 40) + 7), d = Felt(Felt.modulus - 1)

    static func before(_ index: Int, _ faucet: Felt, _ amount: UInt64) -> AssetMessage { AssetMessage(kind: .before, index: index, faucet: faucet, amount: amount) }
    static func input(_ faucet: Felt, _ amount: UInt64) -> AssetMessage { AssetMessage(kind: .input, index: 0, faucet: faucet, amount: amount) }
    static func output(_ faucet: Felt, _ amount: UInt64) -> AssetMessage { AssetMessage(kind: .output, index: 0, faucet: faucet, amount: amount) }
    static func after(_ index: Int, _ faucet: Felt, _ amount: UInt64) -> AssetMessage { AssetMessage(kind: .after, index: index, faucet: faucet, amount: amount) }

    /// Vault before {a: 500, b: 100}; a is emptied to 0 (absent after); c and d appear only in notes.
    static let messages: [AssetMessage] = [
        output(b, 70), input(c, 40), after(1, c, 25), before(1, b, 100), input(a, 300), after(2, d, 9),
        input(b, 50), output(a, 800), before(0, a, 500), input(d, 9), after(0, b, 105), output(c, 15), input(b, 25),
    ]

    /// Indexes of the main constraints that fail on some row of `trace` (row-by-row, like the prover's check).
    static func failingConstraints(_ trace: TraceTable) -> Set<Int> {
        let count = LedgerSection.constraintDegrees.count
        var failing = Set<Int>()
        var result = [Felt](repeating: .zero, count: count)
        for i in 0..<(trace.length - 1) {
            let current = trace.row(i), next = trace.row(i + 1)
            current.withUnsafeBufferPointer { s in
                next.withUnsafeBufferPointer { n in
                    result.withUnsafeMutableBufferPointer { LedgerSection.evaluate(s.baseAddress!, n.baseAddress!, result: $0.baseAddress!) }
                }
            }
            for k in 0..<count where !result[k].isZero { failing.insert(k) }
        }
        return failing
    }

    /// Indexes of the range lookups (`LedgerSection.rangeLookups`) that some row i < n − 1 of
    /// `trace` makes outside the table 0…255: what the range bus refuses.
    static func failingLookups(_ trace: TraceTable, offset: Int = 0) -> Set<Int> {
        var failing = Set<Int>()
        var values = [Felt](repeating: .zero, count: LedgerSection.lookupCount)
        for i in 0..<(trace.length - 1) {
            let row = Array(trace.row(i)[offset..<(offset + LedgerSection.width)])
            row.withUnsafeBufferPointer { r in values.withUnsafeMutableBufferPointer { LedgerSection.rangeLookups(r.baseAddress!, into: $0.baseAddress!) } }
            for (j, v) in values.enumerated() where v.value >= 256 { failing.insert(j) }
        }
        return failing
    }

    /// A trace laid out from `order` without any rule checked, for the public `messages`: the
    /// prover refuses it, and a proof made anyway does not verify. `failing` names the main
    /// constraints that must fail, `lookups` the range lookups.
    static func expectNoProof(messages: [AssetMessage], order: [AssetMessage], failing expected: Set<Int>? = nil,
                              lookups expectedLookups: Set<Int>? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let air = LedgerClaimsAIR(messages: messages)
        let forged = air.trace(rows: LedgerSection.uncheckedRows(order))
        let failing = failingConstraints(forged), lookups = failingLookups(forged)
        #expect(!failing.isEmpty || !lookups.isEmpty, sourceLocation: sourceLocation)
        if let expected { #expect(failing == expected, sourceLocation: sourceLocation) }
        if let expectedLookups { #expect(lookups == expectedLookups, sourceLocation: sourceLocation) }
        #expect(TraceCheck(air: air).firstFailure(forged.columns) != nil, sourceLocation: sourceLocation)
        #expect(throws: StarkError.self, sourceLocation: sourceLocation) {
            try Prover.prove(air: air, trace: forged, options: options, threads: 1)
        }
        do {
            let proof = try Prover.prove(air: air, trace: forged, options: options, threads: 1, timings: nil, checkTrace: false)
            #expect(throws: StarkError.self, sourceLocation: sourceLocation) { try Verifier.verify(proof: proof, air: air) }
        } catch {}
    }

    @Test func rowsAreInLedgerOrder() throws {
        let rows = try LedgerSection.rows(for: Self.messages)
        #expect(rows.map(\.message) == [
            Self.before(0, Self.a, 500), Self.input(Self.a, 300), Self.output(Self.a, 800),
            Self.before(1, Self.b, 100), Self.input(Self.b, 50), Self.input(Self.b, 25), Self.output(Self.b, 70), Self.after(0, Self.b, 105),
            Self.input(Self.c, 40), Self.output(Self.c, 15), Self.after(1, Self.c, 25),
            Self.input(Self.d, 9), Self.after(2, Self.d, 9),
        ])
        #expect(rows.map(\.balance.value) == [500, 800, 0, 100, 150, 175, 105, 105, 40, 25, 25, 9, 9])
        let air = LedgerClaimsAIR(messages: Self.messages)
        #expect(Self.failingConstraints(try air.trace()).isEmpty)
        #expect(LedgerSection.width == 42 && LedgerSection.constraintDegrees.count == 28)
        #expect(Self.failingLookups(try air.trace()).isEmpty)
    }

    @Test func aBalancedLedgerProvesAndVerifies() throws {
        let air = LedgerClaimsAIR(messages: Self.messages)
        let proof = try Prover.prove(air: air, trace: try air.trace(), options: Self.options, threads: 2)
        try Verifier.verify(proofBytes: ProofCodec.encode(proof), air: air)
    }

    @Test func anEmptyLedgerProvesAndVerifies() throws {
        let air = LedgerClaimsAIR(messages: [])
        let proof = try Prover.prove(air: air, trace: try air.trace(), options: Self.options, threads: 2)
        try Verifier.verify(proof: proof, air: air)
    }

    @Test func changingAnyPublicMessageFails() throws {
        let air = LedgerClaimsAIR(messages: Self.messages)
        let proof = try Prover.prove(air: air, trace: try air.trace(), options: Self.options, threads: 2)
        var changes: [[AssetMessage]] = []
        var m = Self.messages
        m[0].amount += 1                       // output b 70 → 71
        changes.append(m)
        m = Self.messages
        m[1].faucet = Felt(1001)               // input c → another faucet
        changes.append(m)
        m = Self.messages
        m[6].kind = .output                    // input b 50 → output
        changes.append(m)
        m = Self.messages
        m[2].index = 2                         // after c at index 1 → 2
        changes.append(m)
        m = Self.messages
        m[3].kind = .after                     // before b → after (changes the vault shape too)
        changes.append(m)
        m = Self.messages
        m.removeLast()                         // one message fewer
        changes.append(m)
        for lying in changes {
            #expect(throws: StarkError.self) { try Verifier.verify(proof: proof, air: LedgerClaimsAIR(messages: lying)) }
        }
    }

    @Test func rowsRefuseWitnessesThatBreakTheRules() {
        let a = Self.a, b = Self.b
        let refused: [(String, [AssetMessage])] = [
            ("overspend", [Self.before(0, a, 5), Self.input(a, 3), Self.output(a, 9)]),
            ("2^63", [Self.before(0, a, 1 << 62), Self.input(a, 1 << 62), Self.output(a, 1 << 62), Self.after(0, a, 1 << 62)]),
            ("amount ≥ 2^63", [Self.input(a, 1 << 63), Self.after(0, a, 1 << 63)]),
            ("after ≠ balance", [Self.input(a, 5), Self.after(0, a, 4)]),
            ("non-zero end", [Self.input(a, 5), Self.output(a, 4)]),
            ("two befores", [Self.before(0, a, 5), Self.before(1, a, 5), Self.after(0, a, 10)]),
            ("two afters", [Self.input(a, 5), Self.after(0, a, 5), Self.after(1, a, 5)]),
            ("unsorted vault", [Self.before(0, b, 5), Self.before(1, a, 5), Self.after(0, a, 5), Self.after(1, b, 5)]),
            ("index gap", [Self.before(1, a, 5), Self.after(0, a, 5)]),
            ("empty after", [Self.input(a, 5), Self.output(a, 5), Self.after(0, a, 0)]),
            ("note index", [Self.input(a, 5), AssetMessage(kind: .output, index: 1, faucet: a, amount: 5)]),
        ]
        for (name, messages) in refused {
            #expect(throws: ProtocolError.self, "\(name)") { try LedgerSection.rows(for: messages) }
        }
        // The boundaries themselves are accepted: a balance of 2^63 − 1, spending to exactly 0.
        #expect(throws: Never.self) {
            try LedgerSection.rows(for: [Self.before(0, a, (1 << 63) - 2), Self.input(a, 1), Self.after(0, a, (1 << 63) - 1)])
        }
        #expect(throws: Never.self) { try LedgerSection.rows(for: [Self.before(0, a, 7), Self.output(a, 7)]) }
    }

    @Test func forgedOverspendsThatWrapModPDoNotProve() {
        let a = Self.a
        // A small overspend: the balance wraps to p − 5, outside [0, 2^63), and the group ends non-zero.
        let small = [Self.input(a, 5), Self.output(a, 10)]
        Self.expectNoProof(messages: small, order: small)
        // A huge overspend from 0 lands at 2^63 − 2^32 + 2 < 2^63: every byte range check passes and
        // only the no-carry lookup (debit: 127 − 127 − 127) catches it.
        let huge = [Self.output(a, (1 << 63) - 1), Self.after(0, a, (1 << 63) - (1 << 32) + 2)]
        Self.expectNoProof(messages: huge, order: huge, failing: [], lookups: [LedgerSection.noCarryLookup])
        // Two credits past p wrap to 2^32 − 3 (value burnt): only the no-carry lookup (credit: 0 − 127) catches it.
        let burn = [Self.input(a, (1 << 63) - 1), Self.input(a, (1 << 63) - 1), Self.after(0, a, (1 << 32) - 3)]
        Self.expectNoProof(messages: burn, order: burn, failing: [], lookups: [LedgerSection.noCarryLookup])
    }

    @Test func aForgedAmountOf2To63OrMoreDoesNotProve() {
        // An output of p − 5 ≡ −5 credits 5: its top byte is 255, and 255 + 128 is not a byte (nor is
        // the debit no-carry value 127 − 0 − 255).
        let wrap = [Self.output(Self.a, Felt.modulus - 5), Self.after(0, Self.a, 5)]
        Self.expectNoProof(messages: wrap, order: wrap, failing: [], lookups: [28, LedgerSection.noCarryLookup])
    }

    @Test func aForgedSecondGroupForAFaucetDoesNotProve() {
        // Faucet a twice, around b: the vault after would hold a twice. Only the strict increase of
        // faucets (low-limb comparison for a/b, high-limb comparison for a/c) catches it.
        for (a, b) in [(Self.a, Self.b), (Self.a, Self.c)] {
            let order = [Self.input(a, 3), Self.after(0, a, 3), Self.input(b, 1), Self.after(1, b, 1), Self.input(a, 4), Self.after(2, a, 4)]
            Self.expectNoProof(messages: order, order: order, failing: [14])
        }
    }

    @Test func forgedUnsortedVaultIndexesDoNotProve() {
        let a = Self.a, b = Self.b
        // Vault before [b, a]: not sorted by faucet.
        let messages = [Self.before(0, b, 5), Self.before(1, a, 5), Self.output(a, 5), Self.output(b, 5)]
        // In faucet order the indexes do not follow the before counter.
        Self.expectNoProof(messages: messages, order: [messages[1], messages[2], messages[0], messages[3]], failing: [25])
        // In index order the faucets decrease.
        Self.expectNoProof(messages: messages, order: messages.filter { $0.faucet == b } + messages.filter { $0.faucet == a }, failing: [14])
    }

    @Test func forgedOrderWithinAGroupDoesNotProve() {
        let a = Self.a
        // An output before an input (the balance would go below 0 in between).
        let outFirst = [Self.output(a, 0), Self.input(a, 5), Self.after(0, a, 5)]
        Self.expectNoProof(messages: outFirst, order: outFirst, failing: [21])
        // An after entry that does not close its group.
        let afterEarly = [Self.input(a, 5), Self.after(0, a, 5), Self.output(a, 5)]
        Self.expectNoProof(messages: afterEarly, order: afterEarly, failing: [20])
    }
}
